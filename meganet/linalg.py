"""Column stacking and linear-operator helpers: the one place where `vec` and `mat` live.

The lectures stack columns, so ``vec(A @ X @ B) == kron(B.T, A) @ vec(X)``.  Every reshape
between a matrix and its vector of unknowns in meganet goes through these two functions, so
no module ever mixes C and Fortran order.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.sparse.linalg import LinearOperator, aslinearoperator

__all__ = ["vec", "mat", "as_operator", "to_dense", "matrix_operator"]


def vec(X: np.ndarray) -> np.ndarray:
    """vec(X): stack the columns of X into one vector (Fortran order), shape (X.size,)."""
    return np.asarray(X).reshape(-1, order="F")


def mat(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """mat(x, shape): the inverse of `vec`, refilling columns first."""
    x = np.asarray(x)
    if x.size != math.prod(shape):  # math.prod: np.prod costs more than the reshape here
        raise ValueError(f"mat: cannot reshape a vector of size {x.size} into shape {shape}")
    return x.reshape(shape, order="F")


def as_operator(A) -> LinearOperator:
    """A dense array, sparse matrix or LinearOperator as a scipy LinearOperator."""
    if isinstance(A, LinearOperator):
        return A
    return aslinearoperator(A)


def to_dense(A) -> np.ndarray:
    """The dense matrix of an operator, built column by column (for small checks only)."""
    A = as_operator(A)
    return A.matmat(np.eye(A.shape[1]))


def matrix_operator(left=None, right=None, shape=None) -> LinearOperator:
    """The operator X -> left @ X @ right acting on vec(X), with its transpose.

    For X of shape `shape` = (m, n) this is vec(left X right) = (right^T kron left) vec(X),
    applied without forming the Kronecker product. Either factor may be None (identity).
    """
    m, n = shape
    p = m if left is None else left.shape[0]
    q = n if right is None else right.shape[1]

    def apply(x, L, R, in_shape):
        X = mat(x, in_shape)
        if L is not None:
            X = L @ X
        if R is not None:
            X = X @ R
        return vec(X)

    return LinearOperator(
        (p * q, m * n),
        matvec=lambda x: apply(x, left, right, (m, n)),
        rmatvec=lambda y: apply(y, None if left is None else left.T,
                                None if right is None else right.T, (p, q)),
        dtype=float,
    )
