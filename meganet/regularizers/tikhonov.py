"""Tikhonov regularisation of weights W with a general operator L."""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import as_operator, mat, vec
from ..validation import as_matrix, check_positive

__all__ = ["Tikhonov"]


class Tikhonov:
    """R(W) = alpha/2 ||W L^T||_F^2 = alpha/2 sum_i ||L w_i||^2  (w_i^T the rows of W).

    Each row of W holds the weights of one output over the n_f features, so L (shape (m, n_f))
    acts on a row as on a feature vector (an image, for `gradient_2d`/`laplacian_2d`).
        grad R = alpha W L^T L,     H [dW] = alpha dW L^T L.
    On vec(W), R = alpha/2 ||(L kron I) vec(W)||^2; `operator(shape)` gives L kron I.
    L=None means the identity (weight decay).
    """

    def __init__(self, alpha: float = 1.0, L=None):
        self.alpha = check_positive(alpha, "alpha (regularisation weight)")
        self.L = None if L is None else as_operator(L)

    def _check(self, W) -> np.ndarray:
        W = as_matrix(W, "W")
        if self.L is not None and self.L.shape[1] != W.shape[1]:
            raise ValueError(f"L acts on {self.L.shape[1]} features but W has {W.shape[1]} "
                             "columns (W is n_outputs x n_features)")
        return W

    def _LtL(self, W: np.ndarray) -> np.ndarray:
        """W L^T L, row by row."""
        return W if self.L is None else self.L.rmatmat(self.L.matmat(W.T)).T

    def value(self, W) -> float:
        """R(W)."""
        W = self._check(W)
        LW = W if self.L is None else self.L.matmat(W.T)
        return 0.5 * self.alpha * float(np.sum(LW * LW))

    def linearize(self, W):
        """(R(W), grad R as a matrix like W, Hessian as a LinearOperator on vec(W))."""
        W = self._check(W)
        shape = W.shape
        hess = lambda v: vec(self.alpha * self._LtL(mat(v, shape)))  # noqa: E731
        H = LinearOperator((W.size, W.size), matvec=hess, rmatvec=hess, dtype=float)
        return self.value(W), self.alpha * self._LtL(W), H

    def operator(self, shape) -> LinearOperator:
        """L kron I_{n_rows}: vec(W) -> vec(W L^T), so that R = alpha/2 ||operator @ vec(W)||^2."""
        n_rows, n_f = shape
        if self.L is None:
            return as_operator(np.eye(n_rows * n_f))
        L = self.L
        m = L.shape[0]
        return LinearOperator(
            (m * n_rows, n_f * n_rows),
            matvec=lambda x: vec(L.matmat(mat(x, shape).T).T),
            rmatvec=lambda y: vec(L.rmatmat(mat(y, (n_rows, m)).T).T),
            dtype=float,
        )

    def __repr__(self) -> str:
        return f"Tikhonov(alpha={self.alpha:g}, L={'I' if self.L is None else self.L.shape})"
