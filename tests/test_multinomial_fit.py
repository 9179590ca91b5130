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


def _with_dense_tail(X, width=16, seed=1):
    """The sparse problem with `width` dense columns appended, as the sentence embedding is."""
    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(X.shape[0], width))
    dense /= np.linalg.norm(dense, axis=1, keepdims=True) * 2
    return sp.csr_matrix(sp.hstack([X, sp.csr_matrix(dense)]))


@pytest.mark.parametrize("threads", [1, 2])
def test_dense_columns_multiplied_densely_give_the_same_objective_gradient_and_fit(threads):
    X, y = _with_dense_tail(*_problem(seed=4, n=300, d=400, labels=5)[:1]), _problem(seed=4, n=300, d=400, labels=5)[1]
    classes, index = np.unique(y, return_inverse=True)
    as_sparse = _Objective(X, index, len(classes), 100.0, threads=threads)
    split = _Objective(X, index, len(classes), 100.0, threads=threads, dense_columns=16)
    w = np.random.default_rng(2).normal(size=as_sparse.size) * 0.2
    g_sparse, g_split = np.empty_like(w), np.empty_like(w)
    assert split(w, g_split) == pytest.approx(as_sparse(w, g_sparse), rel=1e-12)
    np.testing.assert_allclose(g_split, g_sparse, rtol=1e-10, atol=1e-12)
    plain = fit_multinomial(X, y, C=100.0, threads=threads)
    dense = fit_multinomial(X, y, C=100.0, threads=threads, dense_columns=16)
    assert dense.iterations == plain.iterations
    np.testing.assert_allclose(dense.coef, plain.coef, rtol=1e-7, atol=1e-8)


def test_more_dense_columns_than_the_matrix_has_are_refused():
    X, y = _problem(seed=4, n=60, d=200, labels=3)
    with pytest.raises(ValueError, match="dense_columns"):
        fit_multinomial(X, y, C=1.0, dense_columns=201)


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


def test_sklearns_default_stopping_rules_give_sklearns_predictions():
    X, y = _problem(seed=13)
    ours = fit_multinomial(X, y, C=100.0)  # tol 1e-4, max_iter 500: the pipeline's settings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = LogisticRegression(C=100.0, max_iter=500, class_weight="balanced", random_state=42).fit(X, y)
    Z = X @ ours.coef.T + ours.intercept
    assert (Z.argmax(axis=1) == theirs.predict_proba(X).argmax(axis=1)).all()


class _Quadratic:
    """½ Σ a_i (w_i − c_i)²."""

    def __init__(self, size=40):
        rng = np.random.default_rng(1)
        self.a, self.c, self.size = rng.uniform(0.5, 20, size), rng.normal(size=size), size

    def __call__(self, w, gradient):
        gradient[:] = self.a * (w - self.c)
        return float(0.5 * (self.a * (w - self.c) ** 2).sum())


class _FarHuber:
    """Σ huber(w_i − c_i) with every c_i a million away: linear wherever the minimizer goes in a few steps,
    so every step has no curvature (sᵀy = 0) and must be refused."""

    size = 8

    def __call__(self, w, gradient):
        x = w - 1e6
        gradient[:] = np.clip(x, -1.0, 1.0)
        return float(np.where(np.abs(x) <= 1, 0.5 * x ** 2, np.abs(x) - 0.5).sum())


def test_a_refused_pair_never_overwrites_a_stored_one():
    """Session 17's review replayed: with the history full, a step without curvature was written over the
    oldest pair before the check refused it, leaving that slot with the old pair's rho."""
    from sklearn.exceptions import ConvergenceWarning

    from nlu_components.multinomial_fit import _minimize, _PairHistory

    rng = np.random.default_rng(4)
    history = _PairHistory(_FarHuber.size, capacity=3)
    for _ in range(3):  # a full history of good pairs
        w, s, g = rng.normal(size=8), rng.normal(size=8), rng.normal(size=8)
        history.push(w + s, w, g + s * rng.uniform(1, 3, size=8), g)
    stored = (history.s.copy(), history.y.copy(), history.rho.copy())
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        _minimize(_FarHuber(), max_iter=4, tol=1e-12, history=history)
    for before, after in zip(stored, (history.s, history.y, history.rho)):
        np.testing.assert_array_equal(after, before)
    for i in range(3):
        assert history.rho[i] * float(history.s[i] @ history.y[i]) == pytest.approx(1.0, rel=1e-9)


def test_the_minimizer_finds_a_quadratics_minimum():
    from nlu_components.multinomial_fit import _minimize

    objective = _Quadratic()
    w, _, _ = _minimize(objective, max_iter=200, tol=1e-6)
    np.testing.assert_allclose(w, objective.c, atol=1e-4)


def test_the_two_loop_recursion_uses_the_newest_pairs():
    from nlu_components.multinomial_fit import _PairHistory

    rng = np.random.default_rng(2)
    history = _PairHistory(6, capacity=2)
    pairs = []
    for _ in range(3):
        w, s, g = rng.normal(size=6), rng.normal(size=6), rng.normal(size=6)
        y = s * rng.uniform(1, 3, size=6)  # positive curvature
        history.push(w + s, w, g + y, g)
        pairs.append((s, y))
    vector = rng.normal(size=6)
    expected = vector.copy()  # the textbook recursion over the last two pairs
    alphas = []
    for s, y in reversed(pairs[1:]):
        a = (s @ expected) / (s @ y)
        alphas.append(a)
        expected -= a * y
    s_new, y_new = pairs[-1]
    expected *= (s_new @ y_new) / (y_new @ y_new)
    for (s, y), a in zip(pairs[1:], reversed(alphas)):
        expected += (a - (y @ expected) / (s @ y)) * s
    history.apply_inverse_hessian(vector)
    np.testing.assert_allclose(vector, expected, rtol=1e-12)


def test_no_decreasing_step_keeps_the_last_point_and_warns():
    from sklearn.exceptions import ConvergenceWarning

    from nlu_components.multinomial_fit import _minimize

    class NotFiniteAwayFromZero(_Quadratic):
        def __call__(self, w, gradient):
            value = super().__call__(w, gradient)
            return value if not w.any() else float("nan")

    with pytest.warns(ConvergenceWarning, match="no step"):
        w, _, f = _minimize(NotFiniteAwayFromZero(), max_iter=50, tol=1e-8)
    assert not w.any() and np.isfinite(f)


def test_stopping_at_max_iter_warns_as_sklearn_does():
    from sklearn.exceptions import ConvergenceWarning

    X, y = _problem()
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        assert fit_multinomial(X, y, C=100.0, max_iter=3).iterations == 3


@pytest.mark.parametrize("setting", [{"solver": "liblinear"}, {"multi_class": "ovr"}, {"class_weight": None}])
def test_settings_the_fit_does_not_implement_are_refused(setting):
    from nlu_components.multinomial_fit import fit_logistic_regression

    X, y = _problem()
    clf = LogisticRegression(C=1.0, class_weight="balanced")
    clf.set_params(**setting)
    with pytest.raises(ValueError, match="lbfgs multinomial"):
        fit_logistic_regression(clf, X, y)
