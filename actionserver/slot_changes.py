"""Only slot events that change something go back to Rasa.

The task actions return whole slot groups (a task's start and end reset ~25 slots; every form step
clears the failure and outage markers), and most of those values are already what the conversation
holds. Measured on the chat benchmark's conversations, 40 % of all stored events were such no-op
slot events (2,373 of 5,993; docs/performance.md). Each one is stored, read back and replayed into
the tracker on every later turn, sent to the action server inside the tracker on every call, and
walked by RulePolicy's state building — work that grows with the conversation and changes nothing.

Kept even when unchanged:
- ``requested_slot`` and ``task``: they mark where a flow is (Rasa's form logic, the redaction
  context, the agent desk's task runs read them as events);
- for a form's ``validate_<form>`` call, the slot the form asked for: Rasa's form rejects the turn
  when validation returns no slot event, so "validated to the same value" must still be said.
Anything after a ``reset_slots``/``restart`` in the same result, and any slot the tracker does not
list, is kept: its prior value is not known here.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

REQUESTED_SLOT = "requested_slot"
ALWAYS_KEPT = frozenset({REQUESTED_SLOT, "task"})
_UNKNOWN = object()


def asked_slot(action_name: Optional[str], slots: Dict[str, Any]) -> Optional[str]:
    """The slot a form is validating in this call, if the call is a form validation."""
    if not (action_name or "").startswith("validate_"):
        return None
    return slots.get(REQUESTED_SLOT)


def changing_events(slots: Dict[str, Any], events: Iterable[Dict[str, Any]],
                    keep: Optional[str] = None) -> List[Dict[str, Any]]:
    """``events`` without the slot events that set a slot to the value it already has in ``slots``
    (the conversation's slots before the action ran)."""
    current: Dict[str, Any] = dict(slots)
    kept: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "slot":
            name, value = event.get("name"), event.get("value")
            unchanged = _same(current.get(name, _UNKNOWN), value)
            if unchanged and name not in ALWAYS_KEPT and name != keep:
                continue
            current[name] = value
        elif kind in ("reset_slots", "restart", "session_started"):
            current = {}
        kept.append(event)
    return kept


def _same(before: Any, after: Any) -> bool:
    # Same type too: a bool slot holding True is not "set" by the number 1.
    return type(before) is type(after) and before == after
