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
from scipy.sparse import csr_matrix, hstack
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
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
from nlu_components.sentence_embeddings import DEFAULT_MAX_CHARS as EMBEDDED_CHARS
from nlu_components.sentence_embeddings import Encoder, embedding_input, worth_embedding

DENSE_MEAN_FILE = "dense_mean.npy"
COUNTS_ONLY_FILE = "counts_only.skops"


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
    Dense sentence features (sentence embeddings) are not read here: ``dense_sentence_matrix`` reads them.

    The rows go straight into one CSR matrix, each featurizer's columns shifted by the widths of the
    ones before it: scipy's hstack and vstack went through COO and back for every message, 3.6 % of
    Rasa's CPU per turn (docs/performance.md, session 11)."""
    data: List[np.ndarray] = []
    columns: List[np.ndarray] = []
    row_ends = [0]
    stored = 0
    width: Optional[int] = None
    for message in messages:
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


def dense_sentence_matrix(messages: List[Message]) -> Optional[np.ndarray]:
    """The dense *sentence* features of each message (SentenceEmbeddingFeaturizer's embedding), side by
    side in the featurizers' order; None when no message has one. A message the featurizer skipped (a
    button payload) gets a row of NaN: the classifier reads it as "no embedding", not as a vector."""
    rows = []
    for message in messages:
        parts = [np.asarray(f.features, dtype=float).reshape(-1) for f in message.features
                 if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and not f.is_sparse()]
        rows.append(np.concatenate(parts) if parts else None)
    if all(row is None for row in rows):
        return None
    width = max(len(row) for row in rows if row is not None)
    return np.vstack([row if row is not None else np.full(width, np.nan) for row in rows])


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
        # dense_weight: the length of the dense sentence features (sentence embeddings) beside the counts'
        # unit length, after centring them on the training examples' mean (the encoder's vectors share a
        # large common part: cosine 0.8-0.95 between unrelated questions) and scaling each to unit length.
        # embed_below: with sentence embeddings, a second model over the counts alone answers every message
        # it is at least this sure of, and only the others are embedded and given to the joint model (the
        # encoder costs ~20 ms of CPU; on the development sets the counts alone are >= 0.9 sure of 83 % of
        # messages, and the cascade's figures equal embedding everything). None: embed every message.
        return {**LogisticRegressionClassifier.get_default_config(),
                "retrieval_intent": "faq", "max_iter": 500, "C": 1.0, "ranking_length": 10,
                "scale": "counts", "optimizer": "threaded_lbfgs", "threads": 2, "dense_weight": 1.0,
                "embed_below": None}

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.clf.C = float(self.config["C"])
        # The training examples' mean embedding: set by train, persisted beside the classifier.
        self.dense_mean: Optional[np.ndarray] = None
        # The counts-only model of the cascade (embed_below), persisted beside the joint one.
        self.counts_only: Optional[LogisticRegression] = None
        self._encoder: Optional[Encoder] = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder.shared()
        return self._encoder

    def _counts(self, messages: List[Message]) -> Optional[csr_matrix]:
        """The count featurizers' sentence rows, scaled (None: Rasa's own way is needed)."""
        X = sentence_matrix(messages)
        if X is not None and self.config["scale"] == "log_l2" and X.shape[1]:
            X = csr_matrix(X, dtype=float)
            X.data = np.log1p(np.abs(X.data))
            X = normalize(X)
        return X

    def _join(self, X: csr_matrix, dense: Optional[np.ndarray]) -> csr_matrix:
        """The counts with the embedding block appended: centred, unit length, times dense_weight. A row
        without an embedding (NaN, or no dense features at all) sits at the centre: zeros, no say."""
        width = len(self.dense_mean)
        if dense is None:
            dense = np.full((X.shape[0], width), np.nan)
        if dense.shape[1] != width:
            raise ValueError(f"dense sentence features of width {dense.shape[1]}, trained on {width}")
        dense = np.where(np.isnan(dense).any(axis=1, keepdims=True), self.dense_mean, dense)
        centred = normalize(dense - self.dense_mean) * float(self.config["dense_weight"])
        return csr_matrix(hstack([X, csr_matrix(centred)]))

    def _create_X(self, messages: List[Message], training: bool = False) -> csr_matrix:
        X = self._counts(messages)
        if X is None:  # a sentence feature of several rows: Rasa's own way joins them
            return super()._create_X(messages)
        dense = dense_sentence_matrix(messages)
        if training:  # the examples being fitted define the centre
            self.dense_mean = None if dense is None else np.nanmean(dense, axis=0)
        if self.dense_mean is None:
            if dense is not None:
                raise ValueError("dense sentence features, but this classifier was trained without them")
            return X
        return self._join(X, dense)

    def _predict(self, messages: List[Message]) -> np.ndarray:
        """Probabilities per message. With the cascade: the counts-only model's where it is sure (or the
        message is a button payload), else the joint model's on the message's embedding, computed here
        unless a featurizer already attached one."""
        if getattr(self, "counts_only", None) is None or self.dense_mean is None:
            return self.clf.predict_proba(self._create_X(messages))
        X = self._counts(messages)
        _keep_coefficients_column_major(self.counts_only)
        probabilities = self.counts_only.predict_proba(X)
        threshold = float(self.config["embed_below"])
        unsure = [i for i, row in enumerate(probabilities)
                  if row.max() < threshold and worth_embedding(messages[i].get(TEXT))]
        if not unsure:
            return probabilities
        attached = dense_sentence_matrix([messages[i] for i in unsure])
        if attached is None or np.isnan(attached).any():
            texts = [embedding_input(messages[i].get(TEXT), EMBEDDED_CHARS) for i in unsure]
            attached = self.encoder.embed(texts).astype(float)
        probabilities[unsure] = self.clf.predict_proba(self._join(X[unsure], attached))
        return probabilities

    def _label(self, example: Message) -> str:
        if example.get(INTENT) == self.config["retrieval_intent"] and example.get(INTENT_RESPONSE_KEY):
            return example.get(INTENT_RESPONSE_KEY)
        return example.get(INTENT)

    def _create_training_matrix(self, training_data: TrainingData) -> Tuple[csr_matrix, List[str]]:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get("text")]
        return self._create_X(examples, training=True), [self._label(e) for e in examples]

    def train(self, training_data: TrainingData) -> Resource:
        if self.config["optimizer"] == "sklearn":
            return super().train(training_data)
        if self.config["optimizer"] != "threaded_lbfgs":
            raise ValueError(f"unknown optimizer {self.config['optimizer']!r} (threaded_lbfgs or sklearn)")
        X, y = self._create_training_matrix(training_data)  # sets dense_mean (None without embeddings)
        if X.shape[0] == 0 or len(set(y)) < 3:  # nothing to fit, or sklearn's binary problem: Rasa's way
            return super().train(training_data)
        dense_columns = 0 if self.dense_mean is None else len(self.dense_mean)  # the embedding's, last
        fit_logistic_regression(self.clf, X, y, threads=self.config["threads"], dense_columns=dense_columns)
        self.counts_only = None
        if dense_columns and self.config["embed_below"] is not None and X.shape[1] > dense_columns:
            self.counts_only = fit_logistic_regression(clone(self.clf), X[:, :X.shape[1] - dense_columns], y,
                                                       threads=self.config["threads"])
            if list(self.counts_only.classes_) != list(self.clf.classes_):
                raise ValueError("the counts-only model learnt other labels than the joint model")
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        super().persist()
        with self._model_storage.write_to(self._resource) as model_dir:
            if self.dense_mean is not None:
                np.save(model_dir / DENSE_MEAN_FILE, self.dense_mean, allow_pickle=False)
            if self.counts_only is not None:
                sio.dump(self.counts_only, model_dir / COUNTS_ONLY_FILE)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FlatIntentClassifier":
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / DENSE_MEAN_FILE
                if path.exists():
                    component.dense_mean = np.load(path, allow_pickle=False)
                counts_only = model_dir / COUNTS_ONLY_FILE
                if counts_only.exists():
                    untrusted = sio.get_untrusted_types(file=counts_only)
                    if untrusted:  # as Rasa's own load: only the types skops trusts by default
                        raise ValueError(f"untrusted types in {COUNTS_ONLY_FILE}: {untrusted}")
                    component.counts_only = sio.load(counts_only, trusted=untrusted)
                    component._encoder = Encoder.shared()  # loaded now: a broken install fails at start
        except ValueError as error:  # no resource: an untrained component, as Rasa's own load returns
            if "untrusted" in str(error):
                raise
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        if not messages or not hasattr(self.clf, "classes_"):
            return messages
        retrieval_intent = self.config["retrieval_intent"]
        prefix = f"{retrieval_intent}/"
        _keep_coefficients_column_major(self.clf)
        classes = list(self.clf.classes_)
        faq_columns = [i for i, c in enumerate(classes) if c.startswith(prefix)]
        other_columns = [i for i, c in enumerate(classes) if not c.startswith(prefix)]
        probabilities = self._predict(messages)
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
