"""A fixed linear map Z = A Y with no parameters: pooling, stride, or any LinearOperator.

It joins stages of a network that change resolution (average pooling between the stages of a
residual CNN). J_theta has no columns; J_Y V = A V and J_Y^T W = A^T W.
"""
from __future__ import annotations

import numpy as np

from ..linalg import as_operator
from .base import Element
from .linearization import Linearization

__all__ = ["LinearMap"]


class LinearMapLinearization(Linearization):
    def __init__(self, layer, n):
        self.layer, self.n = layer, n
        self.n_params, self.n_in, self.n_out = 0, layer.n_in, layer.n_out

    def Jtheta(self, v):
        return np.zeros((self.n_out, self.n))

    def JthetaT(self, W):
        return np.zeros(0)

    def JY(self, V):
        return self.layer.A.matmat(V)

    def JYT(self, W):
        return self.layer.A.rmatmat(W)


class LinearMap(Element):
    """Z = A Y for a fixed A (matrix, sparse matrix or LinearOperator of shape (n_out, n_in))."""

    n_params = 0

    def __init__(self, A, name: str = "linear map"):
        self.A, self.name = as_operator(A), name
        self.n_out, self.n_in = self.A.shape

    def initial_parameters(self, seed: int = 0, **_):
        return np.zeros(0)

    def _forward(self, p, Y):
        return self.A.matmat(Y)

    def _linearize(self, p, Y):
        return self.A.matmat(Y), LinearMapLinearization(self, Y.shape[1])

    def __repr__(self) -> str:
        return f"LinearMap({self.name}, n_out={self.n_out}, n_in={self.n_in})"
