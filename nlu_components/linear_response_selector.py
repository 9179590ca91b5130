"""A ResponseSelector built on logistic regression over the pipeline's sparse features.

Rasa's ResponseSelector is a DIET-style neural model; with ~30 examples per FAQ key it
overfits and was the weakest link in cross-validation (see docs/nlu-eval-report.md). This
component selects the FAQ sub-intent with a class-balanced logistic regression instead, and
writes its prediction in exactly the shape ResponseSelector does, so ``utter_faq``, rules,
``rasa test`` and the FAQ confidence gate work unchanged.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from scipy.sparse import csr_matrix

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularization strength of the logistic regression (sklearn's default 1.0).
        return {**LogisticRegressionClassifier.get_default_config(),
                "retrieval_intent": "faq", "max_iter": 500, "C": 1.0}

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.clf.C = float(self.config["C"])

    def _create_training_matrix(self, training_data: TrainingData) -> Tuple[csr_matrix, List[str]]:
        retrieval_intent = self.config["retrieval_intent"]
        examples = [
            e for e in training_data.intent_examples
            if e.get(INTENT) == retrieval_intent and e.get(INTENT_RESPONSE_KEY) and e.get("text")
        ]
        return self._create_X(examples), [e.get(INTENT_RESPONSE_KEY) for e in examples]

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages or not hasattr(self.clf, "classes_"):
            return messages
        retrieval_intent = self.config["retrieval_intent"]
        probabilities = self.clf.predict_proba(self._create_X(messages))
        for message, row in zip(messages, probabilities):
            ranking = sorted(
                ({INTENT_RESPONSE_KEY: key, PREDICTED_CONFIDENCE_KEY: float(p)}
                 for key, p in zip(self.clf.classes_, row)),
                key=lambda item: -item[PREDICTED_CONFIDENCE_KEY],
            )[: max(1, self.config["ranking_length"])]
            best = ranking[0]
            key = best[INTENT_RESPONSE_KEY]
            selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            selectors.setdefault(RESPONSE_SELECTOR_RETRIEVAL_INTENTS, [])
            if retrieval_intent not in selectors[RESPONSE_SELECTOR_RETRIEVAL_INTENTS]:
                selectors[RESPONSE_SELECTOR_RETRIEVAL_INTENTS].append(retrieval_intent)
            selectors[retrieval_intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: [],
                    PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{key}",
                },
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
        return messages
