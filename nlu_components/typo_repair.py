"""Repair one-jamo typos before the tokenizer, and give the customer's own text back at the end.

`TypoRepairer` (before SpacyNLP) learns which syllables the training words put next to which
(korean_nlp/typo_repair.py: the rule, and why it is narrow) and, at prediction time, replaces a syllable
that fits neither neighbour with the one-jamo neighbour the training words hold in that place:
"인증거 갱신" is tokenized, featurized and classified as "인증서 갱신". Training examples are left as
their authors wrote them (the repair is measured that way: docs/nlu-design.md, session 16).

The repair changes only what the NLU reads. Rasa copies the message text into the parse result, and the
custom actions read it from there (a name typed in a form, `from_text` slots), so `TypedTextRestore`,
last in the pipeline, puts the text back exactly as typed. Entities found in the repaired text keep their
offsets, because a repair replaces one syllable with one syllable.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from korean_nlp.typo_repair import MIN_COUNT, TypoRepair

# Where the text as typed waits while the pipeline reads the repaired one. Not an output property, so
# it never reaches the parse result or the tracker store.
TEXT_AS_TYPED = "text_as_typed"
COUNTS_FILE = "syllable_contexts.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TypoRepairer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_count": MIN_COUNT}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 repair: Optional[TypoRepair] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._repair = repair

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TypoRepairer":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) for m in training_data.intent_examples if isinstance(m.get(TEXT), str)]
        self._repair = TypoRepair.from_texts(texts, int(self._config["min_count"]))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / COUNTS_FILE).write_text(json.dumps(self._repair.counts, ensure_ascii=False),
                                                 encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TypoRepairer":
        with model_storage.read_from(resource) as directory:
            counts = json.loads((directory / COUNTS_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, TypoRepair(counts, int(config["min_count"])))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the authors' texts, typos included, are what the classifier learns from

    def process(self, messages: List[Message]) -> List[Message]:
        if self._repair is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue  # a button payload is exact by construction
            repaired = self._repair.repair(text)
            if repaired != text:
                message.set(TEXT_AS_TYPED, text)
                message.set(TEXT, repaired)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TypedTextRestore(GraphComponent):
    """Last in the pipeline: the parse result carries the text the customer typed, not the repair."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TypedTextRestore":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            typed = message.data.pop(TEXT_AS_TYPED, None)
            if typed is not None:
                message.set(TEXT, typed)
        return messages
