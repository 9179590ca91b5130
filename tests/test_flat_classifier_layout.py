"""The classifier's coefficient layout: same probabilities, no per-message copy of the matrix."""
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from nlu_components.flat_classifier import _keep_coefficients_column_major


def test_column_major_coefficients_give_the_same_probabilities_without_a_copy():
    rng = np.random.default_rng(7)
    X = sp.random(300, 2000, density=0.01, format="csr", random_state=7)
    y = rng.integers(0, 6, size=300)
    clf = LogisticRegression(max_iter=300).fit(X, y)
    before = clf.predict_proba(X[:20])
    assert not clf.coef_.T.flags.c_contiguous  # sklearn's layout: X @ coef_.T copies coef_ each call
    _keep_coefficients_column_major(clf)
    assert clf.coef_.T.flags.c_contiguous
    np.testing.assert_allclose(clf.predict_proba(X[:20]), before, rtol=1e-12, atol=1e-15)


def _message_with_features(rng, sizes=(40, 25), tokens=3):
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={TEXT: "인증서 갱신"})
    for origin, size in zip(("words", "chars"), sizes):
        sequence = sp.random(tokens, size, density=0.2, format="coo", random_state=rng.integers(1 << 30))
        sentence = sp.coo_matrix(sequence.sum(axis=0))
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, origin))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
    return message


def test_sentence_matrix_is_the_matrix_rasa_builds_without_the_sequence_features():
    """Same matrix as LogisticRegressionClassifier._create_X (sentence features of both featurizers,
    in order), for many messages with sequence features of different lengths."""
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    from nlu_components.flat_classifier import sentence_matrix

    rng = np.random.default_rng(11)
    messages = [_message_with_features(rng, tokens=int(rng.integers(1, 9))) for _ in range(30)]
    ours = sentence_matrix(messages)
    rasa = LogisticRegressionClassifier._create_X(None, messages)
    assert ours.shape == rasa.shape == (30, 65)
    assert (ours != sp.csr_matrix(rasa)).nnz == 0
