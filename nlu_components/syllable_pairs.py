"""Syllable pairs: sentence features that survive two syllables typed in the wrong order.

A customer typing fast on a phone swaps neighbouring syllables ("갱신" → "신갱", "인증서" → "인서증").
Kiwi then reads a different word (or none), and every character n-gram across the swap is new, so the
other two featurizers lose most of what the word said. This featurizer counts, within each word the
customer typed (text between spaces), every *unordered* pair of Hangul syllables at most two apart:
"갱신을" gives 갱신 (갱·신), 갱을 (갱·을) and 신을 (신·을), and so does "신갱을". Swapping two neighbours
keeps all pairs inside the word except the two at its edges, so the word keeps most of its features.
Order still reaches the classifier through the lemma and character n-grams beside it.

Measured (eval/experiments.py machinery, development sets only, session 15; docs/nlu-design.md): every
development message with two syllables swapped, right label 94.8 → 96.1 %, confident wrong answers
2.6 → 1.9 %; messages as written unchanged within two messages of 3,293; 5-fold CV 95.4 → 95.6 %.

Rasa's CountVectorsFeaturizer does the counting (vocabulary, persistence, loading) on the pairs as
"tokens", writing sentence features only (`SentenceCountVectorsFeaturizer`) and only for the message
text: no other attribute is read by the flat classifier. A message without two Hangul syllables in a
word (``ok``, ``ㅇㅋ``) gets a row of zeros, so every message has the same feature width.
"""
from __future__ import annotations

from typing import List, Optional, Text, Tuple

import scipy.sparse

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from korean_nlp.hangul import is_syllable
from nlu_components.sentence_count_vectors import SentenceCountVectorsFeaturizer

# Pairs of syllables at most this far apart in a word: 1 would keep only the swapped pair itself;
# 2 keeps the pairs with the neighbours too (x a b y and x b a y share xa, xb, ab, ay, by).
MAX_DISTANCE = 2


def syllable_pairs(text: str) -> List[str]:
    """Each word's unordered pairs of Hangul syllables at most MAX_DISTANCE apart, in text order."""
    pairs: List[str] = []
    for word in text.lower().split():
        for i, first in enumerate(word):
            if not is_syllable(first):
                continue
            for second in word[i + 1:i + 1 + MAX_DISTANCE]:
                if is_syllable(second):
                    pairs.append(first + second if first <= second else second + first)
    return pairs


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SyllablePairsFeaturizer(SentenceCountVectorsFeaturizer):
    @staticmethod
    def get_default_config():
        # Each pair is one "word" of two syllables for the word analyzer; no n-grams of pairs.
        return {**SentenceCountVectorsFeaturizer.get_default_config(), "analyzer": "word",
                "min_ngram": 1, "max_ngram": 1, "use_lemma": False}

    @staticmethod
    def _attributes_for(analyzer: Text) -> List[Text]:
        return [TEXT]

    def _get_message_tokens_by_attribute(self, message: Message, attribute: Text) -> List[Text]:
        text = message.get(TEXT) if attribute == TEXT else None
        return syllable_pairs(text) if isinstance(text, str) else []

    def _create_features(
        self, attribute: Text, all_tokens: List[List[Text]]
    ) -> Tuple[List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]]:
        vectorizer = self.vectorizers.get(attribute) if self.vectorizers else None
        # No vocabulary_: training held no pair at all (no Hangul word of two syllables), so the
        # vectorizer was never fitted and there is nothing to count. No features rather than a crash.
        if not vectorizer or attribute != TEXT or not hasattr(vectorizer, "vocabulary_"):
            return [None] * len(all_tokens), [None] * len(all_tokens)
        sentences: List[Optional[scipy.sparse.spmatrix]] = []
        for tokens in all_tokens:
            row = vectorizer.transform([" ".join(tokens)])  # all zeros when the message has no pair
            row.sort_indices()
            sentences.append(row.tocoo())
        return [None] * len(all_tokens), sentences
