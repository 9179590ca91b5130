"""Rasa's SpacyEntityExtractor without its second spaCy run over every message.

Rasa's extractor parses each message again with the whole spaCy pipeline (Kiwi's analysis and the entity
ruler: ~0.65 ms a message here, a tenth of the NLU) because SpacyNLP's doc is lowercased and a
statistical NER model reads case. Ours is an entity ruler whose patterns all match on ``LOWER``
(korean_nlp/build_pipeline.py), so SpacyNLP's lowercased doc already holds the same entities; only their
surface text is lowercased. This extractor takes the entities from that doc and their values from the
message's own text at the same offsets, which is what Rasa's extractor reports.

The offsets carry over only when lowercasing kept every character in place (``len(text.lower()) ==
len(text)``: a few letters such as "İ" grow) and the doc spells out exactly the lowercased text. Any
message for which either does not hold is parsed a second time, as Rasa does.
tests/test_shared_doc_entities.py holds the result to Rasa's extractor on every training and development
message.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


def entities_from_lowercased_doc(doc, text: Text) -> Optional[List[Dict[Text, Any]]]:
    """The entities of ``text`` read from its lowercased doc, values as typed; None when the doc's
    offsets cannot be trusted to point into ``text``."""
    if doc is None or len(text.lower()) != len(text) or doc.text != text.lower():
        return None
    return [{"entity": ent.label_, "value": text[ent.start_char:ent.end_char], "start": ent.start_char,
             "confidence": None, "end": ent.end_char} for ent in doc.ents]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False,
                          model_from="SpacyNLP")
class SharedDocEntityExtractor(SpacyEntityExtractor):
    """SpacyEntityExtractor reading SpacyNLP's doc instead of parsing the message again."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = entities_from_lowercased_doc(message.get(SPACY_DOCS[TEXT]), text)
            if found is None:
                found = self._extract_entities(model.model(text))
            extracted = self.filter_irrelevant_entities(self.add_extractor_name(found),
                                                        self._config["dimensions"])
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
