"""The catalogue of topics: which FAQ keys and task intents exist, and their button titles."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

TOPICS_FILE = Path(__file__).with_name("topics.yml")
FAQ_INTENT = "faq"


@lru_cache(maxsize=None)
def _catalogue() -> Dict[str, Dict[str, str]]:
    with open(TOPICS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def faq_titles() -> Dict[str, str]:
    return _catalogue()["faq"]


def task_titles() -> Dict[str, str]:
    return _catalogue()["tasks"]


def suggestion_prompt() -> str:
    return _catalogue()["suggestion_prompt"]


def faq_response(key: str) -> str:
    return f"utter_{FAQ_INTENT}/{key}"


def faq_payload(key: str) -> str:
    """A button payload that opens one FAQ answer (answered by action_answer_faq)."""
    return f"/{FAQ_INTENT}" + json.dumps({"faq_key": key}, separators=(",", ":"))


def task_payload(intent: str) -> str:
    return f"/{intent}"
