"""Offers likely topics as buttons when the assistant is not sure what was meant."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk.executor import CollectingDispatcher

from actions.nlu_signals import Candidate, ranked_candidates
from actions.topics import faq_payload, faq_titles, suggestion_prompt, task_payload, task_titles

HANDOFF_BUTTON = {"title": "상담원 연결", "payload": "/human_handoff"}


def candidate_button(candidate: Candidate) -> Dict[str, str]:
    if candidate.kind == "faq":
        return {"title": faq_titles()[candidate.key], "payload": faq_payload(candidate.key)}
    return {"title": task_titles()[candidate.key], "payload": task_payload(candidate.key)}


def offer_suggestions(dispatcher: CollectingDispatcher, message: Dict[str, Any]) -> List[Candidate]:
    """Utter the top candidates plus a handoff button; ask to rephrase when there are none."""
    candidates = ranked_candidates(message)
    if not candidates:
        dispatcher.utter_message(response="utter_fallback_unclear")
        return []
    buttons = [candidate_button(c) for c in candidates] + [HANDOFF_BUTTON]
    dispatcher.utter_message(text=suggestion_prompt(), buttons=buttons)
    return candidates
