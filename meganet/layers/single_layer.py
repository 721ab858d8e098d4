"""The single layer Z = sigma(K(theta) Y + b), with its linearisation in (theta, b) and in Y."""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .base import Element
from .bias import Bias
from .linearization import Linearization

__all__ = ["SingleLayer", "LayerLinearization", "fan_in_parameters"]


def fan_in_parameters(kernels, n_bias: int, seed: int, scale: float, bias_scale: float):
    """Random [theta_1; ...; b]: theta_k ~ N(0, scale^2 / fan_in_k), b ~ N(0, bias_scale^2).

    fan_in is the number of inputs that meet in one output (n_in for a dense kernel), so the
    pre-activations K y + b have about unit variance for inputs of unit variance.
    """
    rng = np.random.default_rng(seed)
    thetas = [scale / np.sqrt(max(K.fan_in, 1.0)) * rng.standard_normal(K.n_theta)
              for K in kernels]
    return thetas, bias_scale * rng.standard_normal(n_bias)


class LayerLinearization(Linearization):
    """Derivatives of Z = sigma(A), A = K(theta) Y + B b, at one point.

    Keeps Y, theta, the pre-activation A and dsigma = sigma'(A) (also for second-order methods).
    """

    def __init__(self, layer, theta, Y, A, dsigma):
        self.layer, self.theta, self.Y, self.A, self.dsigma = layer, theta, Y, A, dsigma
        self.n_params, self.n_in, self.n_out = layer.n_params, layer.n_in, layer.n_out
        self.n = Y.shape[1]

    def Jtheta(self, v):
        K, nt = self.layer.kernel, self.layer.kernel.n_theta
        return self.dsigma * (K._apply_linear(v[:nt], self.Y) + self.layer.bias.spread(v[nt:]))

    def JthetaT(self, W):
        return self._gradient_of(self.dsigma * W)

    def _gradient_of(self, G):
        """[K's J_theta^T vec(G); B^T G 1] for G = sigma'(A) * W, written into one vector."""
        kernel = self.layer.kernel
        g = np.empty(self.n_params)
        g[:kernel.n_theta] = kernel._gradient(self.Y, G)
        g[kernel.n_theta:] = self.layer.bias.collect(G)
        return g

    def JY(self, V):
        return self.dsigma * self.layer.kernel._apply(self.theta, V)

    def JYT(self, W):
        return self.layer.kernel._apply_transpose(self.theta, self.dsigma * W)

    # The shared-work forms below stand for the products above; a subclass that overrides a
    # product (e.g. to count or change it) gets the separate products instead.
    def _Jtheta_JY(self, v, V):
        cls = type(self)
        if V is None or cls.Jtheta is not LayerLinearization.Jtheta or cls.JY is not LayerLinearization.JY:
            return super()._Jtheta_JY(v, V)
        K, nt = self.layer.kernel, self.layer.kernel.n_theta
        return self.dsigma * (K._apply(self.theta, V) + K._apply_linear(v[:nt], self.Y)
                              + self.layer.bias.spread(v[nt:]))

    def _JthetaT_JYT(self, W, need_JYT=True):
        cls = type(self)
        if cls.JthetaT is not LayerLinearization.JthetaT or cls.JYT is not LayerLinearization.JYT:
            return super()._JthetaT_JYT(W, need_JYT)
        G = self.dsigma * W  # shared by both products
        return self._gradient_of(G), (self.layer.kernel._apply_transpose(self.theta, G)
                                      if need_JYT else None)


class SingleLayer(Element):
    """Z = sigma(K(theta) Y + B b) for a kernel K, an activation sigma, and a bias b.

    bias: "feature" (one b per output feature, B = I), "channel" (one b per output channel of a
    convolution, B spreads it over the pixels), or None. Parameters p = [theta; b], n_params.
        J_p v   = vec(sigma'(A) * (K(v_theta) Y + B v_b 1^T))
        J_p^T w = [K's J_theta^T vec(sigma'(A) * W);  B^T (sigma'(A) * W) 1]
        J_Y v   = vec(sigma'(A) * (K(theta) V)),   J_Y^T w = vec(K(theta)^T (sigma'(A) * W))
    """

    def __init__(self, kernel, sigma="tanh", bias="feature"):
        self.kernel, self.sigma = kernel, get_activation(sigma)
        self.bias = Bias(kernel, bias)
        self.n_bias = self.bias.size
        self.n_params = kernel.n_theta + self.n_bias
        self.n_in, self.n_out = kernel.n_in, kernel.n_out

    def check_parameters(self, p) -> np.ndarray:
        p = super().check_parameters(p)
        self.kernel._check_theta(p[:self.kernel.n_theta])  # e.g. theta >= 0 for an M-matrix
        return p

    def _check_constraints(self, p) -> None:
        self.kernel._check_constraints(p[:self.kernel.n_theta])

    def split(self, p):
        """(theta, b) from the parameter vector p."""
        p = self.check_parameters(p)
        return p[:self.kernel.n_theta], p[self.kernel.n_theta:]

    def initial_parameters(self, seed: int = 0, scale: float = 1.0, bias_scale: float = 1.0):
        """Random p = [theta; b]: theta ~ N(0, scale^2 / fan_in), b ~ N(0, bias_scale^2), seeded.

        fan_in is the number of inputs that meet in one output (n_in for a dense kernel), so
        the pre-activations K y + b have about unit variance for inputs of unit variance.
        """
        (theta,), b = fan_in_parameters([self.kernel], self.n_bias, seed, scale, bias_scale)
        return np.concatenate([theta, b])

    def _pre_activation(self, p, Y):
        nt = self.kernel.n_theta
        A, Bb = self.kernel._apply(p[:nt], Y), self.bias.spread(p[nt:])
        if A.flags.writeable and A.dtype == float and not np.may_share_memory(A, Y):
            A += Bb  # in place into the new array K(theta) Y: the same sum, one temporary less
            return p[:nt], A
        return p[:nt], A + Bb

    def _forward(self, p, Y):
        return self.sigma._f(self._pre_activation(p, Y)[1])  # A is a float array: no conversion

    def _linearize(self, p, Y):
        theta, A = self._pre_activation(p, Y)
        Z, dsigma = self.sigma._f_df(A)
        return Z, LayerLinearization(self, theta, Y, A, dsigma)

    def __repr__(self) -> str:
        return f"SingleLayer({self.kernel!r}, sigma={self.sigma.name}, bias={self.bias.kind})"
