"""The project's own NLU components, on hand-built messages (no training run needed)."""
import numpy as np
import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.gibberish_gate import GibberishGate, is_mash, word_forms

VOCABULARY = {"금융인증서", "갱신", "하", "어떻게", "ㅇㅇ", "ㄴㄴ", "otp", "usb", "인증서", "비밀번호", "네", "놉",
              "고마워요", "감사해요"}


def message(text, tokens=None, intent="affirm"):
    """tokens: (surface, lemma) pairs as Kiwi would give them; default: split on spaces."""
    pairs = tokens or [(word, word) for word in text.split()]
    start, built = 0, []
    for surface, lemma in pairs:
        start = text.index(surface, start)
        built.append(Token(surface, start, lemma=lemma))
        start += len(surface)
    msg = Message({TEXT: text, TOKENS_NAMES[TEXT]: built})
    msg.set("intent", {"name": intent, "confidence": 0.9})
    msg.set("intent_ranking", [{"name": intent, "confidence": 0.9}, {"name": "faq", "confidence": 0.1}])
    return msg


@pytest.mark.parametrize("text", ["ㅁㄴㅇㄹ", "asdfgh", "뷁뷁", "?????", "123123", "ㅋㅋㅋㅋㅋㅋㅋ", "qwer asdf zxcv",
                                  "뷁뷁뷁", "ㅁㄴㅇㄹㅁㄴㅇㄹ", "아ㅏㅏㅏ", "뷁어", "뷁뷁아"])
def test_keyboard_mash_is_mash(text):
    assert is_mash(word_forms(message(text)), VOCABULARY)


@pytest.mark.parametrize("text", ["ㅇㅇ", "ㄴㄴ", "OTP", "금융인증서 갱신", "asdf 인증서", "USB?"])
def test_short_known_words_are_not_mash(text):
    assert not is_mash(word_forms(message(text.replace("?", ""))), VOCABULARY)


@pytest.mark.parametrize("text", ["고마워용", "네에", "넹", "놉놉", "감사해용", "고마워요오"])
def test_playful_and_stretched_forms_of_known_words_are_not_mash(text):
    # Short replies customers really type (the gate used to send them to "잘 모르겠어요").
    assert not is_mash(word_forms(message(text)), VOCABULARY)


def test_a_known_lemma_counts_even_when_the_surface_is_new():
    # "갱신했어요" is new as typed, but Kiwi's lemma 갱신 is known.
    msg = message("갱신했어요", tokens=[("갱신", "갱신"), ("했어요", "하+었+어요")])
    assert not is_mash(word_forms(msg), VOCABULARY)


def test_gate_turns_mash_into_fallback_with_no_candidates():
    gate = GibberishGate(model_storage=None, resource=None, vocabulary=VOCABULARY)
    mash, real = message("ㅁㄴㅇㄹ"), message("ㅇㅇ")
    gate.process([mash, real])
    assert mash.get("intent")["name"] == "nlu_fallback"
    assert [i["name"] for i in mash.get("intent_ranking")] == ["nlu_fallback"]
    assert real.get("intent")["name"] == "affirm"


def test_gate_leaves_button_payloads_alone():
    gate = GibberishGate(model_storage=None, resource=None, vocabulary=VOCABULARY)
    payload = message("/human_handoff", tokens=[("human_handoff", "human_handoff")], intent="human_handoff")
    gate.process([payload])
    assert payload.get("intent")["name"] == "human_handoff"


def test_flat_classifier_writes_intent_and_faq_shapes():
    from nlu_components.flat_classifier import FlatIntentClassifier

    classifier = FlatIntentClassifier.__new__(FlatIntentClassifier)
    classifier.config = {**FlatIntentClassifier.get_default_config(), "ranking_length": 10}

    class Fixed:
        classes_ = np.array(["change_pin", "faq/password_change", "faq/password_forgot", "greet"])

        def predict_proba(self, X):
            return np.array([[0.30, 0.45, 0.15, 0.10]])

    classifier.clf = Fixed()
    classifier._create_X = lambda messages: None
    msg = Message({TEXT: "비번 변경 어디서 해요"})
    classifier.process([msg])
    assert msg.get("intent")["name"] == "faq"
    assert msg.get("intent")["confidence"] == pytest.approx(0.60)
    assert [i["name"] for i in msg.get("intent_ranking")] == ["faq", "change_pin", "greet"]
    selected = msg.get("response_selector")["faq"]["response"]
    assert selected["intent_response_key"] == "faq/password_change"
    assert selected["confidence"] == pytest.approx(0.75)  # 0.45 / 0.60: the key given FAQ
    assert selected["utter_action"] == "utter_faq/password_change"


