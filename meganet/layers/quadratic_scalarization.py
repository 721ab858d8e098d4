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

Channels (the paper's colour variant): with c > 1 an example is y = [vec(X^1); ...; vec(X^c)]
(c L^2 features, channel blocks as in the convolutions) and the channels are combined by
learned weights beta (c numbers, shared by all units) before the units act:
    X_j = sum_k beta_k X_j^k,   theta = [vec([w_1, ..., w_m]); beta]   (L m + c parameters).
Then dA = Q dY-combined in Y, and in beta dA_ij = sum_k dbeta_k (Q Y^k)_ij. (beta and w share
a scale: (s beta, w / sqrt(s)) gives the same layer for s > 0.)
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .base import Element
from .linearization import Linearization

__all__ = ["QuadraticScalarization"]


class QuadraticScalarizationLinearization(Linearization):
    def __init__(self, layer, Wm, beta, Y, A, dsigma):
        self.layer, self.Wm, self.beta, self.dsigma = layer, Wm, beta, dsigma
        self.n_params, self.n_in, self.n_out, self.n = layer.n_params, layer.n_in, layer.n_out, Y.shape[1]
        L = layer.L
        self.Q = layer.Q(Wm)
        X = layer.combine(Y, beta).reshape(L, L, -1, order="F")      # X[k, l, j] = (X_j)_kl
        # B[k, i, j] = ((X_j + X_j^T) w_i)_k
        self.B = np.einsum("klj,li->kij", X, Wm) + np.einsum("lkj,li->kij", X, Wm)
        # QY[i, k, j] = (Q Y^k)_ij: what a change of the channel weights does (channels only)
        self.QY = None if beta is None else \
            (self.Q @ Y.reshape(L * L, -1, order="F")).reshape(layer.m, layer.channels, -1, order="F")

    def Jtheta(self, v):
        layer = self.layer
        V = v[:layer.n_units_params].reshape(layer.L, -1, order="F")
        dA = np.einsum("ki,kij->ij", V, self.B)
        if self.QY is not None:
            dA += np.einsum("k,ikj->ij", v[layer.n_units_params:], self.QY)
        return self.dsigma * dA

    def JthetaT(self, W):
        G = self.dsigma * W
        g = np.einsum("ij,kij->ki", G, self.B).reshape(-1, order="F")
        if self.QY is not None:
            g = np.concatenate([g, np.einsum("ij,ikj->k", G, self.QY)])
        return g

    def JY(self, V):
        return self.dsigma * (self.Q @ self.layer.combine(V, self.beta))

    def JYT(self, W):
        U = self.Q.T @ (self.dsigma * W)
        if self.beta is None:
            return U
        return (U[:, None, :] * self.beta[None, :, None]).reshape(-1, U.shape[1], order="F")


class QuadraticScalarization(Element):
    """Z = sigma(A), A_ij = w_i^T X_j w_i, for images X_j (L x L) in the columns of Y (L^2, n).

    m units, theta = vec([w_1, ..., w_m]) (n_params = L m); sigma "sigmoid" as in the paper.
    channels c > 1: Y is (c L^2, n) and the channels are combined by learned weights beta,
    theta = [vec([w_1, ..., w_m]); beta] (n_params = L m + c).
    """

    def __init__(self, L: int, m: int, sigma="sigmoid", channels: int = 1):
        for name, value in (("L", L), ("m", m), ("channels", channels)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"QuadraticScalarization needs integer sizes L, m, channels >= 1, "
                                 f"got {name}={value!r}")
        self.L, self.m, self.channels, self.sigma = int(L), int(m), int(channels), get_activation(sigma)
        self.n_units_params = self.L * self.m
        self.n_params = self.n_units_params + (self.channels if self.channels > 1 else 0)
        self.n_in, self.n_out = self.channels * self.L ** 2, self.m

    def units(self, p) -> np.ndarray:
        """[w_1, ..., w_m] as an (L, m) matrix."""
        return p[:self.n_units_params].reshape(self.L, self.m, order="F")

    def channel_weights(self, p):
        """beta (channels,), or None for one channel."""
        return p[self.n_units_params:] if self.channels > 1 else None

    def combine(self, Y, beta) -> np.ndarray:
        """sum_k beta_k Y^k over the channel blocks of Y (c L^2, n) -> (L^2, n); Y itself if one channel."""
        if beta is None:
            return Y
        return np.einsum("pkn,k->pn", Y.reshape(self.L ** 2, self.channels, -1, order="F"), beta)

    def Q(self, Wm) -> np.ndarray:
        """Q (m, L^2): row i is vec(w_i w_i^T)^T, so A = Q Y."""
        return (Wm[:, None, :] * Wm[None, :, :]).reshape(self.L ** 2, self.m, order="F").T  # w_i kron w_i

    def initial_parameters(self, seed: int = 0, scale: float = 1.0, **_):
        """w_i ~ N(0, scale^2 / L) entries, so a_ij = w_i^T X_j w_i is O(1) for O(1) pixels;
        channel weights 1 / c (the mean of the channels)."""
        w = scale / np.sqrt(self.L) * np.random.default_rng(seed).standard_normal(self.n_units_params)
        return w if self.channels == 1 else np.concatenate([w, np.full(self.channels, 1 / self.channels)])

    def _forward(self, p, Y):
        return self.sigma.f(self.Q(self.units(p)) @ self.combine(Y, self.channel_weights(p)))

    def _linearize(self, p, Y):
        Wm, beta = self.units(p), self.channel_weights(p)
        A = self.Q(Wm) @ self.combine(Y, beta)
        Z, dsigma = self.sigma.f_df(A)
        return Z, QuadraticScalarizationLinearization(self, Wm, beta, Y, A, dsigma)

    def __repr__(self) -> str:
        extra = f", channels={self.channels}" if self.channels > 1 else ""
        return f"QuadraticScalarization(L={self.L}, m={self.m}, sigma={self.sigma.name}{extra})"
