"""The classifier's own L-BFGS reaches sklearn's optimum: same objective, same predictions, same estimator."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from nlu_components.multinomial_fit import _Objective, class_balanced_weights, fit_multinomial


def _problem(seed=3, n=600, d=900, labels=7):
    """Sparse, unbalanced, log-scaled and length-normalized like the pipeline's sentence features."""
    rng = np.random.default_rng(seed)
    y = rng.choice(labels, size=n, p=np.linspace(1, 3, labels) / np.linspace(1, 3, labels).sum())
    assert d >= 20 * labels
    X = sp.random(n, d, density=0.02, format="lil", random_state=seed)
    for i, label in enumerate(y):  # each label has a few telling features
        for j in rng.choice(20, size=3, replace=False):
            X[i, label * 20 + j] = 1.0
    X = sp.csr_matrix(X)
    X.data = np.log1p(X.data)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    X = sp.csr_matrix(X.multiply(1 / norms[:, None]))
    return X, np.array([f"label_{k}" for k in y])


def _sklearn(X, y, C):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=C, max_iter=2000, tol=1e-8, class_weight="balanced", random_state=42,
                                  solver="lbfgs").fit(X, y)


def _objective_value(objective, coef, intercept):
    w = np.concatenate([coef.T.ravel(), intercept])
    return objective(w, np.empty_like(w))


@pytest.mark.parametrize("C", [1.0, 100.0])
def test_the_fit_reaches_sklearns_optimum_and_predicts_the_same(C):
    X, y = _problem()
    ours = fit_multinomial(X, y, C=C, max_iter=2000, tol=1e-8)
    theirs = _sklearn(X, y, C)
    assert list(ours.classes) == list(theirs.classes_)
    classes, index = np.unique(y, return_inverse=True)
    objective = _Objective(X, index, len(classes), C, threads=1)
    mine, reference = _objective_value(objective, ours.coef, ours.intercept), \
        _objective_value(objective, theirs.coef_, theirs.intercept_)
    assert mine == pytest.approx(reference, rel=1e-6)
    Z = X @ ours.coef.T + ours.intercept
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(P, theirs.predict_proba(X), atol=2e-3)
    assert (P.argmax(axis=1) == theirs.predict_proba(X).argmax(axis=1)).all()


def test_the_gradient_is_the_objectives_derivative():
    X, y = _problem(seed=5, n=80, d=100, labels=4)
    classes, index = np.unique(y, return_inverse=True)
    objective = _Objective(X, index, len(classes), 10.0, threads=1)
    rng = np.random.default_rng(0)
    w = rng.normal(size=objective.size) * 0.3
    g = np.empty_like(w)
    objective(w, g)
    for i in rng.choice(objective.size, size=12, replace=False):
        step = np.zeros_like(w)
        step[i] = 1e-6
        numeric = (objective(w + step, np.empty_like(w)) - objective(w - step, np.empty_like(w))) / 2e-6
        assert g[i] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_two_threads_give_the_same_fit_as_one():
    X, y = _problem(seed=9)
    one = fit_multinomial(X, y, C=100.0, threads=1)
    two = fit_multinomial(X, y, C=100.0, threads=2)
    assert one.iterations == two.iterations
    np.testing.assert_allclose(two.coef, one.coef, rtol=1e-9, atol=1e-9)


def test_balanced_weights_are_sklearns():
    from sklearn.utils.class_weight import compute_class_weight

    index = np.array([0, 0, 0, 1, 2, 2])
    expected = compute_class_weight("balanced", classes=np.arange(3), y=index)[index]
    np.testing.assert_allclose(class_balanced_weights(index, 3), expected)


def test_two_labels_are_refused():
    X, y = _problem(labels=2)
    with pytest.raises(ValueError, match="three labels"):
        fit_multinomial(X, y, C=1.0)


def _training_data(texts_by_label):
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    vocabulary = sorted({word for texts in texts_by_label.values() for text in texts for word in text.split()})
    examples = []
    for label, texts in texts_by_label.items():
        for text in texts:
            counts = np.zeros((1, len(vocabulary)))
            for word in text.split():
                counts[0, vocabulary.index(word)] += 1
            message = Message(data={TEXT: text, INTENT: label})
            message.add_features(Features(sp.coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "words"))
            examples.append(message)
    return TrainingData(examples), examples


TEXTS = {
    "greet": ["안녕 하세요", "안녕 반가워요", "안녕 처음 왔어요", "하이 안녕"],
    "renew": ["인증서 갱신 할래요", "갱신 해 주세요", "인증서 기간 연장 갱신", "갱신 하고 싶어요"],
    "status": ["인증서 상태 알려 주세요", "상태 확인 할래요", "내 인증서 상태", "인증서 만료 상태 확인"],
}


@pytest.mark.parametrize("optimizer", ["threaded_lbfgs", "sklearn"])
def test_the_classifier_trains_persists_and_loads_with_either_optimizer(tmp_path, optimizer):
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from nlu_components.flat_classifier import FlatIntentClassifier

    storage = LocalModelStorage(tmp_path)
    resource = Resource("classifier")
    context = ExecutionContext(None, node_name="classifier")
    config = {"C": 100.0, "scale": "log_l2", "optimizer": optimizer}
    training_data, examples = _training_data(TEXTS)
    trained = FlatIntentClassifier.create({**FlatIntentClassifier.get_default_config(), **config},
                                          storage, resource, context)
    trained.train(training_data)
    loaded = FlatIntentClassifier.load({**FlatIntentClassifier.get_default_config(), **config},
                                       storage, resource, context)
    assert list(loaded.clf.classes_) == ["greet", "renew", "status"]
    _, fresh = _training_data(TEXTS)
    for message, example in zip(loaded.process(fresh), examples):
        assert message.get("intent")["name"] == example.get("intent")


def test_an_unknown_optimizer_is_refused(tmp_path):
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from nlu_components.flat_classifier import FlatIntentClassifier

    classifier = FlatIntentClassifier.create({**FlatIntentClassifier.get_default_config(), "optimizer": "adam"},
                                             LocalModelStorage(tmp_path), Resource("c"),
                                             ExecutionContext(None, node_name="c"))
    with pytest.raises(ValueError, match="unknown optimizer"):
        classifier.train(_training_data(TEXTS)[0])
