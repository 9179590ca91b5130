"""Fits the classifier's multinomial logistic regression faster than sklearn's L-BFGS-B, to the same optimum.

The objective is exactly sklearn's (``LogisticRegression(class_weight="balanced", C=C)``, multinomial):
the class-weighted sum of each example's softmax cross-entropy plus ``||W||² / 2C`` (the intercepts not
penalized). What changes is only how the minimum is found:

- **An unconstrained two-loop L-BFGS** instead of scipy's L-BFGS-B. L-BFGS-B is built for box
  constraints; on our ~2 million unconstrained weights (37,795 features × 55 labels) its per-iteration
  bookkeeping took ~0.32 s, against ~0.18 s for the loss and gradient themselves (session 17, measured:
  50 iterations on a 2.08 M-parameter quadratic took 17 s in L-BFGS-B and 0.8 s in the objective).
  The two-loop recursion over the same 10 stored pairs costs ~20 BLAS vector operations in place.
- **The two sparse products split over threads** (rows of X for ``X @ W``, rows of Xᵀ for the gradient):
  scipy's sparse kernels release the GIL, so two cores do them in ~0.6× the time.
- **Preallocated buffers**: a fresh 16 MB array per vector operation cost more in page faults than in
  arithmetic on this machine.

It stops as sklearn's solver does: when the largest gradient component is ≤ ``tol`` or the objective's
relative decrease is ≤ scipy's default ``ftol`` (2.2e-9), or after ``max_iter`` iterations. The line
search is backtracking on the sufficient-decrease (Armijo) condition; the objective is convex, and a pair
with no curvature (sᵀy ≤ 0) is not stored.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Sequence, Tuple

import numpy as np
from scipy.linalg.blas import daxpy, ddot
from scipy.sparse import csr_matrix
from scipy.special import logsumexp

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

# scipy's L-BFGS-B default ftol (factr 1e7 × machine epsilon), the criterion sklearn's fits stop on.
RELATIVE_DECREASE_TOLERANCE = 1e7 * np.finfo(float).eps
HISTORY = 10  # stored (s, y) pairs: scipy's default maxcor
ARMIJO = 1e-4
SMALLEST_STEP = 1e-12


@dataclass
class MultinomialFit:
    classes: np.ndarray  # sorted labels, as sklearn's classes_
    coef: np.ndarray  # (labels × features)
    intercept: np.ndarray  # (labels,)
    iterations: int
    objective: float


def class_balanced_weights(label_index: np.ndarray, n_classes: int) -> np.ndarray:
    """sklearn's class_weight="balanced": n_samples / (n_classes × count of the example's label)."""
    counts = np.bincount(label_index, minlength=n_classes)
    return (len(label_index) / (n_classes * counts))[label_index]


def _row_blocks(n_rows: int, parts: int) -> List[Tuple[int, int]]:
    edges = np.linspace(0, n_rows, parts + 1).astype(int)
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


class _Objective:
    """The weighted softmax loss and its gradient over a flat vector [W (features × labels), b]."""

    def __init__(self, X: csr_matrix, label_index: np.ndarray, n_classes: int, C: float, threads: int):
        self.n, self.d = X.shape
        self.k = n_classes
        self.C = float(C)
        self.weights = class_balanced_weights(label_index, n_classes)
        self.label_index = label_index
        self.row_blocks = [(a, b, X[a:b]) for a, b in _row_blocks(self.n, threads)]
        XT = csr_matrix(X.T)
        self.feature_blocks = [(a, b, XT[a:b]) for a, b in _row_blocks(self.d, threads)]
        self.pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
        self.scores = np.empty((self.n, self.k))

    @property
    def size(self) -> int:
        return self.d * self.k + self.k

    def _map(self, work, blocks) -> None:
        if self.pool is None:
            for block in blocks:
                work(block)
        else:
            list(self.pool.map(work, blocks))

    def __call__(self, w: np.ndarray, gradient: np.ndarray) -> float:
        """The loss at w; writes the gradient into ``gradient`` (no allocation of parameter-sized arrays)."""
        d, k = self.d, self.k
        W = w[: d * k].reshape(d, k)
        scores = self.scores

        def forward(block):
            a, b, rows = block
            scores[a:b] = rows @ W

        self._map(forward, self.row_blocks)
        scores += w[d * k:]
        log_norm = logsumexp(scores, axis=1)
        picked = scores[np.arange(self.n), self.label_index]
        penalty = 0.5 / self.C * ddot(w[: d * k], w[: d * k])
        loss = float(self.weights @ (log_norm - picked)) + penalty
        # residual = weight × (softmax − one-hot), in place of the scores
        np.subtract(scores, log_norm[:, None], out=scores)
        np.exp(scores, out=scores)
        scores[np.arange(self.n), self.label_index] -= 1.0
        scores *= self.weights[:, None]
        G = gradient[: d * k].reshape(d, k)

        def backward(block):
            a, b, rows = block
            G[a:b] = rows @ scores

        self._map(backward, self.feature_blocks)
        daxpy(w[: d * k], gradient[: d * k], a=1.0 / self.C)  # + W / C, in place
        gradient[d * k:] = scores.sum(axis=0)
        return loss

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _minimize(objective: _Objective, max_iter: int, tol: float) -> Tuple[np.ndarray, int, float]:
    size = objective.size
    w = np.zeros(size)
    g = np.empty(size)
    f = objective(w, g)
    w_new, g_new, direction = np.empty(size), np.empty(size), np.empty(size)
    s_hist, y_hist = np.empty((HISTORY, size)), np.empty((HISTORY, size))
    rho = np.zeros(HISTORY)
    stored, newest = 0, -1
    alpha = np.zeros(HISTORY)
    iteration = 0
    if np.max(np.abs(g)) <= tol:
        return w, 0, f
    for iteration in range(1, max_iter + 1):
        # direction = −H g by the two-loop recursion over the stored pairs, newest first
        np.negative(g, out=direction)
        order = [(newest - j) % HISTORY for j in range(stored)]
        for i in order:
            alpha[i] = rho[i] * ddot(s_hist[i], direction)
            daxpy(y_hist[i], direction, a=-alpha[i])
        if stored:
            direction *= 1.0 / (rho[newest] * ddot(y_hist[newest], y_hist[newest]))
        else:  # first step: a unit-length move along the gradient, as L-BFGS-B starts
            direction *= 1.0 / max(np.linalg.norm(g), 1.0)
        for i in reversed(order):
            beta = rho[i] * ddot(y_hist[i], direction)
            daxpy(s_hist[i], direction, a=alpha[i] - beta)
        slope = ddot(g, direction)
        if slope >= 0:  # not a descent direction (numerically): restart from the gradient
            np.negative(g, out=direction)
            slope = ddot(g, direction)
            stored = 0
        step = 1.0
        while True:
            np.copyto(w_new, w)
            daxpy(direction, w_new, a=step)
            f_new = objective(w_new, g_new)
            if f_new <= f + ARMIJO * step * slope or step < SMALLEST_STEP:
                break
            step *= 0.5
        # store s = w_new − w and y = g_new − g
        slot = (newest + 1) % HISTORY
        np.subtract(w_new, w, out=s_hist[slot])
        np.subtract(g_new, g, out=y_hist[slot])
        curvature = ddot(s_hist[slot], y_hist[slot])
        if curvature > 1e-10:
            rho[slot] = 1.0 / curvature
            newest = slot
            stored = min(stored + 1, HISTORY)
        w, w_new = w_new, w
        g, g_new = g_new, g
        f_old, f = f, f_new
        if (f_old - f) / max(abs(f_old), abs(f), 1.0) <= RELATIVE_DECREASE_TOLERANCE:
            break
        if np.max(np.abs(g)) <= tol:
            break
    return w, iteration, f


def fit_multinomial(X: csr_matrix, labels: Sequence[str], C: float, max_iter: int = 500, tol: float = 1e-4,
                    threads: int = 2) -> MultinomialFit:
    """Class-balanced multinomial logistic regression (three or more labels) by threaded L-BFGS."""
    classes, label_index = np.unique(np.asarray(labels), return_inverse=True)
    if len(classes) < 3:
        raise ValueError("the multinomial fit needs at least three labels (sklearn fits two as a binary problem)")
    X = csr_matrix(X, dtype=np.float64)
    objective = _Objective(X, label_index, len(classes), C, max(1, int(threads)))
    try:
        w, iterations, loss = _minimize(objective, max_iter, tol)
    finally:
        objective.close()
    d, k = X.shape[1], len(classes)
    coef = np.ascontiguousarray(w[: d * k].reshape(d, k).T)
    return MultinomialFit(classes, coef, w[d * k:].copy(), iterations, loss)


def fit_logistic_regression(clf: "LogisticRegression", X: csr_matrix, labels: Sequence[str],
                            threads: int = 2) -> "LogisticRegression":
    """Leaves sklearn's estimator fitted as ``clf.fit(X, labels)`` would (class-balanced, multinomial),
    by this module's L-BFGS: predict_proba, skops persistence and loading are sklearn's own."""
    if clf.class_weight != "balanced" or not clf.fit_intercept or clf.penalty != "l2":
        raise ValueError("the threaded fit implements class_weight='balanced', an intercept and the L2 penalty only")
    fit = fit_multinomial(X, labels, C=clf.C, max_iter=clf.max_iter, tol=clf.tol, threads=threads)
    clf.classes_ = fit.classes
    clf.coef_ = fit.coef
    clf.intercept_ = fit.intercept
    clf.n_iter_ = np.array([fit.iterations], dtype=np.int32)
    clf.n_features_in_ = X.shape[1]
    return clf
