"""Builds the project's spaCy Korean pipeline (no download): Kiwi tokenizer + entity ruler.

    python -m korean_nlp.build_pipeline models/spacy_ko_kiwi

Rasa loads the result through ``SpacyNLP`` (``model:`` path). SpacyNLP lowercases text
before spaCy sees it, so patterns are matched on the lowercase form.
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.language import Language

from korean_nlp import terms
from korean_nlp.spacy_tokenizer import KiwiTokenizer

PIPELINE_NAME = "ko_kiwi_certificate"
PIPELINE_VERSION = "1.0.0"


def build() -> Language:
    nlp = spacy.blank(
        "ko", config={"nlp": {"tokenizer": {"@tokenizers": "korean_nlp.kiwi_tokenizer.v1"}}}
    )
    nlp.tokenizer = KiwiTokenizer(nlp.vocab, terms.user_words(), terms.lemma_aliases())
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = []
    for label, values in terms.entity_synonyms().items():
        for canonical, surfaces in values.items():
            for surface in surfaces:
                patterns.append({"label": label, "pattern": surface.lower(), "id": canonical})
                if " " in surface.strip():
                    # The phrase is tokenized on its own, where Kiwi may read "모바일 인증서" as one word
                    # across the space (morphology.SPACE_TOLERANCE); in a sentence it may stay two
                    # tokens. Both readings are matched.
                    patterns.append({"label": label, "id": canonical,
                                     "pattern": [{"LOWER": part} for part in surface.lower().split()]})
    ruler.add_patterns(patterns)
    nlp.meta.update({"name": PIPELINE_NAME, "version": PIPELINE_VERSION,
                     "description": "Kiwi morphology + domain entity ruler for 금융인증서 help"})
    return nlp


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m korean_nlp.build_pipeline OUTPUT_DIR", file=sys.stderr)
        return 2
    output = Path(argv[0])
    output.parent.mkdir(parents=True, exist_ok=True)
    build().to_disk(output)
    print(f"spaCy pipeline written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
