"""Turns "a certificate question this assistant has no answer for" into the fallback.

A classifier trained only on answerable topics answers everything: "네이버 인증서 발급은 어떻게
해요?" became the issuance FAQ with no hint of doubt. The training data therefore has one more
label, ``no_answer`` (data/nlu/no_answer.yml: other certificates, 공동인증서 operations, hours,
statistics, legal and developer questions …). When it wins, this component predicts
``nlu_fallback`` instead, exactly as FallbackClassifier would, and keeps the answerable labels'
ranking so the fallback can still offer the nearest topics next to 상담원 연결.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NoAnswerGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "no_answer"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.no_answer = config["intent"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "NoAnswerGate":
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = [dict(i) for i in message.get(INTENT_RANKING_KEY) or []]
            intent = message.get(INTENT) or {}
            answerable = [i for i in ranking if i.get(INTENT_NAME_KEY) != self.no_answer]
            if intent.get(INTENT_NAME_KEY) != self.no_answer:
                if len(answerable) != len(ranking):
                    message.set(INTENT_RANKING_KEY, answerable, add_to_output=True)
                continue
            confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: confidence}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(fallback)] + answerable, add_to_output=True)
        return messages
