"""SharedDocEntityExtractor: Rasa's SpacyEntityExtractor's entities, without a second parse when SpacyNLP's
doc was made from the very text Rasa would parse again."""
import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.shared_doc_entities import SharedDocEntityExtractor

DIMENSIONS = {"dimensions": ["cert_type", "channel", "security_medium", "device"]}


class _CountingModel:
    """The spaCy pipeline, counting how often a component asks it to parse."""

    def __init__(self, nlp):
        self.nlp, self.calls = nlp, 0

    def __call__(self, text):
        self.calls += 1
        return self.nlp(text)


def _spacy_nlp_message(nlp, text, doc_text=None):
    """A message as SpacyNLP (case_sensitive: false) leaves it: its doc made from the lowercased text."""
    message = Message({TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp((text if doc_text is None else doc_text).lower()))
    return message


def _entities(messages):
    return [[{k: v for k, v in e.items() if k != "extractor"} for e in m.get(ENTITIES)] for m in messages]


def _both(nlp, texts, doc_text=None):
    """(our messages, Rasa's messages, how often ours parsed)."""
    counting = _CountingModel(nlp)
    ours = SharedDocEntityExtractor(DIMENSIONS).process(
        [_spacy_nlp_message(nlp, t, doc_text) for t in texts], SpacyModel(model=counting, model_name="ko"))
    rasas = SpacyEntityExtractor(DIMENSIONS).process(
        [_spacy_nlp_message(nlp, t, doc_text) for t in texts], SpacyModel(model=nlp, model_name="ko"))
    return ours, rasas, counting.calls


def test_a_message_lowercasing_leaves_alone_is_not_parsed_again(nlp):
    texts = ["금융인증서 갱신은 어떻게 해요?", "보안카드 없어도 돼요?", "새 폰으로 인증서 옮겨 줘", "안녕하세요", ""]
    ours, rasas, parses = _both(nlp, texts)
    assert parses == 0, "SpacyNLP's doc was made from the same text: no second parse"
    assert _entities(ours) == _entities(rasas)
    assert [e["value"] for e in ours[0].get(ENTITIES)] == ["금융인증서"]


@pytest.mark.parametrize("text", [
    # Review, session 18: Kiwi splits 갤탭S로 and 갤탭s로 differently, so the lowercased doc finds a
    # device that Rasa's parse of the typed text does not (and the other way round for 어PC떻게).
    "갤탭S로 옮기고 싶어요", "갤탭A이 안 돼요", "스타 뱅킹에서 재발급 어PC떻게 해요", "보PC안카드이 안 돼요",
    "KB스타뱅킹 말고 PC 인터넷뱅킹에서 보안카드 써도 돼요?", "İstanbul에서 금융인증서 써요",
])
def test_a_message_with_capitals_is_parsed_again_and_gets_rasas_entities(nlp, text):
    ours, rasas, parses = _both(nlp, [text])
    assert parses == 1
    assert _entities(ours) == _entities(rasas)


def test_a_doc_made_from_another_text_is_not_trusted(nlp):
    # SpacyNLP always makes the doc from the message's text; should anything change the text after it,
    # the doc no longer describes it and the message is parsed again.
    ours, rasas, parses = _both(nlp, ["보안카드 없어도 돼요?"], doc_text="금융인증서 있어요")
    assert parses == 1
    assert [e["value"] for e in ours[0].get(ENTITIES)] == ["보안카드"]
