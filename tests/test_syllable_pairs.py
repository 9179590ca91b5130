"""The syllable-pair featurizer: what it counts, that a swap keeps most of it, and that the classifier
always gets rows of one width (a message without a Hangul pair included)."""
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.flat_classifier import sentence_matrix
from nlu_components.syllable_pairs import SyllablePairsFeaturizer, syllable_pairs

TRAINING = ["인증서 갱신하고 싶어요", "금융인증서 유효기간이 언제까지예요", "비밀번호를 잊어버렸어요",
            "다른 은행에서도 쓸 수 있나요", "네 맞아요", "안녕하세요"]


def test_pairs_within_a_word_unordered_at_most_two_apart():
    assert syllable_pairs("갱신을") == ["갱신", "갱을", "신을"]
    # Unordered: the pair is written in code-point order, whichever came first.
    assert syllable_pairs("신갱을") == ["갱신", "신을", "갱을"]
    # Never across a space; Latin letters, digits and jamo are not syllables.
    assert syllable_pairs("갱 신") == []
    assert syllable_pairs("usb에 6번 ㅇㅋ") == []
    assert syllable_pairs("6자리") == ["리자"]
    assert syllable_pairs("KB인증서") == ["인증", "서인", "서증"]


@pytest.mark.parametrize("typed, swapped", [("인증서 갱신하고 싶어요", "인증서 신갱하고 싶어요"),
                                            ("비밀번호를 잊어버렸어요", "비밀호번를 잊어버렸어요"),
                                            ("금융인증서 유효기간", "금융증인서 유효기간")])
def test_a_swap_of_two_neighbours_keeps_all_pairs_but_the_edges(typed, swapped):
    before, after = syllable_pairs(typed), syllable_pairs(swapped)
    kept = sum(min(before.count(p), after.count(p)) for p in set(before))
    assert len(before) == len(after)
    assert len(before) - kept <= 2  # only the two pairs reaching past the swap's edges can change


def _featurizer(tmp_path, texts=TRAINING):
    storage = LocalModelStorage(tmp_path)
    featurizer = SyllablePairsFeaturizer.create(SyllablePairsFeaturizer.get_default_config(), storage,
                                                Resource("pairs"), ExecutionContext(None, None))
    training = [Message(data={TEXT: text, INTENT: "x"}) for text in texts]
    featurizer.train(TrainingData(training))
    return featurizer


def _rows(featurizer, texts):
    messages = [Message(data={TEXT: text}) for text in texts]
    featurizer.process(messages)
    return sentence_matrix(messages).toarray()


def test_sentence_rows_of_one_width_for_every_message(tmp_path):
    featurizer = _featurizer(tmp_path)
    messages = [Message(data={TEXT: text}) for text in ("인증서 신갱하고 싶어요", "ok", "ㅇㅋ", "?", "네")]
    featurizer.process(messages)
    for message in messages:
        assert not [f for f in message.features if f.type == FEATURE_TYPE_SEQUENCE]
        assert [f.type for f in message.features] == [FEATURE_TYPE_SENTENCE]
    matrix = sentence_matrix(messages)
    assert matrix.shape == (5, len(featurizer.vectorizers[TEXT].vocabulary_))
    assert matrix[0].nnz >= 5
    assert matrix[1].nnz == matrix[2].nnz == matrix[3].nnz == 0  # ok, ㅇㅋ (jamo), ?: no syllable pair
    assert matrix[4].nnz == 0  # 네: one syllable, no pair


def test_training_without_a_single_pair_gives_no_features_instead_of_a_crash(tmp_path):
    # No training word holds two Hangul syllables, so the vectorizer is never fitted; before the
    # guard, processing any message raised sklearn's NotFittedError.
    featurizer = _featurizer(tmp_path, ["ok", "yes 1", "ㅇㅋ", "네"])
    messages = [Message(data={TEXT: text}) for text in ("인증서 갱신하고 싶어요", "ok")]
    featurizer.process(messages)
    assert all(not message.features for message in messages)


def test_a_saved_featurizer_loads_with_the_same_vocabulary_and_rows(tmp_path):
    trained = _featurizer(tmp_path)
    trained.persist()
    loaded = SyllablePairsFeaturizer.load(SyllablePairsFeaturizer.get_default_config(), trained._model_storage,
                                          Resource("pairs"), ExecutionContext(None, None))
    assert loaded.vectorizers[TEXT].vocabulary_ == trained.vectorizers[TEXT].vocabulary_
    texts = ["인증서 신갱하고 싶어요", "비밀번호 잊었어요", "ok"]
    before, after = _rows(trained, texts), _rows(loaded, texts)
    assert before[0].sum() >= 5 and (before == after).all()


def test_the_swapped_message_gets_the_typed_ones_features(tmp_path):
    featurizer = _featurizer(tmp_path)
    typed, swapped = Message(data={TEXT: "인증서 갱신하고 싶어요"}), Message(data={TEXT: "인증서 신갱하고 싶어요"})
    featurizer.process([typed, swapped])
    a, b = sentence_matrix([typed]).toarray()[0], sentence_matrix([swapped]).toarray()[0]
    assert a.sum() >= 8
    assert (a != b).sum() <= 2  # the pairs at the swap's edges ("신하" vs "갱하")


def test_only_the_message_text_is_featurized(tmp_path):
    featurizer = _featurizer(tmp_path)
    assert list(featurizer.vectorizers) == [TEXT]
