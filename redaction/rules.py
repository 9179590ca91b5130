"""What counts as secret in a conversation, and how it is masked. Pure functions.

- A message answering a secret step (PIN, code) is replaced whole.
- While a task is running, any run of 6+ digits in a message is masked, separators ignored: a
  PIN typed at the wrong step ("135790" as a name, "13-57-90" as a birth date) is still a PIN.
- A resident number (주민등록번호) is masked anywhere, written with "-", "–", "—" or spaces.
- Entities are kept only when the domain expects them (``ALLOWED_ENTITIES``): a payload such as
  ``/affirm{"pin": "135790"}`` carries anything the sender likes.
- The REST channel's ``metadata`` is dropped: the web front never sends any, and anyone else's
  is not ours to keep.
- Secret slots and credential slots keep only vault references.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Dict, Iterable, List, Optional

from actions.secret_vault import is_reference
from actions.task_slots import REQUESTED, SECRET_SLOTS, SUBMISSION_KEY, TASK, VERIFICATION_ID, VERIFICATION_TOKEN
from redaction.digits import MASK, has_digit_run, mask_digit_runs, mask_resident_numbers

# The entities of domain.yml (tests/test_redaction.py keeps the two lists equal).
ALLOWED_ENTITIES = frozenset({"cert_type", "channel", "security_medium", "device", "faq_key", "device_id",
                              "handoff"})
CREDENTIAL_SLOTS = (VERIFICATION_TOKEN, VERIFICATION_ID, SUBMISSION_KEY)
# Rasa copies the first message's metadata into this slot when a session starts.
METADATA_SLOT = "session_started_metadata"

__all__ = ["MASK", "ALLOWED_ENTITIES", "RedactionContext", "mask_text", "redact_events"]


def mask_text(text: str, in_task: bool = False) -> str:
    return mask_digit_runs(text) if in_task else mask_resident_numbers(text)


def _kept_in_clear(value: Any) -> bool:
    return value is None or is_reference(value) or value == MASK


class RedactionContext:
    """What earlier events say about the next one: the slot being asked for, and whether a task runs.

    Only a few event kinds change it (``EVENT_KINDS``, Rasa's type names), so a store that redacts
    just the new events of a conversation can rebuild it from the stored ones without serialising
    them all.
    """

    EVENT_KINDS = frozenset({"slot", "active_loop", "restart", "reset_slots"})

    def __init__(self) -> None:
        self.requested: Any = None
        self.task: Any = None

    def observe(self, event: Dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "slot":
            if event.get("name") == REQUESTED:
                self.requested = event.get("value")
            elif event.get("name") == TASK:
                self.task = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            self.requested = None
        elif kind in ("restart", "reset_slots"):
            self.requested, self.task = None, None


def redact_events(events: Iterable[Dict[str, Any]],
                  context: Optional[RedactionContext] = None) -> List[Dict[str, Any]]:
    """Serialized events with secrets masked (the given events are not changed).

    ``context`` is the state after the events before these (a fresh conversation when omitted);
    it is updated as the events are read.
    """
    context = context or RedactionContext()
    redacted: List[Dict[str, Any]] = []
    for original in events:
        event = copy.deepcopy(original)
        kind = event.get("event")
        if kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name in (*SECRET_SLOTS, *CREDENTIAL_SLOTS) and not _kept_in_clear(value):
                event["value"] = MASK
            elif name == METADATA_SLOT and value:
                event["value"] = {}
        elif kind == "user":
            _redact_user_event(event, whole=context.requested in SECRET_SLOTS,
                               in_task=bool(context.task or context.requested))
        context.observe(original)
        redacted.append(event)
    return redacted


def _redact_user_event(event: Dict[str, Any], whole: bool, in_task: bool) -> None:
    if "metadata" in event:
        event["metadata"] = {}
    parse_data = event.get("parse_data") or {}
    entities = [entity for entity in parse_data.get("entities") or []
                if isinstance(entity, dict) and entity.get("entity") in ALLOWED_ENTITIES]
    for entity in entities:
        # No allowed entity ever holds 6+ digits (keys, device numbers): such a value is masked.
        if has_digit_run(str(entity.get("value", ""))):
            entity["value"] = MASK
        entity.pop("text", None)
    text = event.get("text") or ""
    if text.startswith("/") and "{" in text:
        # A payload's text repeats its entities: rebuilt from the intent and the kept entities.
        text = _payload_text(parse_data, text, entities)
        event["text"] = text
    masked = MASK if whole and text else mask_text(text, in_task)
    if masked != text:
        event["text"] = masked
        entities = []  # spans of a changed text point at nothing
    if parse_data:
        if "text" in parse_data:
            parse_data["text"] = event.get("text")
        if "entities" in parse_data:
            parse_data["entities"] = entities
        if "metadata" in parse_data:
            parse_data["metadata"] = {}


def _payload_text(parse_data: Dict[str, Any], text: str, entities: List[Dict[str, Any]]) -> str:
    intent = (parse_data.get("intent") or {}).get("name") or text[1:text.index("{")]
    kept = {entity["entity"]: entity.get("value") for entity in entities}
    return f"/{intent}" + (json.dumps(kept, ensure_ascii=False) if kept else "")
