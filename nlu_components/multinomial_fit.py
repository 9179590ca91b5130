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
- **Dense columns as a dense matrix** (``dense_columns``): the sentence embedding fills 384 columns of every
  row; kept in CSR they tripled the stored entries and the fit's time (session 22). The last
  ``dense_columns`` columns are multiplied as a NumPy array by BLAS instead; the objective is the same.

It stops as sklearn's solver does: when the largest gradient component is ≤ ``tol`` or the objective's
relative decrease is ≤ scipy's default ``ftol`` (2.2e-9); after ``max_iter`` iterations, or when no step
decreases the loss, it stops with a ConvergenceWarning, as sklearn warns. The line search backtracks on
the sufficient-decrease (Armijo) condition (the objective is convex); a pair whose curvature sᵀy is not
positive enough is refused as L-BFGS-B refuses it (sᵀy ≤ ε·(−sᵀg)) and never overwrites a stored one;
when the stored curvature leads nowhere, the history is dropped and the step retried along −g.
"""
from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

import numpy as np
from scipy.linalg.blas import daxpy, ddot
from scipy.sparse import csr_matrix
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning

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

    def __init__(self, X: csr_matrix, label_index: np.ndarray, n_classes: int, C: float, threads: int,
                 dense_columns: int = 0):
        self.n, self.d = X.shape
        self.k = n_classes
        self.C = float(C)
        self.weights = class_balanced_weights(label_index, n_classes)
        self.label_index = label_index
        # The first `sparse_width` columns stay sparse (split over threads); the rest is one dense block.
        self.sparse_width = self.d - int(dense_columns)
        if not 0 <= self.sparse_width <= self.d:
            raise ValueError(f"dense_columns={dense_columns} for a matrix of {self.d} columns")
        self.dense = X[:, self.sparse_width:].toarray() if dense_columns else None
        sparse = X[:, :self.sparse_width] if dense_columns else X
        self.row_blocks = [(a, b, sparse[a:b]) for a, b in _row_blocks(self.n, threads)]
        XT = csr_matrix(sparse.T)
        self.feature_blocks = [(a, b, XT[a:b]) for a, b in _row_blocks(self.sparse_width, threads)]
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
        """The loss at w; writes the gradient into ``gradient``, the caller's preallocated buffer."""
        d, k, split = self.d, self.k, self.sparse_width
        W = w[: d * k].reshape(d, k)
        scores = self.scores

        def forward(block):
            a, b, rows = block
            scores[a:b] = rows @ W[:split]

        self._map(forward, self.row_blocks)
        if self.dense is not None:
            scores += self.dense @ W[split:]
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
        if self.dense is not None:
            np.dot(self.dense.T, scores, out=G[split:])
        daxpy(w[: d * k], gradient[: d * k], a=1.0 / self.C)  # + W / C, in place
        gradient[d * k:] = scores.sum(axis=0)
        return loss

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _largest_magnitude(v: np.ndarray) -> float:
    """max |v_i| without a parameter-sized temporary (np.abs would allocate 16 MB per call)."""
    return max(float(v.max()), -float(v.min()))


class _PairHistory:
    """The last ``capacity`` accepted pairs s = w_new − w, y = g_new − g, and the two-loop recursion over
    them. A pair is written only once accepted, so a refused pair never overwrites a stored one."""

    def __init__(self, size: int, capacity: int = HISTORY):
        self.capacity = capacity
        self.s = np.empty((capacity, size))
        self.y = np.empty((capacity, size))
        self.rho = np.zeros(capacity)
        self.alpha = np.zeros(capacity)
        self.count = 0
        self.newest = -1

    def clear(self) -> None:
        self.count = 0

    def push(self, w_new: np.ndarray, w: np.ndarray, g_new: np.ndarray, g: np.ndarray) -> None:
        slot = (self.newest + 1) % self.capacity
        np.subtract(w_new, w, out=self.s[slot])
        np.subtract(g_new, g, out=self.y[slot])
        self.rho[slot] = 1.0 / ddot(self.s[slot], self.y[slot])
        self.newest = slot
        self.count = min(self.count + 1, self.capacity)

    def apply_inverse_hessian(self, vector: np.ndarray) -> None:
        """vector ← H·vector, H the L-BFGS inverse-Hessian approximation (in place)."""
        order = [(self.newest - j) % self.capacity for j in range(self.count)]  # newest first
        for i in order:
            self.alpha[i] = self.rho[i] * ddot(self.s[i], vector)
            daxpy(self.y[i], vector, a=-self.alpha[i])
        if self.count:
            vector *= 1.0 / (self.rho[self.newest] * ddot(self.y[self.newest], self.y[self.newest]))
        for i in reversed(order):
            beta = self.rho[i] * ddot(self.y[i], vector)
            daxpy(self.s[i], vector, a=self.alpha[i] - beta)


