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
