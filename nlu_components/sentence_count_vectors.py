"""Rasa's CountVectorsFeaturizer, writing only the sentence features this pipeline reads.

For every message Rasa's featurizer builds two things: a *sequence* matrix (each token vectorized on its
own: one row per token) and a *sentence* row (the tokens joined with spaces, vectorized once: this is
where the lemma bigrams come from). The only reader here is the flat logistic regression, and it reads
the sentence rows alone (`flat_classifier.sentence_matrix`); no DIET, TED or ResponseSelector reads the
sequences. Building them was about half of the featurizers' work, ~4 % of Rasa's CPU per turn
(docs/performance.md), and the same share of featurizing the training data.

The sentence row is computed by exactly the code Rasa uses (same vectorizer, same joined text, same
sorting and COO format), so the classifier sees the same numbers; `tests/test_sentence_count_vectors.py`
compares the two featurizers on real Kiwi tokens. Vocabulary fitting is Rasa's own (it already fits on
the joined texts) and so is persistence, so a model trained with it loads like any other.
"""
from __future__ import annotations

from typing import List, Optional, Text, Tuple

import scipy.sparse

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    def _create_features(
        self, attribute: Text, all_tokens: List[List[Text]]
    ) -> Tuple[List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]]:
        vectorizer = self.vectorizers.get(attribute) if self.vectorizers else None
        if not vectorizer:
            return [None], [None]
        sequences: List[Optional[scipy.sparse.spmatrix]] = []
        sentences: List[Optional[scipy.sparse.spmatrix]] = []
        for tokens in all_tokens:
            sequences.append(None)  # add_features_to_message skips a None
            if not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentences.append(None)
                continue
            row = vectorizer.transform([" ".join(tokens)])
            row.sort_indices()
            sentences.append(row.tocoo())
        return sequences, sentences
