"""One logistic regression over every label: task and chat intents and each FAQ key.

The two-stage set-up (an intent classifier that says "faq", then a selector that picks the key)
decides "faq or the change_pin task?" without ever seeing that the FAQ side is *password_change*:
the FAQ examples of 40 topics blur into one class. Here every FAQ key competes directly with
every intent, and the result is written in both shapes Rasa expects:

- ``intent`` / ``intent_ranking``: the FAQ keys' probabilities summed into ``faq``;
- ``response_selector.faq``: the keys' probabilities *given* FAQ (renormalized), exactly as
  ResponseSelector writes them, so ``utter_faq``, rules, ``rasa test``, FallbackClassifier and
  the FAQ confidence gate work unchanged.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    TEXT,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.multinomial_fit import fit_logistic_regression


def _keep_coefficients_column_major(clf: Any) -> None:
    """sklearn scores ``X @ coef_.T``; with coef_ row-major that transpose is not contiguous and
    scipy copies the whole (features × labels) matrix for every message — 3 ms of each turn,
    7 % of Rasa's CPU under load (docs/performance.md). Column-major coef_ gives the same numbers."""
    coef = getattr(clf, "coef_", None)
    if coef is not None and not coef.T.flags.c_contiguous:
        clf.coef_ = np.asfortranarray(coef)


def sentence_matrix(messages: List[Message]) -> Optional[csr_matrix]:
    """The sparse *sentence* features of each message side by side, in the featurizers' order: the
    matrix LogisticRegressionClassifier._create_X builds, without its detour through
    ``Message.get_sparse_features``, which also deep-copies and joins the per-token sequence
    features nobody here reads (4 % of Rasa's CPU per turn under load, docs/performance.md).
    None when a message has dense features (not in this pipeline): then Rasa's way is used.

    The rows go straight into one CSR matrix, each featurizer's columns shifted by the widths of the
    ones before it: scipy's hstack and vstack went through COO and back for every message, 3.6 % of
    Rasa's CPU per turn (docs/performance.md, session 11)."""
    data: List[np.ndarray] = []
    columns: List[np.ndarray] = []
    row_ends = [0]
    stored = 0
    width: Optional[int] = None
    for message in messages:
        if any(f.attribute == TEXT and not f.is_sparse() for f in message.features):
            return None
        offset = 0
        for feature in message.features:
            if feature.attribute != TEXT or feature.type != FEATURE_TYPE_SENTENCE or not feature.is_sparse():
                continue
            row = feature.features.tocoo()
            if row.shape[0] != 1:  # a sentence feature is one row; anything else goes Rasa's way
                return None
            data.append(row.data)
            columns.append(row.col.astype(np.int64) + offset)
            stored += row.nnz
            offset += row.shape[1]
        if width is not None and offset != width:
            raise ValueError(f"sentence features of different widths ({width} and {offset})")
        width = offset
        row_ends.append(stored)
    if not data:  # no message has a feature
        return csr_matrix((len(messages), width or 0))
    matrix = csr_matrix((np.concatenate(data), np.concatenate(columns), np.asarray(row_ends, dtype=np.int64)),
                        shape=(len(messages), width))
    matrix.sum_duplicates()  # canonical form (sorted, summed), as hstack/vstack returned it
    return matrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FlatIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularization strength of the logistic regression (sklearn's default 1.0).
        # scale: "counts" uses the featurizers' raw counts; "log_l2" takes log(1 + count) and scales
        # every message to unit length, so a long rambling message weighs as much as a short one
        # and a word repeated five times does not count five times.
        # optimizer: "threaded_lbfgs" fits sklearn's objective to the same optimum in less than half the
        # time (nlu_components/multinomial_fit.py); "sklearn" is sklearn's own L-BFGS-B, kept to compare.
        # threads: the fit's sparse products split over this many threads (2 cores here).
        return {**LogisticRegressionClassifier.get_default_config(),
                "retrieval_intent": "faq", "max_iter": 500, "C": 1.0, "ranking_length": 10,
                "scale": "counts", "optimizer": "threaded_lbfgs", "threads": 2}

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.clf.C = float(self.config["C"])

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        X = sentence_matrix(messages)
        if X is None:  # dense features too: Rasa's own way joins them
            X = super()._create_X(messages)
        if self.config["scale"] == "log_l2":
            X = csr_matrix(X, dtype=float)
            X.data = np.log1p(np.abs(X.data))
            X = normalize(X)
        return X

    def _label(self, example: Message) -> str:
        if example.get(INTENT) == self.config["retrieval_intent"] and example.get(INTENT_RESPONSE_KEY):
            return example.get(INTENT_RESPONSE_KEY)
        return example.get(INTENT)

    def _create_training_matrix(self, training_data: TrainingData) -> Tuple[csr_matrix, List[str]]:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get("text")]
        return self._create_X(examples), [self._label(e) for e in examples]

    def train(self, training_data: TrainingData) -> Resource:
        if self.config["optimizer"] == "sklearn":
            return super().train(training_data)
        if self.config["optimizer"] != "threaded_lbfgs":
            raise ValueError(f"unknown optimizer {self.config['optimizer']!r} (threaded_lbfgs or sklearn)")
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0 or len(set(y)) < 3:  # nothing to fit, or sklearn's binary problem: Rasa's way
            return super().train(training_data)
        fit_logistic_regression(self.clf, X, y, threads=self.config["threads"])
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages or not hasattr(self.clf, "classes_"):
            return messages
        retrieval_intent = self.config["retrieval_intent"]
        prefix = f"{retrieval_intent}/"
        _keep_coefficients_column_major(self.clf)
        classes = list(self.clf.classes_)
        faq_columns = [i for i, c in enumerate(classes) if c.startswith(prefix)]
        other_columns = [i for i, c in enumerate(classes) if not c.startswith(prefix)]
        probabilities = self.clf.predict_proba(self._create_X(messages))
        limit = max(1, self.config["ranking_length"])
        for message, row in zip(messages, probabilities):
            faq_total = float(np.sum(row[faq_columns])) if faq_columns else 0.0
            intents = [{INTENT_NAME_KEY: classes[i], PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in other_columns]
            if faq_columns:
                intents.append({INTENT_NAME_KEY: retrieval_intent, PREDICTED_CONFIDENCE_KEY: faq_total})
            intents.sort(key=lambda item: -item[PREDICTED_CONFIDENCE_KEY])
            message.set(INTENT, intents[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, intents[:limit], add_to_output=True)
            if not faq_columns:
                continue
            ranking = sorted(
                ({INTENT_RESPONSE_KEY: classes[i],
                  PREDICTED_CONFIDENCE_KEY: float(row[i]) / faq_total if faq_total else 0.0}
                 for i in faq_columns),
                key=lambda item: -item[PREDICTED_CONFIDENCE_KEY],
            )[:limit]
            best = ranking[0]
            selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            selectors.setdefault(RESPONSE_SELECTOR_RETRIEVAL_INTENTS, [])
            if retrieval_intent not in selectors[RESPONSE_SELECTOR_RETRIEVAL_INTENTS]:
                selectors[RESPONSE_SELECTOR_RETRIEVAL_INTENTS].append(retrieval_intent)
            selectors[retrieval_intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: [],
                    PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: best[INTENT_RESPONSE_KEY],
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{best[INTENT_RESPONSE_KEY]}",
                },
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
        return messages
