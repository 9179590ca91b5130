"""Sends unsure FAQ choices to the fallback, which FallbackClassifier cannot do (rasa#9723).

FallbackClassifier looks only at intent confidence. A question can be confidently "some
FAQ" while the choice of *which* FAQ is a coin toss; answering then means answering the wrong
question. Run after FallbackClassifier: when the selected FAQ key's own confidence is below
``threshold``, the message goes to ``nlu_fallback`` with its rankings kept, so the fallback can
offer the candidates.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from nlu_components.fallback_gate import FallbackGate


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqConfidenceGate(FallbackGate):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.4}

    def faq_confidence(self, message: Message) -> float:
        selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        response = (selectors.get(self.config["retrieval_intent"]) or {}).get("response") or {}
        return float(response.get(PREDICTED_CONFIDENCE_KEY) or 0.0)

    def fallback_confidence(self, message: Message) -> Optional[float]:
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != self.config["retrieval_intent"]:
            return None
        threshold = float(self.config["threshold"])
        return threshold if self.faq_confidence(message) < threshold else None
