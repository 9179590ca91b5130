"""Rasa's SpacyEntityExtractor without its second spaCy run over most messages.

Rasa's extractor parses each message again with the whole spaCy pipeline (Kiwi's analysis and the entity
ruler: ~0.65 ms a message here, a tenth of the NLU) because SpacyNLP's doc is made from the lowercased
text and a statistical NER model reads case. When lowercasing leaves the text as it is (every Hangul-only
message, ~95 % of the training and development data), SpacyNLP's doc was made from exactly the text Rasa
would parse again, so its entities are Rasa's entities and the second parse is skipped. A message with any
character that lowercases differently (Latin capitals: "PC", "KB", "USB") is parsed again as Rasa does:
Kiwi does not always split "갤탭S로" and "갤탭s로" alike, so the lowercased doc's entities are not
guaranteed to be the ones of the typed text (found in review, session 18).
tests/test_shared_doc_entities.py holds the result to Rasa's extractor.
"""
from __future__ import annotations

from typing import Any, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


def doc_to_reuse(message: Message) -> Optional[Any]:
    """SpacyNLP's doc when it was made from the message's text exactly (lowercasing changed nothing)."""
    text = message.get(TEXT) or ""
    doc = message.get(SPACY_DOCS[TEXT])
    if doc is None or text.lower() != text or doc.text != text:
        return None
    return doc


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False,
                          model_from="SpacyNLP")
class SharedDocEntityExtractor(SpacyEntityExtractor):
    """SpacyEntityExtractor reading SpacyNLP's doc, when it is the same, instead of parsing again."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = doc_to_reuse(message)
            if doc is None:
                doc = model.model(message.get(TEXT) or "")
            found = self._extract_entities(doc)
            extracted = self.filter_irrelevant_entities(self.add_extractor_name(found),
                                                        self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
