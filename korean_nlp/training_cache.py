"""Rasa's training cache, kept per version of our Korean pipeline.

Rasa fingerprints a spaCy model by its *name* only (`rasa.nlu.utils.spacy_utils.SpacyModel.fingerprint`:
"we assume this only changes if the model name changes"). Our model is rebuilt in place from
`korean_nlp/` and `domain_terms.yml` under the same name, so after a change of the tokenizer or of
the domain vocabulary `rasa train` restored the count featurizers and the classifier from its cache:
a model trained on the old tokens, run with the new tokenizer (found in session 7: a new user word
trained in 41 s with every NLU component "restored from cache"). Each version of the Korean code and
vocabulary therefore gets its own cache directory (`RASA_CACHE_DIRECTORY`); older ones are removed
(Rasa's cache grows to about 1 GB).
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import MutableMapping, Optional

ROOT = Path(__file__).resolve().parent.parent
CACHE_PARENT = ROOT / ".rasa"
CACHE_PREFIX = "cache-kiwi-"


def pipeline_fingerprint(package: Path = Path(__file__).resolve().parent) -> str:
    """A hash of what shapes the spaCy pipeline's tokens: the Korean code, its vocabulary, Kiwi's version."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".yml", ".yaml"):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    for distribution in ("kiwipiepy", "kiwipiepy_model", "spacy"):
        digest.update(f"{distribution}={version(distribution)}".encode())
    return digest.hexdigest()[:16]


def use_pipeline_cache(environ: MutableMapping[str, str] = os.environ, parent: Path = CACHE_PARENT,
                       fingerprint: Optional[str] = None) -> Path:
    """Point Rasa's training cache at this pipeline version's directory (unless the caller chose one)."""
    if environ.get("RASA_CACHE_DIRECTORY"):
        return Path(environ["RASA_CACHE_DIRECTORY"])
    current = parent / f"{CACHE_PREFIX}{fingerprint or pipeline_fingerprint()}"
    if parent.is_dir():
        for stale in parent.iterdir():
            if stale.is_dir() and stale != current and (stale.name.startswith(CACHE_PREFIX) or stale.name == "cache"):
                shutil.rmtree(stale, ignore_errors=True)
    environ["RASA_CACHE_DIRECTORY"] = str(current)
    return current
