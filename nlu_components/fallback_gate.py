"""The shared shape of the gates that turn an NLU result into ``nlu_fallback``.

FallbackClassifier decides only on the intent's confidence. Our gates decide on other evidence
(the FAQ key's confidence, the ``no_answer`` label, how far the message is from anything the
training data says) but must leave the message exactly as FallbackClassifier would: intent
``nlu_fallback``, and the answerable labels still ranked behind it, so ``action_suggest_topics``
can offer the nearest topics next to 상담원 연결. A subclass says only *whether* and *how
confidently*; this base class does the rest.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message


def send_to_fallback(message: Message, confidence: float, keep_ranking: bool = True) -> None:
    """Predict ``nlu_fallback``; keep the previous ranking behind it unless ``keep_ranking`` is off."""
    fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: float(confidence)}
    ranking = [dict(i) for i in message.get(INTENT_RANKING_KEY) or []
               if i.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME] if keep_ranking else []
    message.set(INTENT, fallback, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(fallback)] + ranking, add_to_output=True)


def is_fallback(message: Message) -> bool:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == DEFAULT_NLU_FALLBACK_INTENT_NAME


class FallbackGate(GraphComponent, IntentClassifier):
    """An untrained gate: ``fallback_confidence`` returns None (answer) or the fallback's confidence."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FallbackGate":
        return cls(config)

    def fallback_confidence(self, message: Message) -> Optional[float]:
        raise NotImplementedError

    def tidy(self, message: Message) -> None:
        """Runs on every message after the decision (e.g. to drop a label the dialogue never sees)."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            # An earlier gate or FallbackClassifier may have decided already; its decision stands.
            if not is_fallback(message):
                confidence = self.fallback_confidence(message)
                if confidence is not None:
                    send_to_fallback(message, confidence)
            self.tidy(message)
        return messages
