"""Drives the task actions the way Rasa does, without Rasa: a conversation in slots and events.

Rasa runs task_form, which calls validate_task_form with a tracker whose last events are the
user's message, the requested slot and the form's own ActionExecuted; on a task request they
also hold the form's ActiveLoop event (that first call starts the task). This harness builds
exactly those trackers, applies the returned SlotSets, and records what the bot said (response
names and their values).
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.task_actions import ActionRequestCancel, ActionRequestSwitch
from actions.secret_vault import bound_to
from actions.task_form import ValidateTaskForm
from launcher.processes import ROOT

SLOT_NAMES = list(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["slots"]) + ["requested_slot"]


class Conversation:
    def __init__(self, client, sender: str = "tester") -> None:
        self.client = client
        self.sender = sender
        self.slots: Dict[str, Any] = {name: None for name in SLOT_NAMES}
        self.events: List[Dict[str, Any]] = []
        self.said: List[Dict[str, Any]] = []  # every bot message, in order
        self.form_active = False
        self.last_rejected = False

    # --- what Rasa would do -------------------------------------------------------------
    def _tracker(self, text: str, intent: str) -> Tracker:
        message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
        return Tracker(self.sender, dict(self.slots), message, list(self.events), False, None,
                       {"name": "task_form"} if self.form_active else {}, self.events[-1]["name"]
                       if self.events and self.events[-1].get("event") == "action" else None)

    def _apply(self, events: List[Dict[str, Any]]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            self.events.append(event)

    def _run(self, action, text: str, intent: str) -> List[Dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        with bound_to(self.sender):  # as the action server does for every call (actionserver/app.py)
            events = asyncio.run(action.run(dispatcher, self._tracker(text, intent), {}))
        self.said.extend(dispatcher.messages)
        return events

    def _form(self, text: str, intent: str) -> List[Dict[str, Any]]:
        if not self.form_active:  # Rasa activates the loop before it calls the validation
            self.events.append({"event": "active_loop", "name": "task_form"})
            self.form_active = True
        self.events += [{"event": "slot", "name": "requested_slot", "value": self.slots["requested_slot"]},
                        {"event": "action", "name": "task_form"}]
        events = self._run(ValidateTaskForm(self.client), text, intent)
        self._apply(events)
        self.form_active = self.slots["requested_slot"] is not None
        return events

    def _user(self, text: str, intent: str) -> None:
        self.events.append({"event": "action", "name": "action_listen"})
        self.events.append({"event": "user", "text": text,
                            "parse_data": {"intent": {"name": intent}, "text": text}})

    # --- what a customer does ------------------------------------------------------------
    def start(self, task: str, text: str = "...") -> List[Dict[str, Any]]:
        """A task request with no task running (mid-task, a request is an interruption: ``say``)."""
        assert not self.form_active, "a task is running: the rules would ask to switch (use say())"
        mark = len(self.said)
        self._user(text, task)
        self._form(text, task)
        return self.said[mark:]

    def say(self, text: str, intent: str = "nlu_fallback") -> List[Dict[str, Any]]:
        """A message while the form is active; an interruption is handled like the rules do."""
        mark = len(self.said)
        self._user(text, intent)
        events = self._form(text, intent)
        self.last_rejected = [e["name"] for e in events if e.get("event") == "slot"] == ["requested_slot"]
        if self.last_rejected:
            self.said.append({"rejected": intent})
            if intent == "cancel":
                self._apply(self._run(ActionRequestCancel(), text, intent))
            elif intent.endswith("_certificate") or intent == "change_pin":
                self._apply(self._run(ActionRequestSwitch(), text, intent))
            self.events.append({"event": "action", "name": "after_interruption"})
            self._form(text, intent)  # the rule runs the form again: it asks the next step
        return self.said[mark:]

    # --- reading what happened -----------------------------------------------------------
    @property
    def asking(self) -> Optional[str]:
        return self.slots["requested_slot"]

    @staticmethod
    def responses(messages: List[Dict[str, Any]]) -> List[str]:
        return [m.get("response") or m.get("text") or str(m) for m in messages]
