"""Walking one stored conversation for the insights: which user messages count, what was predicted,
which task ran and how far it got. Pure functions over serialized Rasa events."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from agentdesk.privacy import mask_personal
from agentdesk.transcript import DESK_KEY
from redaction.rules import redact_events

STEP_MARK = re.compile(r"^\[(\d+)/(\d+)\]\s*([^\n]+)")
SUCCESS = {"renewed", "issued", "revoked"}
CORRECTION = re.compile(r"그게\s*아니|그거\s*말고|아니\s*그거|그런\s*뜻이\s*아니|잘못\s*알아")


@dataclass
class UserMessage:
    key: str  # "<conversation>:<timestamp>": stable id of the message for the review inbox
    conversation: str
    text: str  # masked
    ts: float
    intent: Optional[str]
    label: Optional[str]  # predicted label: intent, or faq/<key>; for nlu_fallback the best real guess
    payload: bool
    in_step: bool  # typed while the form asked a step (names, dates, codes: never reviewed)
    with_agent: bool  # typed while an agent held the conversation


@dataclass
class TaskRun:
    task: str
    started: float
    steps: Dict[int, str] = field(default_factory=dict)  # step number → title reached
    total_steps: int = 0
    outcome: Optional[str] = None
    user_turns: int = 0


@dataclass
class Walk:
    conversation: str
    first_ts: float = 0.0
    messages: List[UserMessage] = field(default_factory=list)
    tasks: List[TaskRun] = field(default_factory=list)
    handoff_offered: bool = False
    handoff_queued: bool = False
    suggestions_after: Dict[str, str] = field(default_factory=dict)  # message key → clicked label


def _faq_key(parse: Dict[str, Any]) -> Optional[str]:
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "faq_key":
            return f"faq/{entity.get('value')}"
    response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = response.get("intent_response_key")
    return key if key else None


def predicted_label(parse: Dict[str, Any]) -> Optional[str]:
    intent = (parse.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        intent = ranking[0]["name"] if ranking else None
    if intent == "faq":
        return _faq_key(parse) or "faq"
    return intent


def payload_label(text: str) -> Optional[str]:
    match = re.match(r"^/([A-Za-z_]+)(\{.*\})?$", text.strip(), re.S)
    if not match:
        return None
    try:
        values = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        values = {}
    if match.group(1) == "faq" and isinstance(values, dict) and values.get("faq_key"):
        return f"faq/{values['faq_key']}"
    return match.group(1)


def walk(conversation: str, events: List[Dict[str, Any]]) -> Walk:
    events = redact_events(events)
    names = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "customer_name"
             and isinstance(e.get("value"), str)]
    result = Walk(conversation)
    requested, paused, task_run, last_action = None, False, None, None
    last_text_message: Optional[UserMessage] = None
    for event in events:
        kind, ts = event.get("event"), float(event.get("timestamp") or 0)
        if kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == "requested_slot":
                requested = value
            elif name == "task":
                if value and (task_run is None or task_run.task != value or task_run.outcome):
                    task_run = TaskRun(task=value, started=ts)
                    result.tasks.append(task_run)
                elif not value:
                    task_run = None
            elif name == "task_outcome" and value and task_run is not None and not task_run.outcome:
                task_run.outcome = value
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        elif kind == "pause":
            paused, result.handoff_queued = True, True
        elif kind == "resume":
            paused = False
        elif kind == "action":
            if event.get("name") != "action_listen":  # the action that answered the last message
                last_action = event.get("name")
            if last_action == "action_offer_handoff":
                result.handoff_offered = True
        elif kind == "bot" and task_run is not None and not (event.get("metadata") or {}).get(DESK_KEY):
            mark = STEP_MARK.match(event.get("text") or "")
            if mark:
                task_run.steps[int(mark.group(1))] = mark.group(3).strip()
                task_run.total_steps = max(task_run.total_steps, int(mark.group(2)))
        elif kind == "user":
            result.first_ts = result.first_ts or ts
            raw = event.get("text") or ""
            parse = event.get("parse_data") or {}
            label = payload_label(raw)
            in_step = bool(requested)  # any form step: names, dates, codes, yes/no answers
            message = UserMessage(
                key=f"{conversation}:{ts:.6f}", conversation=conversation,
                text=label or mask_personal(raw, names), ts=ts, intent=(parse.get("intent") or {}).get("name"),
                label=label or predicted_label(parse), payload=bool(label), in_step=in_step, with_agent=paused)
            if label and last_action == "action_suggest_topics" and last_text_message is not None:
                result.suggestions_after[last_text_message.key] = label
            result.messages.append(message)
            if task_run is not None and not paused:
                task_run.user_turns += 1
            if not label and not in_step and not paused:
                last_text_message = message
    return result


def corrected_keys(walked: Walk) -> List[str]:
    """Messages the customer corrected right after ("그게 아니라 ..."): the earlier one was misread."""
    keys = []
    texts = [m for m in walked.messages if not m.payload and not m.with_agent]
    for before, after in zip(texts, texts[1:]):
        if CORRECTION.search(after.text) and not before.in_step:
            keys.append(before.key)
    return keys
