"""What counts as secret in a conversation, and how it is masked. Pure functions."""
from __future__ import annotations

import copy
import re
from typing import Any, Dict, Iterable, List

from actions.task_slots import REQUESTED, SECRET_SLOTS

MASK = "●●●●●●"
# 주민등록번호 (YYMMDD-Gxxxxxx), typed anywhere, is never stored.
_RESIDENT_NUMBER = re.compile(r"(?<!\d)\d{6}\s*-?\s*[1-8]\d{6}(?!\d)")


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("secret:") or value == MASK)


def mask_text(text: str) -> str:
    return _RESIDENT_NUMBER.sub(MASK, text)


def redact_events(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Serialized events with secrets masked.

    A user message sent while the bot was asking for a secret slot is replaced whole: the
    text, the parse data and any entities. Secret slots keep only vault references.
    """
    requested = None
    redacted: List[Dict[str, Any]] = []
    for original in events:
        event = copy.deepcopy(original)
        kind = event.get("event")
        if kind == "slot":
            if event.get("name") == REQUESTED:
                requested = event.get("value")
            elif event.get("name") in SECRET_SLOTS and event.get("value") is not None \
                    and not _is_reference(event.get("value")):
                event["value"] = MASK
        elif kind == "user":
            _redact_user_event(event, whole=requested in SECRET_SLOTS)
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        redacted.append(event)
    return redacted


def _redact_user_event(event: Dict[str, Any], whole: bool) -> None:
    text = event.get("text") or ""
    masked = MASK if whole and text else mask_text(text)
    if masked == text:
        return
    event["text"] = masked
    parse_data = event.get("parse_data") or {}
    if "text" in parse_data:
        parse_data["text"] = masked
    parse_data["entities"] = []
