"""Loads the project's NLU examples and responses the way the tests need them."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
RESPONSES_DIR = ROOT / "data" / "responses"


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def parse_examples(block: str) -> List[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def examples_by_label(paths) -> Dict[str, List[str]]:
    """Full label (faq/<key> or intent) -> examples, across the given NLU files."""
    labels: Dict[str, List[str]] = defaultdict(list)
    for path in paths:
        for item in _read_yaml(path).get("nlu", []):
            if "intent" in item:
                labels[item["intent"]].extend(parse_examples(item["examples"]))
    return dict(labels)


@lru_cache(maxsize=None)
def training_examples() -> Dict[str, List[str]]:
    return examples_by_label(sorted(NLU_DIR.glob("*.yml")))


@lru_cache(maxsize=None)
def responses() -> Dict[str, list]:
    merged: Dict[str, list] = {}
    for path in sorted(RESPONSES_DIR.glob("*.yml")):
        merged.update(_read_yaml(path).get("responses", {}))
    merged.update(_read_yaml(ROOT / "domain.yml").get("responses", {}))
    return merged


def normalized(text: str) -> str:
    """Spacing and punctuation do not make two examples different."""
    return re.sub(r"[\s\W_]+", "", text.lower())
