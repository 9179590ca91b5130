"""A spaCy tokenizer backed by Kiwi, registered as ``korean_nlp.kiwi_tokenizer.v1``.

spaCy's own Korean tokenizer needs MeCab, which cannot be installed here; this one gives
spaCy morpheme tokens with Kiwi's normalized forms as lemmas, Sejong tags as ``tag_`` and
Universal POS (through spaCy's Korean tag map) as ``pos_``. The registration is exposed as a
``spacy_tokenizers`` entry point, so ``spacy.load`` (and Rasa's SpacyNLP) finds it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import srsly
from spacy.lang.ko.tag_map import TAG_MAP
from spacy.symbols import POS, X
from spacy.tokens import Doc
from spacy.util import DummyTokenizer, registry
from spacy.vocab import Vocab

from korean_nlp.morphology import MorphAnalyzer, Segment, shared_analyzer

SETTINGS_FILE = "kiwi.json"


@registry.tokenizers("korean_nlp.kiwi_tokenizer.v1")
def create_kiwi_tokenizer():
    def make(nlp):
        return KiwiTokenizer(nlp.vocab)

    return make


def _universal_pos(tag: str) -> str:
    first = tag.split("+", 1)[0]
    return TAG_MAP.get(first, {POS: X})[POS]


class KiwiTokenizer(DummyTokenizer):
    def __init__(
        self,
        vocab: Vocab,
        user_words: Iterable[Tuple[str, str]] = (),
        lemma_aliases: Optional[Dict[str, str]] = None,
    ) -> None:
        self.vocab = vocab
        self.user_words = [tuple(w) for w in user_words]
        self.lemma_aliases = dict(lemma_aliases or {})
        self._analyzer: Optional[MorphAnalyzer] = None

    @property
    def analyzer(self) -> MorphAnalyzer:
        # Built on first use (Kiwi takes about a second to load its model), shared with every other
        # pipeline of the process that has the same user words (morphology.shared_analyzer says why).
        if self._analyzer is None:
            self._analyzer = shared_analyzer(self.user_words)
        return self._analyzer

    def __call__(self, text: str) -> Doc:
        words, spaces, lemmas, tags = self._layout(text, self.analyzer.segments(text))
        # Aliases ignore case (Kiwi keeps "PIN", "Pin", "pin" as typed); other lemmas stay as they are.
        lemmas = [self.lemma_aliases.get(lemma.lower(), lemma) for lemma in lemmas]
        doc = Doc(self.vocab, words=words, spaces=spaces, lemmas=lemmas, tags=tags)
        for token in doc:
            token.pos = _universal_pos(token.tag_) if not token.is_space else token.pos
        return doc

    @staticmethod
    def _layout(text: str, segments: List[Segment]):
        """Words and spaces that rebuild ``text`` exactly, so character offsets stay true."""
        words: List[str] = []
        spaces: List[bool] = []
        lemmas: List[str] = []
        tags: List[str] = []

        def add(word: str, lemma: str, tag: str) -> None:
            words.append(word)
            spaces.append(False)
            lemmas.append(lemma)
            tags.append(tag)

        def add_gap(gap: str) -> None:
            # A single space after a word is spaCy's trailing space; anything else in a gap
            # (runs of whitespace, characters Kiwi skipped) becomes tokens of its own.
            if gap == " " and words and not spaces[-1] and words[-1].strip():
                spaces[-1] = True
                return
            index = 0
            while index < len(gap):
                is_space = gap[index].isspace()
                end = index
                while end < len(gap) and gap[end].isspace() == is_space:
                    end += 1
                chunk = gap[index:end]
                if is_space and words and not spaces[-1] and words[-1].strip() and chunk[0] == " ":
                    spaces[-1] = True
                    chunk = chunk[1:]
                if chunk:
                    add(chunk, chunk, "_SP" if is_space else "UNK")
                index = end

        cursor = 0
        for segment in segments:
            if segment.start > cursor:
                add_gap(text[cursor:segment.start])
            add(text[segment.start:segment.end], segment.lemma, segment.tag)
            cursor = segment.end
        if cursor < len(text):
            add_gap(text[cursor:])
        return words, spaces, lemmas, tags

    # Serialization: the user dictionary and aliases travel with the saved pipeline.
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        settings = {"user_words": self.user_words, "lemma_aliases": self.lemma_aliases}
        return srsly.json_dumps(settings).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "KiwiTokenizer":
        settings = srsly.json_loads(data)
        self.user_words = [tuple(w) for w in settings["user_words"]]
        self.lemma_aliases = dict(settings.get("lemma_aliases") or {})
        self._analyzer = None
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / SETTINGS_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=tuple()) -> "KiwiTokenizer":
        return self.from_bytes((Path(path) / SETTINGS_FILE).read_bytes())
