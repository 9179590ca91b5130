"""Loads the domain vocabulary shared by the analyzer and the entity ruler."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

TERMS_FILE = Path(__file__).with_name("domain_terms.yml")


@lru_cache(maxsize=None)
def _load() -> dict:
    with open(TERMS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def user_words() -> List[Tuple[str, str]]:
    return [(word, tag) for word, tag in _load()["user_words"]]


def lemma_aliases() -> Dict[str, str]:
    return dict(_load().get("lemma_aliases") or {})


def entity_synonyms() -> Dict[str, Dict[str, List[str]]]:
    """label -> canonical value -> surface forms."""
    return _load()["entities"]
