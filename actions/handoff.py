"""Offering a live agent and joining the queue ("상담원 연결").

The action server only decides and says; the queue lives in the web front (agentdesk). On the
customer's yes, `action_handoff_queue` stamps `handoff_requested_at` and sends the widget a
`{"handoff": "queued"}` hint; the widget then asks the web front to queue the conversation, and the
web front pauses it in Rasa (ConversationPaused) only if this stamp is fresh, so a page cannot queue
or silence a conversation the bot did not agree to hand over.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import task_slots as s
from actions.task_controls import reset_task
from agentdesk.hours import agents_available, configured_hours

HANDOFF_REQUESTED_AT = "handoff_requested_at"
QUEUE_PAYLOAD = '/human_handoff{"handoff":"queue"}'


def _say_closed(dispatcher: CollectingDispatcher) -> None:
    hours = configured_hours()
    if hours is None:
        dispatcher.utter_message(response="utter_handoff_phone_only")
    else:
        dispatcher.utter_message(response="utter_handoff_closed", agent_hours=hours.describe())


class ActionOfferHandoff(Action):
    """Asks before queueing (a person asked, or the bot failed twice); outside hours, the phone."""

    def name(self) -> Text:
        return "action_offer_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not agents_available():
            _say_closed(dispatcher)
            return []
        dispatcher.utter_message(response="utter_handoff_offer", buttons=[
            {"title": "상담원 연결하기", "payload": QUEUE_PAYLOAD},
            {"title": "도우미와 계속하기", "payload": "/deny"},
        ])
        return []


class ActionHandoffQueue(Action):
    """The customer said yes: end any task (its secrets leave the vault), stamp the request, tell the widget."""

    def name(self) -> Text:
        return "action_handoff_queue"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not agents_available():
            _say_closed(dispatcher)
            return []
        events: List[Dict[Text, Any]] = []
        if tracker.active_loop_name:
            # An agent takes over from here; a half-done step would otherwise mask what the customer
            # writes to the agent (the redacting store hides answers to a PIN step).
            events += [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(s.TASK, None)]
            events += [SlotSet(name, value) for name, value in reset_task(tracker.slots).items()]
        dispatcher.utter_message(response="utter_handoff_queued")
        return events + [SlotSet(HANDOFF_REQUESTED_AT, time.time())]
