"""Renders what the bot really sends: a response's text filled like Rasa's NLG fills it.

Rasa fills ``{name}`` from the values an action passes, the tracker's slots and the policy
numbers (certpolicy/rasa_nlg.py); a conditional variation is chosen by slot values. The flow
tests record response names and values (tests/flows/harness.py); this turns them into the
texts a customer reads, so tests can assert on the words and the step markers the widget parses.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from certpolicy import load_policy
from tests.training_data import responses

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# The widget's step marker: the first line of a message, "[2/4] 인증서 확인" (webchat/static/widget.js).
STEP_MARKER = re.compile(r"^\[(\d+)/(\d+)\]\s*(.+)$")


def policy_values() -> Dict[str, Any]:
    values = dict(load_policy().template_values())
    values.setdefault("account_password_length", 4)  # until policy.yml carries it (sec-backend's change)
    return values


def variation(name: str, slots: Dict[str, Any]) -> Dict[str, Any]:
    """The variation Rasa picks: the first whose slot conditions hold, else the unconditional one."""
    variations = responses()[name]
    for candidate in variations:
        conditions = candidate.get("condition") or []
        if conditions and all(slots.get(c["name"]) == c["value"] for c in conditions):
            return candidate
    return next(v for v in variations if not v.get("condition"))


def fill(template: str, values: Dict[str, Any]) -> str:
    def value_of(match: re.Match) -> str:
        if match.group(1) not in values or values[match.group(1)] is None:
            raise KeyError(f"no value for {{{match.group(1)}}} in {template[:40]!r}")
        return str(values[match.group(1)])

    return PLACEHOLDER.sub(value_of, template)


def render(message: Dict[str, Any], slots: Optional[Dict[str, Any]] = None) -> str:
    """One dispatched message (``response`` + values, or plain ``text``) as the customer reads it."""
    if message.get("text"):
        return message["text"]
    slots = slots or {}
    # As Rasa's NLG: slots, then the policy numbers (certpolicy/rasa_nlg.py), then the action's values.
    passed = {k: v for k, v in message.items() if k not in ("response", "buttons", "custom")}
    values = {**{k: v for k, v in slots.items() if v is not None}, **policy_values(), **passed}
    return fill(variation(message["response"], slots).get("text", ""), values)


def step_marker(text: str) -> Optional[str]:
    """The "[n/m] title" marker the widget turns into its header badge, if the message has one."""
    first = text.split("\n", 1)[0].strip()
    return first if STEP_MARKER.match(first) else None


def rendered(messages: List[Dict[str, Any]], slots: Dict[str, Any]) -> List[str]:
    return [render(m, slots) for m in messages if "rejected" not in m]


def turn(chat, messages: List[Dict[str, Any]]) -> List[str]:
    """Everything the bot sends for one customer message: the actions' messages, then (while the
    form runs) the next step's question, which Rasa utters as utter_ask_<requested_slot>."""
    texts = rendered(messages, chat.slots)
    if chat.form_active and chat.asking:
        texts.append(render({"response": f"utter_ask_{chat.asking}"}, chat.slots))
    return texts
