"""Answers FAQ questions, from free text or from an FAQ button."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.nlu_signals import requested_faq_key, selected_faq
from actions.settings import FAQ_CONFIDENCE_THRESHOLD
from actions.suggestions import offer_suggestions
from actions.topics import faq_response


class ActionAnswerFaq(Action):
    """Utters ``utter_faq/<key>``, or offers candidates when the choice of FAQ is unsure.

    Used instead of Rasa's built-in ``utter_faq`` for two reasons: a button payload cannot
    fill the ResponseSelector (rasa#6370), so buttons name the key as an entity; and the
    FallbackClassifier never sees the ResponseSelector's confidence (rasa#9723).
    """

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        key = requested_faq_key(message)
        if key is None:
            selected = selected_faq(message)
            if selected is not None and selected.confidence >= FAQ_CONFIDENCE_THRESHOLD:
                key = selected.key
        if key is None:
            offer_suggestions(dispatcher, message)
        else:
            dispatcher.utter_message(response=faq_response(key))
        return []
