"""The single layer Z = sigma(K(theta) Y + b), with its linearisation in (theta, b) and in Y."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, vec
from ..validation import as_vector
from .activations import get_activation

__all__ = ["SingleLayer", "LayerLinearization"]


@dataclass
class LayerLinearization:
    """Derivatives of Z = sigma(A), A = K(theta) Y + b 1^T, at one point.

    J_theta : LinearOperator (n_out n x n_params) in p = [theta; b]
    J_Y     : LinearOperator (n_out n x n_in n)
    A, dsigma : the pre-activation and sigma'(A), kept for second-order methods.
    """

    J_theta: LinearOperator
    J_Y: LinearOperator
    A: np.ndarray
    dsigma: np.ndarray


class SingleLayer:
    """Z = sigma(K(theta) Y + B b) for a kernel K, an activation sigma, and a bias b.

    bias: "feature" (one b per output feature, B = I), "channel" (one b per output channel of a
    convolution, B spreads it over the pixels), or None. Parameters p = [theta; b], n_params.
        J_p v   = vec(sigma'(A) * (K(v_theta) Y + B v_b 1^T))
        J_p^T w = [K's J_theta^T vec(sigma'(A) * W);  B^T (sigma'(A) * W) 1]
        J_Y v   = vec(sigma'(A) * (K(theta) V)),   J_Y^T w = vec(K(theta)^T (sigma'(A) * W))
    """

    def __init__(self, kernel, sigma="tanh", bias="feature"):
        self.kernel, self.sigma = kernel, get_activation(sigma)
        if bias not in ("feature", "channel", None):
            raise ValueError(f"bias must be 'feature', 'channel' or None, got {bias!r}")
        if bias == "channel" and not hasattr(kernel, "c_out"):
            raise ValueError("bias='channel' needs a convolution kernel (with output channels)")
        self.bias = bias
        self.n_bias = {"feature": kernel.n_out, "channel": getattr(kernel, "c_out", 0), None: 0}[bias]
        self.n_params = kernel.n_theta + self.n_bias
        self.n_in, self.n_out = kernel.n_in, kernel.n_out

    def split(self, p):
        """(theta, b) from the parameter vector p."""
        p = as_vector(p, "p (layer parameters [theta; b])", size=self.n_params)
        return p[:self.kernel.n_theta], p[self.kernel.n_theta:]

    def _spread(self, b):
        """B b: the bias as a column of n_out entries."""
        if self.bias == "channel":
            return np.repeat(b, self.kernel.n_out // self.kernel.c_out)
        return b if self.bias == "feature" else np.zeros(self.n_out)

    def _collect(self, G):
        """B^T applied to each column of G, summed over examples."""
        g = G.sum(axis=1)
        if self.bias == "channel":
            return g.reshape(-1, self.kernel.c_out, order="F").sum(axis=0)
        return g if self.bias == "feature" else np.zeros(0)

    def initial_parameters(self, seed: int = 0, scale: float = 1.0, bias_scale: float = 1.0):
        """Random p = [theta; b]: theta ~ N(0, scale^2 / fan_in), b ~ N(0, bias_scale^2), seeded.

        fan_in is the number of inputs that meet in one output (n_in for a dense kernel), so
        the pre-activations K y + b have about unit variance for inputs of unit variance.
        """
        rng = np.random.default_rng(seed)
        fan_in = max(self.kernel.n_theta / self.kernel.n_out, 1.0)
        theta = scale / np.sqrt(fan_in) * rng.standard_normal(self.kernel.n_theta)
        return np.concatenate([theta, bias_scale * rng.standard_normal(self.n_bias)])

    def forward(self, p, Y) -> np.ndarray:
        theta, b = self.split(p)
        return self.sigma.f(self.kernel.apply(theta, Y) + self._spread(b)[:, None])

    def linearize(self, p, Y):
        """(Z, LayerLinearization)."""
        theta, b = self.split(p)
        KY, klin = self.kernel.linearize(theta, Y)
        A = KY + self._spread(b)[:, None]
        ds = self.sigma.df(A)
        n = A.shape[1]
        nt = self.kernel.n_theta

        def jp(v):
            v = np.asarray(v).reshape(-1)
            return vec(ds * (mat(klin.J_theta.matvec(v[:nt]), A.shape) + self._spread(v[nt:])[:, None]))

        def jpT(w):
            G = ds * mat(w, A.shape)
            return np.concatenate([klin.J_theta.rmatvec(vec(G)), self._collect(G)])

        J_theta = LinearOperator((A.size, self.n_params), matvec=jp, rmatvec=jpT, dtype=float)
        J_Y = LinearOperator((A.size, self.n_in * n), dtype=float,
                             matvec=lambda v: vec(ds) * klin.J_Y.matvec(v),
                             rmatvec=lambda w: klin.J_Y.rmatvec(vec(ds) * np.asarray(w).reshape(-1)))
        return self.sigma.f(A), LayerLinearization(J_theta, J_Y, A, ds)

    def __repr__(self) -> str:
        return f"SingleLayer({self.kernel!r}, sigma={self.sigma.name}, bias={self.bias})"