def _steepest_descent(g: np.ndarray, direction: np.ndarray) -> None:
    """direction ← −g, scaled to length at most 1: L-BFGS-B's first step, taken while no curvature is known."""
    np.negative(g, out=direction)
    direction *= 1.0 / max(np.linalg.norm(g), 1.0)


def _minimize(objective: _Objective, max_iter: int, tol: float,
              history: Optional[_PairHistory] = None) -> Tuple[np.ndarray, int, float]:
    size = objective.size
    w = np.zeros(size)
    g = np.empty(size)
    f = objective(w, g)
    w_new, g_new, direction = np.empty(size), np.empty(size), np.empty(size)
    history = history if history is not None else _PairHistory(size)
    if _largest_magnitude(g) <= tol:
        return w, 0, f
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        if history.count:
            np.negative(g, out=direction)
            history.apply_inverse_hessian(direction)
        else:
            _steepest_descent(g, direction)
        slope = ddot(g, direction)
        if not slope < 0:  # not a descent direction (numerically, or NaN): start again from −g
            history.clear()
            _steepest_descent(g, direction)
            slope = ddot(g, direction)
        step = 1.0
        while True:  # backtracking until the sufficient-decrease (Armijo) condition holds
            np.copyto(w_new, w)
            daxpy(direction, w_new, a=step)
            f_new = objective(w_new, g_new)
            if f_new <= f + ARMIJO * step * slope or step < SMALLEST_STEP:
                break
            step *= 0.5
        if not f_new <= f + ARMIJO * step * slope:  # no step decreases f (or it is not finite): keep w
            if history.count:
                history.clear()  # the stored curvature misled: try once more along −g
                continue
            warnings.warn("the classifier's L-BFGS found no step that decreases the loss; kept the last point",
                          ConvergenceWarning)
            return w, iteration, f
        # s·y from the directional derivatives (s = step × direction), so a refused pair is never written;
        # refused as L-BFGS-B refuses it, when s·y ≤ ε·(−s·g).
        curvature = step * (ddot(direction, g_new) - slope)
        if curvature > np.finfo(float).eps * (-step * slope):
            history.push(w_new, w, g_new, g)
        w, w_new = w_new, w
        g, g_new = g_new, g
        f_old, f = f, f_new
        if (f_old - f) / max(abs(f_old), abs(f), 1.0) <= RELATIVE_DECREASE_TOLERANCE:
            return w, iteration, f
        if _largest_magnitude(g) <= tol:
            return w, iteration, f
    warnings.warn(f"the classifier's L-BFGS stopped after max_iter={max_iter} iterations before converging",
                  ConvergenceWarning)
    return w, iteration, f


def fit_multinomial(X: csr_matrix, labels: Sequence[str], C: float, max_iter: int = 500, tol: float = 1e-4,
                    threads: int = 2, dense_columns: int = 0) -> MultinomialFit:
    """Class-balanced multinomial logistic regression (three or more labels) by threaded L-BFGS. The last
    ``dense_columns`` columns of X are multiplied as a dense array (same objective, less time)."""
    classes, label_index = np.unique(np.asarray(labels), return_inverse=True)
    if len(classes) < 3:
        raise ValueError("the multinomial fit needs at least three labels (sklearn fits two as a binary problem)")
    X = csr_matrix(X, dtype=np.float64)
    objective = _Objective(X, label_index, len(classes), C, max(1, int(threads)), dense_columns)
    try:
        w, iterations, loss = _minimize(objective, max_iter, tol)
    finally:
        objective.close()
    d, k = X.shape[1], len(classes)
    coef = np.ascontiguousarray(w[: d * k].reshape(d, k).T)
    return MultinomialFit(classes, coef, w[d * k:].copy(), iterations, loss)


def fit_logistic_regression(clf: "LogisticRegression", X: csr_matrix, labels: Sequence[str],
                            threads: int = 2, dense_columns: int = 0) -> "LogisticRegression":
    """Leaves sklearn's estimator fitted as ``clf.fit(X, labels)`` would (class-balanced, multinomial),
    by this module's L-BFGS: predict_proba, skops persistence and loading are sklearn's own."""
    if (clf.class_weight != "balanced" or not clf.fit_intercept or clf.penalty != "l2" or clf.solver != "lbfgs"
            or clf.multi_class not in ("auto", "multinomial")):
        # Another solver or multi_class="ovr" would make sklearn's predict_proba read these multinomial
        # coefficients one-vs-rest.
        raise ValueError("the threaded fit implements sklearn's lbfgs multinomial fit with class_weight="
                         "'balanced', an intercept and the L2 penalty only")
    fit = fit_multinomial(X, labels, C=clf.C, max_iter=clf.max_iter, tol=clf.tol, threads=threads,
                          dense_columns=dense_columns)
    clf.classes_ = fit.classes
    clf.coef_ = fit.coef
    clf.intercept_ = fit.intercept
    clf.n_iter_ = np.array([fit.iterations], dtype=np.int32)
    clf.n_features_in_ = X.shape[1]
    return clf
