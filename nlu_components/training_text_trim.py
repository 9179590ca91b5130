"""Training messages keep only the text the pipeline learns from: the customer's words.

Rasa copies each FAQ answer (the `utter_faq/<key>` response) into every training example of that key, as
the `response` attribute a ResponseSelector would learn from. This pipeline has no ResponseSelector (the
flat classifier learns the FAQ key from the label), so every training run tokenised ~6,000 long answers with
Kiwi and built count features for them, then threw them away: more than half of a training run
(docs/performance.md). This component, first in the pipeline, drops those texts from the training messages;
nothing later reads them (the classifier uses the intent and its response key; answers come from the
domain at run time). Messages at prediction time pass through untouched.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ACTION_TEXT, RESPONSE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

UNUSED_TRAINING_TEXTS = (RESPONSE, ACTION_TEXT)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TrainingTextTrim(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TrainingTextTrim":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            for attribute in UNUSED_TRAINING_TEXTS:
                example.data.pop(attribute, None)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
