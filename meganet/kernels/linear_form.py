"""K(theta) = mat(Q theta): a kernel whose entries are fixed linear combinations of theta.

Dense, diagonal, antisymmetric and M-matrix kernels are all of this form with a sparse Q of
shape (n_out n_in, n_theta); only Q differs. Because <W, K Y> = <W Y^T, K> = vec(W Y^T)^T Q theta,
    J_theta^T w = Q^T vec(W Y^T).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..linalg import mat, vec
from .base import Kernel
from .shifted import Shifted

__all__ = ["LinearFormKernel", "dense_kernel", "diagonal_kernel", "antisymmetric_kernel", "lower_triangle",
           "m_matrix_kernel"]


class LinearFormKernel(Kernel):
    """K(theta) = mat(Q theta, (n_out, n_in)) for a sparse Q (n_out n_in x n_theta).

    nonnegative=True restricts theta >= 0 (checked on apply; `project` clips onto it).
    """

    def __init__(self, Q, n_out: int, n_in: int, name: str = "linear form",
                 nonnegative: bool = False):
        Q = sp.csr_matrix(Q)
        if Q.shape[0] != n_out * n_in:
            raise ValueError(f"Q must have n_out * n_in = {n_out * n_in} rows, got {Q.shape[0]}")
        self.Q, self.n_out, self.n_in, self.n_theta = Q, int(n_out), int(n_in), Q.shape[1]
        self.name, self.nonnegative = name, nonnegative
        self._QT = Q.T.tocsr()  # for J_theta^T: transposing Q on every call costs more than the product
        # K = mat(theta) for a dense kernel: skip the sparse product (it dominates small layers)
        self._is_identity = (Q.shape[0] == Q.shape[1] and Q.nnz == Q.shape[0]
                             and np.array_equal(Q.indices, np.arange(Q.shape[0]))
                             and np.all(Q.data == 1))

    def _check_theta(self, theta):
        theta = super()._check_theta(theta)
        self._check_constraints(theta)
        return theta

    def _check_constraints(self, theta):
        if self.nonnegative and np.any(theta < 0):
            raise ValueError(f"the {self.name} kernel needs theta >= 0 (off-diagonal entries "
                             f"-theta <= 0); got min(theta) = {theta.min():.3g}; use "
                             "kernel.project(theta) to clip")

    def project(self, theta) -> np.ndarray:
        """The nearest admissible parameters (theta clipped at 0 if nonnegative)."""
        theta = super()._check_theta(theta)
        return np.maximum(theta, 0.0) if self.nonnegative else theta

    @property
    def fan_in(self) -> float:
        """Structurally nonzero entries of K(theta) per row (n_in dense, 1 diagonal, n - 1
        antisymmetric): the inputs that meet in one output."""
        return np.unique(self.Q.nonzero()[0]).size / self.n_out

    def matrix(self, theta) -> np.ndarray:
        """K(theta) = mat(Q theta)."""
        return mat(theta if self._is_identity else self.Q @ theta, self.shape)

    def _matrix(self, theta) -> np.ndarray:
        # mat(Q theta) for a checked theta (the reshape is vec's inverse, as in linalg.mat)
        return (theta if self._is_identity else self.Q @ theta).reshape(
            (self.n_out, self.n_in), order="F")

    def _apply(self, theta, Y):
        return self._matrix(theta) @ Y

    def _apply_transpose(self, theta, Z):
        return self._matrix(theta).T @ Z

    def _gradient(self, Y, W):
        G = vec(W @ Y.T)
        return G if self._is_identity else self._QT @ G

    def __repr__(self) -> str:
        return f"LinearFormKernel({self.name}, n_out={self.n_out}, n_in={self.n_in}, n_theta={self.n_theta})"


def _index(i, j, n_rows):
    """Position of entry (i, j) in vec of a matrix with n_rows rows."""
    return i + n_rows * j


def dense_kernel(n_out: int, n_in: int) -> LinearFormKernel:
    """K = mat(theta): every entry a parameter (Q = I)."""
    return LinearFormKernel(sp.identity(n_out * n_in), n_out, n_in, "dense")


def diagonal_kernel(n: int) -> LinearFormKernel:
    """K = diag(theta), n parameters."""
    i = np.arange(n)
    Q = sp.csr_matrix((np.ones(n), (_index(i, i, n), i)), shape=(n * n, n))
    return LinearFormKernel(Q, n, n, "diagonal")


def lower_triangle(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the strictly lower triangle of an n x n matrix, column by column (the
    order of vec): (1, 0), (2, 0), ..., (n-1, 0), (2, 1), ... The antisymmetric kernel's theta
    fills T in this order, so theta = K[lower_triangle(n)] for a matrix K."""
    j, i = np.triu_indices(n, 1)
    return i, j


def antisymmetric_kernel(n: int, gamma: float = 0.0):
    """K = T - T^T - gamma I with theta filling the strictly lower triangle T column by column
    (as vec does; see `lower_triangle`).

    The eigenvalues of T - T^T are purely imaginary; gamma > 0 shifts them to real part -gamma
    (a `Shifted` kernel), which keeps a forward-Euler ResNet step stable.
    """
    i, j = lower_triangle(n)
    k = np.arange(i.size)
    rows = np.concatenate([_index(i, j, n), _index(j, i, n)])
    Q = sp.csr_matrix((np.concatenate([np.ones(k.size), -np.ones(k.size)]),
                       (rows, np.concatenate([k, k]))), shape=(n * n, k.size))
    K = LinearFormKernel(Q, n, n, "antisymmetric")
    return Shifted(K, gamma) if gamma else K


def m_matrix_kernel(n: int) -> LinearFormKernel:
    """K with off-diagonal entries -theta_ij <= 0 and each row summing to zero (theta >= 0).

    The diagonal is K_ii = sum_{j != i} theta_ij, so K is a (weighted graph) Laplacian: an
    M-matrix whose eigenvalues have nonnegative real parts. n (n - 1) parameters, ordered as
    the off-diagonal entries of vec(K).
    """
    i, j = np.nonzero(~np.eye(n, dtype=bool).T)  # off-diagonal (row, col), column-major order
    order = np.lexsort((i, j))
    i, j = i[order], j[order]
    k = np.arange(i.size)
    rows = np.concatenate([_index(i, j, n), _index(i, i, n)])
    Q = sp.csr_matrix((np.concatenate([-np.ones(k.size), np.ones(k.size)]),
                       (rows, np.concatenate([k, k]))), shape=(n * n, k.size))
    return LinearFormKernel(Q, n, n, "M-matrix", nonnegative=True)
