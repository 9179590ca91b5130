"""SharedDocEntityExtractor: Rasa's SpacyEntityExtractor's entities from SpacyNLP's doc, no second parse."""
from pathlib import Path

from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.shared_doc_entities import SharedDocEntityExtractor, entities_from_lowercased_doc
from tests.training_data import examples_by_label, training_examples

ROOT = Path(__file__).resolve().parent.parent
DIMENSIONS = {"dimensions": ["cert_type", "channel", "security_medium", "device"]}


def _every_text():
    """Every training and development message: the phrasings the extractor must agree on."""
    texts = [t for examples in training_examples().values() for t in examples]
    texts += [t for examples in examples_by_label(sorted((ROOT / "eval").glob("dev_*.yml"))).values()
              for t in examples]
    return sorted(set(texts))


def _rasa_entities(nlp, text):
    return SpacyEntityExtractor._extract_entities(nlp(text))


def test_every_message_whose_case_matters_gets_rasas_entities(nlp):
    # A message that lowercasing leaves alone is parsed from the same string either way; the ones with
    # upper-case letters are where reading the lowercased doc could differ, so each is compared.
    cased = [t for t in _every_text() if t.lower() != t]
    assert len(cased) > 500, "the data should hold many messages with Latin capitals (PC, USB, KB, OTP)"
    with_entities = 0
    for text in cased:
        ours = entities_from_lowercased_doc(nlp(text.lower()), text)
        assert ours is not None, text
        assert ours == _rasa_entities(nlp, text), text
        with_entities += bool(ours)
    assert with_entities > 50


def test_values_keep_the_case_the_customer_typed(nlp):
    text = "KB스타뱅킹 말고 PC 인터넷뱅킹에서 보안카드 써도 돼요?"
    entities = entities_from_lowercased_doc(nlp(text.lower()), text)
    assert [(e["entity"], e["value"]) for e in entities] == [
        (e["entity"], e["value"]) for e in _rasa_entities(nlp, text)]
    assert {"인터넷뱅킹", "보안카드"} <= {e["value"] for e in entities}
    assert all(text[e["start"]:e["end"]] == e["value"] for e in entities)


class _CountingModel:
    """The spaCy pipeline, counting how often a component asks it to parse."""

    def __init__(self, nlp):
        self.nlp, self.calls = nlp, 0

    def __call__(self, text):
        self.calls += 1
        return self.nlp(text)


def _message(nlp, text):
    message = Message({TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text.lower()))
    return message


def test_one_parse_per_message_and_the_same_entities_as_rasas_extractor(nlp):
    texts = ["금융인증서 PC에서 쓰려면요", "KB모바일인증서랑 뭐가 달라요", "보안카드 없어도 돼요?", "안녕하세요"]
    counting = _CountingModel(nlp)
    ours = SharedDocEntityExtractor(DIMENSIONS).process([_message(nlp, t) for t in texts],
                                                        SpacyModel(model=counting, model_name="ko"))
    assert counting.calls == 0, "SpacyNLP's doc must be enough: no second parse"
    rasas = SpacyEntityExtractor(DIMENSIONS).process([_message(nlp, t) for t in texts],
                                                     SpacyModel(model=nlp, model_name="ko"))
    for mine, theirs in zip(ours, rasas):
        assert [{k: v for k, v in e.items() if k != "extractor"} for e in mine.get(ENTITIES)] == [
            {k: v for k, v in e.items() if k != "extractor"} for e in theirs.get(ENTITIES)]
    assert any(m.get(ENTITIES) for m in ours)


def test_a_message_without_a_trustworthy_doc_is_parsed_again(nlp):
    # "İ" lowercases to two characters: every offset after it would point one character off.
    assert entities_from_lowercased_doc(nlp("İ 금융인증서".lower()), "İ 금융인증서") is None
    counting = _CountingModel(nlp)
    message = Message({TEXT: "İ 금융인증서"})
    message.set(SPACY_DOCS[TEXT], nlp("İ 금융인증서".lower()))
    [result] = SharedDocEntityExtractor(DIMENSIONS).process([message], SpacyModel(model=counting, model_name="ko"))
    assert counting.calls == 1
    assert [e["value"] for e in result.get(ENTITIES)] == ["금융인증서"]
