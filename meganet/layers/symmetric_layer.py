"""The symmetric layer Z = -K(theta)^T sigma(K(theta) Y + b): a parabolic (smoothing) step.

J_Y = -K^T diag(sigma'(A)) K is symmetric and negative semi-definite when sigma is monotone
(sigma' >= 0), so the ResNet step Y - h K^T sigma(K Y + b) is a forward-Euler step of a
parabolic (heat-like) equation: stable for small h, whatever K is learned (Ruthotto and Haber,
"Deep neural networks motivated by partial differential equations"). As the force of a
second-order (leapfrog) step it gives the hyperbolic network. Parameters p = [theta; b];
with A = K Y + B b, S = sigma(A), G = sigma'(A) * (K W):
    J_p v   = -K(v_theta)^T S - K^T (sigma'(A) * (K(v_theta) Y + B v_b))
    J_p^T W = -[d/dtheta <S, K(theta) W> + K's gradient at (Y, G);  B^T G 1]
    J_Y V   = -K^T (sigma'(A) * (K V)),           J_Y^T = J_Y
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .base import Element
from .bias import Bias
from .linearization import Linearization
from .single_layer import fan_in_parameters

__all__ = ["SymmetricLayer"]


class SymmetricLayerLinearization(Linearization):
    def __init__(self, layer, theta, Y, A, S, dsigma):
        self.layer, self.theta, self.Y, self.A, self.S, self.dsigma = layer, theta, Y, A, S, dsigma
        self.n_params, self.n_in, self.n_out, self.n = layer.n_params, layer.n_in, layer.n_out, Y.shape[1]

    def Jtheta(self, v):
        K, nt = self.layer.K, self.layer.K.n_theta
        dA = K._apply_linear(v[:nt], self.Y) + self.layer.bias.spread(v[nt:])
        return -K._apply_transpose_linear(v[:nt], self.S) - K._apply_transpose(self.theta, self.dsigma * dA)

    def JthetaT(self, W):
        K = self.layer.K
        G = self.dsigma * K._apply(self.theta, W)
        return -np.concatenate([K._gradient(W, self.S) + K._gradient(self.Y, G),
                                self.layer.bias.collect(G)])

    def JY(self, V):
        K = self.layer.K
        return -K._apply_transpose(self.theta, self.dsigma * K._apply(self.theta, V))

    JYT = JY


class SymmetricLayer(Element):
    """Z = -K(theta)^T sigma(K(theta) Y + B b); K of shape (m, n), n_in = n_out = n."""

    def __init__(self, kernel, sigma="tanh", bias="feature"):
        self.kernel, self.sigma = kernel, get_activation(sigma)
        self.bias = Bias(kernel, bias)
        self.n_bias = self.bias.size
        self.n_params = kernel.n_theta + self.n_bias
        self.n_in = self.n_out = kernel.n_in

    @property
    def K(self):
        """The kernel (K in the formulas)."""
        return self.kernel

    def split(self, p):
        """(theta, b) from p."""
        p = self.check_parameters(p)
        return p[:self.K.n_theta], p[self.K.n_theta:]

    def initial_parameters(self, seed: int = 0, scale: float = 1.0, bias_scale: float = 1.0):
        """Fan-in scaled random [theta; b] (see SingleLayer.initial_parameters)."""
        (theta,), b = fan_in_parameters([self.K], self.n_bias, seed, scale, bias_scale)
        return np.concatenate([theta, b])

    def _parts(self, p, Y):
        theta = p[:self.K.n_theta]
        A = self.K._apply(theta, Y) + self.bias.spread(p[self.K.n_theta:])
        return theta, A, self.sigma._f(A)  # A is a float array: no conversion

    def _forward(self, p, Y):
        theta, _, S = self._parts(p, Y)
        return -self.K._apply_transpose(theta, S)

    def _linearize(self, p, Y):
        theta = p[:self.K.n_theta]
        A = self.K._apply(theta, Y) + self.bias.spread(p[self.K.n_theta:])
        S, dsigma = self.sigma._f_df(A)
        return -self.K._apply_transpose(theta, S), SymmetricLayerLinearization(self, theta, Y, A, S, dsigma)

    def __repr__(self) -> str:
        return f"SymmetricLayer({self.K!r}, sigma={self.sigma.name}, bias={self.bias.kind})"