def test_no_answer_becomes_fallback_and_keeps_the_answerable_ranking():
    from nlu_components.no_answer_gate import NoAnswerGate

    gate = NoAnswerGate({"intent": "no_answer"})
    unanswerable = Message({TEXT: "네이버 인증서 발급은 어떻게 해요?"})
    unanswerable.set("intent", {"name": "no_answer", "confidence": 0.7})
    unanswerable.set("intent_ranking", [{"name": "no_answer", "confidence": 0.7},
                                        {"name": "faq", "confidence": 0.2}, {"name": "issue_certificate", "confidence": 0.1}])
    answerable = Message({TEXT: "발급 방법 알려 주세요"})
    answerable.set("intent", {"name": "faq", "confidence": 0.8})
    answerable.set("intent_ranking", [{"name": "faq", "confidence": 0.8}, {"name": "no_answer", "confidence": 0.2}])
    gate.process([unanswerable, answerable])
    assert unanswerable.get("intent")["name"] == "nlu_fallback"
    assert [i["name"] for i in unanswerable.get("intent_ranking")] == ["nlu_fallback", "faq", "issue_certificate"]
    assert answerable.get("intent")["name"] == "faq"
    assert [i["name"] for i in answerable.get("intent_ranking")] == ["faq"]


def _ranked(text, ranking):
    msg = Message({TEXT: text})
    msg.set("intent", dict(ranking[0]))
    msg.set("intent_ranking", [dict(r) for r in ranking])
    return msg


def test_a_likely_no_answer_sends_to_fallback_even_when_ranked_second():
    # "금융인증서 비밀번호를 영문으로 섞어서 만들 수 있나요" shares its words with password_change;
    # a 35 % no_answer behind a 50 % FAQ is a question the assistant should not answer.
    from nlu_components.no_answer_gate import NoAnswerGate

    gate = NoAnswerGate({"intent": "no_answer", "min_confidence": 0.2})
    likely = _ranked("비밀번호 영문 섞어도 돼요?", [{"name": "faq", "confidence": 0.5},
                                                 {"name": "no_answer", "confidence": 0.35},
                                                 {"name": "change_pin", "confidence": 0.15}])
    unlikely = _ranked("비밀번호 바꾸는 법", [{"name": "faq", "confidence": 0.85},
                                         {"name": "no_answer", "confidence": 0.1},
                                         {"name": "change_pin", "confidence": 0.05}])
    gate.process([likely, unlikely])
    assert likely.get("intent") == {"name": "nlu_fallback", "confidence": 0.35}
    assert [i["name"] for i in likely.get("intent_ranking")] == ["nlu_fallback", "faq", "change_pin"]
    assert unlikely.get("intent")["name"] == "faq"
    assert [i["name"] for i in unlikely.get("intent_ranking")] == ["faq", "change_pin"]


def test_gates_keep_an_earlier_fallback_and_still_hide_no_answer():
    from nlu_components.no_answer_gate import NoAnswerGate

    gate = NoAnswerGate({"intent": "no_answer", "min_confidence": 0.2})
    unclear = _ranked("음", [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "no_answer", "confidence": 0.25},
                            {"name": "greet", "confidence": 0.2}])
    gate.process([unclear])
    assert unclear.get("intent") == {"name": "nlu_fallback", "confidence": 0.3}
    assert [i["name"] for i in unclear.get("intent_ranking")] == ["nlu_fallback", "greet"]


def test_faq_gate_and_no_answer_gate_share_one_fallback_shape():
    from nlu_components.fallback_gate import FallbackGate
    from nlu_components.faq_confidence_gate import FaqConfidenceGate
    from nlu_components.no_answer_gate import NoAnswerGate

    assert issubclass(FaqConfidenceGate, FallbackGate) and issubclass(NoAnswerGate, FallbackGate)
    unsure = _ranked("갱신", [{"name": "faq", "confidence": 0.9}, {"name": "renew_certificate", "confidence": 0.1}])
    unsure.set("response_selector", {"faq": {"response": {"confidence": 0.3, "intent_response_key": "faq/renew_how"}}})
    FaqConfidenceGate({"retrieval_intent": "faq", "threshold": 0.5}).process([unsure])
    assert unsure.get("intent") == {"name": "nlu_fallback", "confidence": 0.5}
    assert [i["name"] for i in unsure.get("intent_ranking")] == ["nlu_fallback", "faq", "renew_certificate"]


def test_training_messages_lose_only_the_answer_texts_nobody_reads():
    from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, RESPONSE
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu_components.training_text_trim import TrainingTextTrim

    example = Message({TEXT: "갱신 어떻게 해요?", INTENT: "faq", INTENT_RESPONSE_KEY: "faq/renew_how",
                       RESPONSE: "금융인증서 갱신은 이렇게 해요: 1. … (a long answer)"})
    trimmed = TrainingTextTrim().process_training_data(TrainingData([example])).training_examples[0]
    assert trimmed.get(RESPONSE) is None
    assert (trimmed.get(TEXT), trimmed.get(INTENT), trimmed.get(INTENT_RESPONSE_KEY)) == (
        "갱신 어떻게 해요?", "faq", "faq/renew_how")
    live = Message({TEXT: "갱신 어떻게 해요?"})
    assert TrainingTextTrim().process([live]) == [live]
