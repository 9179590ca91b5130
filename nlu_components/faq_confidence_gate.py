"""Sends unsure FAQ choices to the fallback, which FallbackClassifier cannot do (rasa#9723).

FallbackClassifier looks only at intent confidence. A question can be confidently "some
FAQ" while the ResponseSelector's choice of *which* FAQ is a coin toss; answering then means
answering the wrong question. This component runs after FallbackClassifier and, when the
selected FAQ's own confidence is below ``threshold``, predicts ``nlu_fallback`` exactly as
FallbackClassifier would, keeping the rankings so the fallback can offer the candidates.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqConfidenceGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.4}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.retrieval_intent = config["retrieval_intent"]
        self.threshold = float(config["threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqConfidenceGate":
        return cls({**cls.get_default_config(), **config})

    def faq_confidence(self, message: Message) -> float:
        selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        response = (selectors.get(self.retrieval_intent) or {}).get("response") or {}
        return float(response.get(PREDICTED_CONFIDENCE_KEY) or 0.0)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != self.retrieval_intent:
                continue
            if self.faq_confidence(message) >= self.threshold:
                continue
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                        PREDICTED_CONFIDENCE_KEY: self.threshold}
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))
        return messages
