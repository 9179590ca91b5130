"""Sends keyboard mash to the fallback instead of letting a classifier guess.

A linear classifier always picks some label: "ㅁㄴㅇㄹ", "asdfgh" or "뷁뷁" share no word with
any training example, yet the char n-grams of the one or two jamo they contain were enough to
answer them as `affirm` or an FAQ. A message is mash when none of its word tokens (their
normalized lemma or their surface form) occurs in the training vocabulary. Then this component
predicts ``nlu_fallback`` with an empty ranking, so the assistant asks to rephrase
(``utter_fallback_unclear``: topic buttons + 상담원 연결) instead of offering guessed topics.

It learns only the vocabulary (the Kiwi tokens of the training data); it runs after the
classifiers and the FAQ confidence gate.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from korean_nlp import hangul
from nlu_components.fallback_gate import send_to_fallback

VOCABULARY_FILE = "vocabulary.json"
# A word token: at least one Hangul syllable or jamo (ㅇㅇ, ㄴㄴ) or Latin letter. Digits, punctuation and emoticons
# alone carry no topic, so a message of only those is mash too ("?????", "123123", ";;;;").
_WORDLIKE = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣA-Za-z]")
# Repeated single letters are mash even when the letter is known ("ㅋㅋㅋㅋㅋ", "jjjjjj", "아ㅏㅏㅏ").
_REPEAT = re.compile(r"^(.)\1{3,}$")


def word_forms(message: Message) -> List[Set[str]]:
    """For each word-like token: the forms that can match the vocabulary (surface, lemma)."""
    forms = []
    for token in message.get(TOKENS_NAMES[TEXT]) or []:
        text = (token.text or "").lower()
        if not _WORDLIKE.search(text):
            continue
        lemma = (token.lemma or text).lower()
        forms.append({text, lemma})
    return forms


_SYLLABLES = re.compile(r"^[가-힣]+$")
_FINAL_NG = hangul.FINALS.index("ㅇ")  # the final ㅇ: 요 → 용, 네 → 넹, 다 → 당 in playful endings
_INITIAL_NG = hangul.INITIALS.index("ㅇ")  # the silent initial ㅇ of a syllable that is only a vowel


def _is_stretch(syllable: str) -> bool:
    """A vowel alone (initial ㅇ, no final consonant: 아, 에, 오, 요, 이 …): what stretching a word adds."""
    initial, _, final = hangul.decompose(syllable)
    return initial == _INITIAL_NG and final == 0


def informal_variants(form: str) -> Set[str]:
    """The everyday forms a playful or stretched word stands for, so it can be recognised:
    a final ㅇ added to the last syllable (고마워용 → 고마워요, 넹 → 네), a stretched last syllable
    (네에 → 네, 고마워요오 → 고마워요), a word said twice (놉놉 → 놉, 넵넵 → 넵). Whole Hangul syllables only:
    jamo and Latin mash (ㅁㄴㅇㄹ, asdf) get no variants."""
    if not _SYLLABLES.match(form):
        return set()
    variants = set()
    initial, medial, final = hangul.decompose(form[-1])
    if final == _FINAL_NG:
        variants.add(form[:-1] + hangul.compose(initial, medial))
    if len(form) >= 2 and _is_stretch(form[-1]):
        variants.add(form[:-1])
    half = len(form) // 2
    if len(form) % 2 == 0 and form[:half] * 2 == form:
        variants.add(form[:half])
    return variants - {""}


def _known(forms: Set[str], vocabulary: Set[str]) -> bool:
    if any(_REPEAT.match(form) for form in forms):
        return False
    return bool(forms & vocabulary) or any(informal_variants(form) & vocabulary for form in forms)


def is_mash(forms: List[Set[str]], vocabulary: Set[str]) -> bool:
    return not any(_known(f, vocabulary) for f in forms)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class GibberishGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Iterable[str]] = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary: Set[str] = set(vocabulary or ())

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "GibberishGate":
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary: Set[str] = set()
        for example in training_data.training_examples:
            for forms in word_forms(example):
                vocabulary |= {f for f in forms if not _REPEAT.match(f)}
        self.vocabulary = vocabulary
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(vocabulary), ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "GibberishGate":
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            words = []
        return cls(model_storage, resource, words)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.vocabulary:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button payload, never mash
                continue
            if not is_mash(word_forms(message), self.vocabulary):
                continue
            # No ranking: topics guessed from a jamo's character n-grams would only mislead.
            send_to_fallback(message, 1.0, keep_ranking=False)
        return messages
