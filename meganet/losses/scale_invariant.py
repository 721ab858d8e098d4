"""The scale-invariant classification stage of Tygert, Szlam, Chintala, Ranzato, Tian and Zaremba.

For scores S = W Z (the paper's A x, one column s_j per example) the stage outputs the direction

    z_j = s_j / ||s_j||                        (a unit vector: the length of s_j is forgotten)

and compares it with the target t_c of the example's class c: the k targets are the vertices of a
regular simplex on the unit sphere, centred at the origin (t_a^T t_b = -1/(k-1) for a != b). The
cost is the squared distance, averaged over the n examples,

    E(S, C) = 1/n sum_j ||z_j - t_{c_j}||^2 = 1/n sum_j 2 (1 - t_{c_j}^T z_j)      in [0, 4].

It is bounded (one example, however badly labelled, adds at most 4/n) and invariant to scaling:
E(c S, C) = E(S, C) for every c > 0, so E(W (c Z)) = E((c W) Z) = E(W Z). A negative factor flips
every direction, z -> -z, so E(-S, C) = 4 - E(S, C) and each prediction moves to another class:
for negative numbers the stage is invariant only up to that sign (or after features that are even
functions of the input).

Choices. The cost is the full squared distance (in [0, 4]), not half of it; half would only halve
the gradient, i.e. rescale the learning rate. A regular simplex with k vertices spans k - 1
dimensions; by default it sits in R^k (the plane 1^T t = 0, `simplex_targets(k)`), so that W has
one row per class exactly as in softmax regression: the two stages then share the network, the
number of parameters and the renormalisation ||W||_F = sqrt(rows), and the nearest target is the
largest score. The component of s along 1 is wasted (the cost can only penalise it);
`ScaleInvariant(simplex_targets(k, k - 1))` is the minimal version with k - 1 rows.

Derivatives for one column s (r = ||s||, z = s/r, t its target, a = t^T z; divide by n for E):

    de/ds        = -(2/r) (t - a z)                          (orthogonal to s: Euler, degree 0)
    d2e/ds2 [d]  = (2/r^2) [ t (z^T d) + z (t^T d) + a d - 3 a z (z^T d) ]   (symmetric)

Since e has degree 0 in s, s^T de/ds = 0 and d2e/ds2 [s] = -de/ds (the gradient has degree -1).

Prediction: the nearest target, argmax_c t_c^T z_j; for the default targets this is the largest
score, argmax_i S_ij, as for softmax regression.

Numerics. Each column is divided by its largest |entry| m_j before its norm is taken, so
||s_j|| neither overflows (S up to 1e308) nor underflows; the gradient factor is formed as
(1/m_j)/||s_j/m_j||, which is finite whenever m_j is at least the smallest normal number
(2.2e-308). The value and gradient are finite for every finite S; a Hessian product overflows
only where its true value does (||dS|| / ||s_j||^2 beyond 1e308). The value is computed as
||z - t||^2, not 2 - 2 t^T z, so it keeps its relative accuracy near a perfect fit.

A zero column (s_j = 0, or so small that 1/||s_j|| is not a float: every |entry| below 2.2e-308)
has no direction. We give it a defined value rather than an error, because it happens in normal
use (a ReLU network whose features all vanish for one example must not stop a training run):
its cost is 2, the average of ||z - t||^2 over all unit vectors z (the value at the origin of the
cost averaged over directions), its gradient and Hessian are zero, and it is predicted as class
-1 (no class: always counted wrong). W = 0 makes every column zero and is a fixed point of any
gradient method: start from a nonzero W (see meganet.optim.sgd.classifier_renormalization).
"""
from __future__ import annotations

import numpy as np

from ..validation import as_matrix, check_one_hot
from .base import Loss

__all__ = ["ScaleInvariant", "simplex_targets"]

_TINY = np.finfo(float).tiny  # the smallest normal number: 1/_TINY is finite


def simplex_targets(n_classes: int, dimension: int | None = None) -> np.ndarray:
    """The k = n_classes vertices of a regular simplex on the unit sphere, one per column.

    dimension None or k: T = sqrt(k/(k-1)) (I - 1 1^T / k), shape (k, k): the centred standard
    basis, scaled to unit columns. The targets lie in the plane 1^T t = 0, and t_c^T s =
    sqrt(k/(k-1)) (s_c - mean(s)), so the nearest target is the largest score.
    dimension k - 1: the same simplex in R^(k-1) (coordinates in an orthonormal basis of that
    plane), shape (k-1, k): the smallest space that holds it.
    In both, ||t_c|| = 1 and t_a^T t_b = -1/(k-1) for a != b, and the targets sum to zero.
    """
    k = int(n_classes)
    if k != n_classes or k < 2:
        raise ValueError(f"n_classes must be an integer >= 2 (a simplex needs two vertices), got {n_classes!r}")
    T = np.sqrt(k / (k - 1)) * (np.eye(k) - 1.0 / k)
    if dimension is None or dimension == k:
        return T
    if dimension != k - 1:
        raise ValueError(f"dimension must be n_classes ({k}) or n_classes - 1 ({k - 1}), got {dimension!r}")
    # an orthonormal basis Q (k x (k-1)) of the plane 1^T t = 0: QR of the centred basis
    Q = np.linalg.qr(np.eye(k) - 1.0 / k)[0][:, :k - 1]
    return Q.T @ T


