"""A conversation as the agent desk shows it: Rasa tracker events → masked turns and the
customer's verified state. Pure functions over serialized events (Rasa's tracker JSON or the SQL
tracker store's `data` column), so the console and the insights read conversations the same way.

Events are passed through the redaction rules again before anything else: the store already
masked them, and a second pass costs nothing if it did (and protects if a store did not).
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from agentdesk.privacy import mask_name, mask_personal, mask_step_answer
from redaction.rules import MASK, redact_events

SECRET_STEPS = ("verification_code", "current_pin", "new_pin", "new_pin_confirm")
IDENTITY_STEPS = ("customer_name", "birth_date", "mobile_number")
DESK_KEY = "agentdesk"  # BotUttered metadata: {"agentdesk": "agent"|"system", "agent_name": ...}
_PAYLOAD = re.compile(r"^/([A-Za-z_]+)(\{.*\})?$", re.S)


@dataclass
class Turn:
    kind: str  # "user" | "bot" | "agent" | "system"
    text: str
    ts: float
    intent: Optional[str] = None
    step: Optional[str] = None  # the form's requested slot when the customer wrote this
    button: bool = False
    agent_name: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False)}


@dataclass
class Conversation:
    turns: List[Turn] = field(default_factory=list)
    names: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)


BUTTON_TITLES = {"human_handoff": "상담원 연결", "deny": "아니요", "affirm": "네", "cancel": "그만하기", "greet": "인사"}


def _payload_label(text: str) -> Optional[str]:
    """A button the customer tapped, as its title ("갱신 방법"), not its payload."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    from actions.topics import faq_titles, task_titles

    intent, entities = match.group(1), match.group(2)
    try:
        values = json.loads(entities) if entities else {}
    except ValueError:
        values = {}
    key = values.get("faq_key") if isinstance(values, dict) else None
    if key:
        return faq_titles().get(key, f"{intent}/{key}")
    return task_titles().get(intent) or BUTTON_TITLES.get(intent, intent)


def read_events(events: Iterable[Dict[str, Any]]) -> Conversation:
    events = redact_events(list(events))
    conv = Conversation()
    names = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "customer_name"
             and isinstance(e.get("value"), str)]
    conv.names = names
    requested = None
    for event in events:
        kind = event.get("event")
        ts = float(event.get("timestamp") or 0)
        if kind == "slot":
            conv.slots[event.get("name")] = event.get("value")
            if event.get("name") == "requested_slot":
                requested = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        elif kind == "user":
            conv.turns.append(_user_turn(event, ts, requested, names))
        elif kind == "bot":
            meta = event.get("metadata") or {}
            desk = meta.get(DESK_KEY)
            text = mask_personal(event.get("text") or "", names)
            if not text:
                continue
            conv.turns.append(Turn(kind=desk if desk in ("agent", "system") else "bot", text=text, ts=ts,
                                   agent_name=meta.get("agent_name") if desk == "agent" else None))
        elif kind in ("session_started", "restart"):
            requested = None
    return conv


def _user_turn(event: Dict[str, Any], ts: float, requested: Optional[str], names: List[str]) -> Turn:
    text = event.get("text") or ""
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    label = _payload_label(text)
    if label:
        return Turn(kind="user", text=label, ts=ts, intent=intent, step=requested, button=True)
    if requested in SECRET_STEPS:
        text = MASK
    elif requested in IDENTITY_STEPS:
        text = mask_step_answer(requested, text, names)
    else:
        text = mask_personal(text, names)
    return Turn(kind="user", text=text, ts=ts, intent=intent, step=requested)


def verified_state(slots: Dict[str, Any], now: Optional[float] = None) -> Dict[str, Any]:
    """What the agent may know about the customer: never the token, never the full name."""
    now = time.time() if now is None else now
    expires = slots.get("token_expires_at")
    verified = bool(slots.get("verification_token")) and isinstance(expires, (int, float)) and expires > now
    state: Dict[str, Any] = {"verified": verified}
    if verified:
        if isinstance(slots.get("customer_name"), str):
            state["name"] = mask_name(slots["customer_name"])
        if isinstance(slots.get("masked_phone"), str):
            state["phone"] = mask_personal(slots["masked_phone"])
        for key in ("cert_state", "cert_expires_on"):
            if isinstance(slots.get(key), (str, int)):
                state[key] = slots[key]
    if isinstance(slots.get("task"), str):
        state["task"] = slots["task"]
    return state
