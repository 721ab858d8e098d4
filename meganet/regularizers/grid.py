"""Difference operators on image grids, for smoothness regularisation of weight images.

An image I of shape (n1, n2) is stored as x = vec(I) (columns stacked). With the 1-D forward
difference D_n (shape (n-1, n), rows [-1, 1]) the 2-D operators are Kronecker products:

    D_1 = I_{n2} kron D_{n1}   (differences down each column, along axis 0)
    D_2 = D_{n2} kron I_{n1}   (differences along each row, along axis 1)
    gradient  G = [D_1; D_2]                  shape (n1-1) n2 + n1 (n2-1)  x  n1 n2
    Laplacian L = D_1^T D_1 + D_2^T D_2       (minus the 5-point Laplacian, Neumann boundary)
"""
from __future__ import annotations

import scipy.sparse as sp

__all__ = ["difference_1d", "gradient_2d", "laplacian_2d", "identity"]


def _check_shape(shape) -> tuple[int, int]:
    if len(shape) != 2 or min(shape) < 2:
        raise ValueError(f"an image grid needs shape (n1, n2) with n1, n2 >= 2, got {tuple(shape)}")
    return int(shape[0]), int(shape[1])


def difference_1d(n: int) -> sp.csr_matrix:
    """Forward differences D_n of shape (n-1, n): (D x)_i = x_{i+1} - x_i."""
    if n < 2:
        raise ValueError(f"difference_1d needs n >= 2 points, got {n}")
    return sp.diags([-1.0, 1.0], [0, 1], shape=(n - 1, n), format="csr")


def gradient_2d(shape) -> sp.csr_matrix:
    """The discrete gradient G = [D_1; D_2] on an (n1, n2) grid, acting on vec(I)."""
    n1, n2 = _check_shape(shape)
    D1 = sp.kron(sp.identity(n2), difference_1d(n1))
    D2 = sp.kron(difference_1d(n2), sp.identity(n1))
    return sp.vstack([D1, D2]).tocsr()


def laplacian_2d(shape) -> sp.csr_matrix:
    """L = G^T G on an (n1, n2) grid: symmetric positive semidefinite, constants in its kernel."""
    G = gradient_2d(shape)
    return (G.T @ G).tocsr()


def identity(n: int) -> sp.csr_matrix:
    """The identity on n features (plain weight decay)."""
    return sp.identity(int(n), format="csr")
