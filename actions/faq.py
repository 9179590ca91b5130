"""Answers the FAQ a button names."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.nlu_signals import requested_faq_key
from actions.topics import faq_response


class ActionAnswerFaq(Action):
    """Utters ``utter_faq/<key>`` for a button payload ``/faq{"faq_key": "<key>"}``.

    Typed questions are answered by Rasa's own ``utter_faq``. A payload skips NLU, so the
    ResponseSelector never runs and ``utter_faq`` would have nothing to say (rasa#6370).
    """

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        key = requested_faq_key(tracker.latest_message)
        if key is None:
            dispatcher.utter_message(response="utter_fallback_unclear")
        else:
            dispatcher.utter_message(response=faq_response(key))
        return []
