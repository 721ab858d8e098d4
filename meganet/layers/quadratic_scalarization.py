"""Quadratic scalarisation (Pereyra et al. 2019): unit i maps an image X (L x L) to sigma(w_i^T X w_i).

An example is y = vec(X) (L^2 features; a batch Y is (L^2, n)); the layer has m units with
parameters theta = vec([w_1, ..., w_m]) (L m of them, against L^2 m for a dense layer) and
    Z_ij = sigma(a_ij),   a_ij = w_i^T X_j w_i = q_i^T y_j,   q_i = vec(w_i w_i^T) = w_i kron w_i.
So A = Q(theta) Y with Q's rows q_i^T: the layer is linear in Y, quadratic in theta. Notes:
- w^T X w = w^T S w with S = (X + X^T)/2: a unit sees only the symmetric part of X;
- w and -w give the same unit (a_ij is even in w_i): the parameters are defined up to signs.
Derivatives, with B_ij = (X_j + X_j^T) w_i (the gradient of a_ij in w_i) and G = sigma'(A) * W:
    J_theta v: dA_ij = v_i^T B_ij            J_theta^T W: g_i = sum_j G_ij B_ij
    J_Y V = sigma'(A) * (Q V)                J_Y^T W = Q^T (sigma'(A) * W)
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .base import Element
from .linearization import Linearization

__all__ = ["QuadraticScalarization"]


class QuadraticScalarizationLinearization(Linearization):
    def __init__(self, layer, Wm, Y, A, dsigma):
        self.layer, self.Wm, self.Y, self.A, self.dsigma = layer, Wm, Y, A, dsigma
        self.n_params, self.n_in, self.n_out, self.n = layer.n_params, layer.n_in, layer.n_out, Y.shape[1]
        L = layer.L
        X = Y.reshape(L, L, -1, order="F")                     # X[k, l, j] = (X_j)_kl
        # B[k, i, j] = ((X_j + X_j^T) w_i)_k
        self.B = np.einsum("klj,li->kij", X, Wm) + np.einsum("lkj,li->kij", X, Wm)

    def Jtheta(self, v):
        V = v.reshape(self.layer.L, -1, order="F")
        return self.dsigma * np.einsum("ki,kij->ij", V, self.B)

    def JthetaT(self, W):
        G = self.dsigma * W
        return np.einsum("ij,kij->ki", G, self.B).reshape(-1, order="F")

    def JY(self, V):
        return self.dsigma * (self.layer.Q(self.Wm) @ V)

    def JYT(self, W):
        return self.layer.Q(self.Wm).T @ (self.dsigma * W)


class QuadraticScalarization(Element):
    """Z = sigma(A), A_ij = w_i^T X_j w_i, for images X_j (L x L) in the columns of Y (L^2, n).

    m units, theta = vec([w_1, ..., w_m]) (n_params = L m); sigma "sigmoid" as in the paper.
    """

    def __init__(self, L: int, m: int, sigma="sigmoid"):
        if int(L) != L or L < 1 or int(m) != m or m < 1:
            raise ValueError(f"QuadraticScalarization needs integer sizes L >= 1 and m >= 1, got L={L}, m={m}")
        self.L, self.m, self.sigma = int(L), int(m), get_activation(sigma)
        self.n_params, self.n_in, self.n_out = self.L * self.m, self.L ** 2, self.m

    def units(self, p) -> np.ndarray:
        """[w_1, ..., w_m] as an (L, m) matrix."""
        return p.reshape(self.L, self.m, order="F")

    def Q(self, Wm) -> np.ndarray:
        """Q (m, L^2): row i is vec(w_i w_i^T)^T, so A = Q Y."""
        return (Wm[:, None, :] * Wm[None, :, :]).reshape(self.L ** 2, self.m, order="F").T  # w_i kron w_i

    def initial_parameters(self, seed: int = 0, scale: float = 1.0, **_):
        """w_i ~ N(0, scale^2 / L) entries, so a_ij = w_i^T X_j w_i is O(1) for O(1) pixels."""
        return scale / np.sqrt(self.L) * np.random.default_rng(seed).standard_normal(self.n_params)

    def _forward(self, p, Y):
        return self.sigma.f(self.Q(self.units(p)) @ Y)

    def _linearize(self, p, Y):
        Wm = self.units(p)
        A = self.Q(Wm) @ Y
        Z, dsigma = self.sigma.f_df(A)
        return Z, QuadraticScalarizationLinearization(self, Wm, Y, A, dsigma)

    def __repr__(self) -> str:
        return f"QuadraticScalarization(L={self.L}, m={self.m}, sigma={self.sigma.name})"
