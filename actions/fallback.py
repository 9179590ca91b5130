"""The first stage of the fallback: low NLU confidence gets likely topics as buttons."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.suggestions import offer_suggestions


class ActionSuggestTopics(Action):
    """Offers the top 2–3 candidate topics plus 상담원 연결 instead of guessing."""

    def name(self) -> Text:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        offer_suggestions(dispatcher, tracker.latest_message)
        return []