class ScaleInvariant(Loss):
    """E(S, C) = 1/n sum_j ||s_j/||s_j|| - t_{c_j}||^2, bounded in [0, 4], invariant to S -> c S, c > 0.

    targets: None (default) for the regular simplex in R^k of `simplex_targets(k)`, built for the
    k classes of the labels, so W has one row per class as in softmax regression; or a matrix
    T (d, k) with unit columns, one target per class (e.g. `simplex_targets(k, k - 1)`), and then
    W has d rows. C: one-hot columns (k, n). See the module docstring for the derivatives, the
    numerics and the convention for a zero column of scores.
    """

    name = "scale-invariant (simplex targets)"

    def __init__(self, targets=None):
        if targets is not None:
            T = as_matrix(targets, "targets (d, n_classes), one unit column per class")
            if T.shape[1] < 2:
                raise ValueError(f"targets must have one column per class and at least 2 classes, got shape {T.shape}")
            norms = np.linalg.norm(T, axis=0)
            if not np.allclose(norms, 1.0, rtol=0, atol=1e-12):
                raise ValueError(f"targets must be unit vectors (points on the sphere); column norms "
                                 f"range from {norms.min():.3g} to {norms.max():.3g}")
            targets = T
        self.targets = targets
        self._simplex = {}  # k -> simplex_targets(k), built once per number of classes

    # --- labels and targets ---------------------------------------------------------------
    def target_matrix(self, n_classes: int) -> np.ndarray:
        """T (d, k): the target of class c in column c."""
        if self.targets is not None:
            return self.targets
        if n_classes not in self._simplex:
            self._simplex[n_classes] = simplex_targets(n_classes)
        return self._simplex[n_classes]

    def n_scores(self, C) -> int:
        return np.shape(C)[0] if self.targets is None else self.targets.shape[0]

    def _check_labels(self, C, n_scores, n_examples):
        C = check_one_hot(C, "C", n_examples=n_examples)
        k = C.shape[0]
        if self.targets is None and k < 2:
            raise ValueError(f"C must have at least 2 classes (rows) for simplex targets, got {k}")
        if self.targets is not None and k != self.targets.shape[1]:
            raise ValueError(f"C has {k} classes but the targets have {self.targets.shape[1]} columns "
                             "(one target per class)")
        d = self.n_scores(C)
        if n_scores != d:
            raise ValueError(f"the scores W Z have {n_scores} rows but the targets live in R^{d}; "
                             f"W needs {d} rows")
        return C

    # --- the stage ------------------------------------------------------------------------
    @staticmethod
    def _directions(S):
        """(Z, inv_r, zero): unit columns z_j, 1/||s_j|| (finite), and the mask of zero columns."""
        m = np.max(np.abs(S), axis=0)
        zero = m < _TINY
        m_safe = np.where(zero, 1.0, m)
        U = S / m_safe                                  # entries in [-1, 1], largest |entry| 1
        rho = np.linalg.norm(U, axis=0)                 # in [1, sqrt(d)] where not zero
        rho_safe = np.where(zero, 1.0, rho)
        Z = np.where(zero, 0.0, U / rho_safe)
        inv_r = np.where(zero, 0.0, (1.0 / m_safe) / rho_safe)
        return Z, inv_r, zero

    def output(self, S) -> np.ndarray:
        """The stage's output z_j = s_j / ||s_j|| column by column (a zero column gives 0)."""
        S = as_matrix(S, "S (scores W Z)")
        return self._directions(S)[0]

    def _derivatives_in_scores(self, S, C):
        n = S.shape[1]
        Z, inv_r, zero = self._directions(S)
        Tc = self.target_matrix(C.shape[0]) @ C         # the target of each example, (d, n)
        D = Z - Tc
        e = np.where(zero, 2.0, np.sum(D * D, axis=0))
        E = float(np.sum(e)) / n
        a = np.sum(Tc * Z, axis=0)                      # t^T z (0 for a zero column)
        G = -(2.0 * inv_r / n) * (Tc - a * Z)           # zero columns: inv_r = 0

        def hess(dS):
            zd = np.sum(Z * dS, axis=0)
            td = np.sum(Tc * dS, axis=0)
            B = Tc * zd + Z * td + a * dS - 3.0 * a * zd * Z
            # (2/r) ((1/r) B): overflows only where the true product does
            return (2.0 * inv_r / n) * (inv_r * B)

        return E, G, hess

    def predict(self, S):
        """The class of the nearest target, argmax_c t_c^T z_j; -1 for a zero column."""
        S = as_matrix(S, "S (scores W Z)")
        Z, _, zero = self._directions(S)
        T = self.target_matrix(S.shape[0])
        return np.where(zero, -1, np.argmax(T.T @ Z, axis=0))

    def __repr__(self) -> str:
        return "ScaleInvariant()" if self.targets is None else f"ScaleInvariant(targets of shape {self.targets.shape})"
