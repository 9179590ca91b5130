"""Reads what NLU concluded about the latest message, in one place.

Rasa's FallbackClassifier only looks at the intent confidence, never at the
ResponseSelector's (rasa#9723): a message can be confidently "some FAQ" while the choice of
*which* FAQ is a coin toss. These helpers read both rankings so the fallback can offer the real candidates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from actions.topics import FAQ_INTENT, faq_titles, task_titles

# Intents never offered as a suggestion: they are conversation moves, not topics.
_NOT_TOPICS = {"nlu_fallback", "greet", "goodbye", "thank", "affirm", "deny", "cancel",
               "bot_challenge", "out_of_scope", "human_handoff", "no_answer"}


@dataclass(frozen=True)
class Candidate:
    kind: str  # "faq" or "task"
    key: str  # faq key or task intent name
    confidence: float


def requested_faq_key(message: Dict[str, Any]) -> Optional[str]:
    """The FAQ a button asked for explicitly (payload /faq{"faq_key": ...})."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "faq_key" and entity.get("value") in faq_titles():
            return entity["value"]
    return None


def _faq_ranking(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    selector = (message.get("response_selector") or {}).get(FAQ_INTENT) or {}
    return selector.get("ranking") or []


def _key_of(intent_response_key: str) -> str:
    return intent_response_key.split("/", 1)[-1]


def ranked_candidates(message: Dict[str, Any], limit: int = 3, floor: float = 0.05) -> List[Candidate]:
    """Best topics for the message, FAQ sub-topics weighted by the FAQ intent's confidence."""
    candidates: List[Candidate] = []
    for item in message.get("intent_ranking") or []:
        name, confidence = item.get("name"), float(item.get("confidence") or 0.0)
        if name == FAQ_INTENT:
            for faq in _faq_ranking(message):
                key = _key_of(faq.get("intent_response_key") or "")
                if key in faq_titles():
                    weighted = confidence * float(faq.get("confidence") or 0.0)
                    candidates.append(Candidate("faq", key, weighted))
        elif name in task_titles() and name not in _NOT_TOPICS:
            candidates.append(Candidate("task", name, confidence))
    candidates = [c for c in candidates if c.confidence >= floor]
    candidates.sort(key=lambda c: c.confidence, reverse=True)
    return candidates[:limit]
