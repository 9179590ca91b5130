"""The sentence-only count featurizer gives the classifier exactly what Rasa's featurizer gave it."""
import itertools
from pathlib import Path

import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.flat_classifier import sentence_matrix
from nlu_components.sentence_count_vectors import SentenceCountVectorsFeaturizer

ROOT = Path(__file__).resolve().parents[1]
# The two featurizers of config.yml: lemma 1-2-grams and surface char_wb 1-4-grams.
CONFIGS = [{"analyzer": "word", "min_ngram": 1, "max_ngram": 2},
           {"analyzer": "char_wb", "use_lemma": False, "min_ngram": 1, "max_ngram": 4}]


def _texts(path: Path, count: int):
    blocks = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    lines = (line[2:].strip() for block in blocks for line in block["examples"].splitlines() if line.startswith("- "))
    return list(itertools.islice(lines, count))


def _tokenized(nlp, texts):
    messages = []
    for text in texts:
        message = Message(data={TEXT: text})
        message.set(TOKENS_NAMES[TEXT], [Token(t.text, t.idx, lemma=t.lemma_) for t in nlp(text)])
        messages.append(message)
    return messages


def _trained(cls, config, index, tmp_path, training):
    home = tmp_path / f"{cls.__name__}-{index}"
    home.mkdir()
    storage = LocalModelStorage(home)
    featurizer = cls.create({**cls.get_default_config(), **config}, storage, Resource(f"cvf{index}"),
                            ExecutionContext(None, None))
    featurizer.train(TrainingData(training))
    return featurizer


def test_same_sentence_features_as_rasas_featurizer_and_no_sequences(nlp, tmp_path):
    training = _tokenized(nlp, _texts(ROOT / "data/nlu/hand_c.yml", 400))
    # Unseen sentences, including words and typos the vocabulary lacks and a message of one token.
    unseen = _texts(ROOT / "data/nlu/hand_g.yml", 60) + ["인증셔 갱싱 어떻해", "네", "usb에 옮길수있나요??"]
    rasa_messages, our_messages = _tokenized(nlp, unseen), _tokenized(nlp, unseen)
    for index, config in enumerate(CONFIGS):
        rasa = _trained(CountVectorsFeaturizer, config, index, tmp_path, training)
        ours = _trained(SentenceCountVectorsFeaturizer, config, index, tmp_path, training)
        assert rasa.vectorizers[TEXT].vocabulary_ == ours.vectorizers[TEXT].vocabulary_
        rasa.process(rasa_messages)
        ours.process(our_messages)
    for message in our_messages:
        assert not [f for f in message.features if f.type == FEATURE_TYPE_SEQUENCE]
        assert len([f for f in message.features if f.type == FEATURE_TYPE_SENTENCE]) == 2
    expected, got = sentence_matrix(rasa_messages), sentence_matrix(our_messages)
    assert expected.shape == got.shape and expected.shape[0] == len(unseen)
    assert expected.nnz > 20 * len(unseen)  # real features, not two empty matrices
    assert (expected != got).nnz == 0


def test_training_examples_get_sentence_features_only(nlp, tmp_path):
    training = _tokenized(nlp, _texts(ROOT / "data/nlu/hand_d.yml", 50))
    featurizer = _trained(SentenceCountVectorsFeaturizer, CONFIGS[0], 9, tmp_path, training)
    featurizer.process_training_data(TrainingData(training))
    assert all(len(m.features) == 1 and m.features[0].type == FEATURE_TYPE_SENTENCE for m in training)
