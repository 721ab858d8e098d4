"""The double layer Z = K_2(theta_2)^T sigma(K_1(theta_1) Y + b): a residual step's right-hand side.

As the right-hand side of a ResNet step, Y + h K_2^T sigma(K_1 Y + b), the layer can widen
inside (K_1: n -> m with m > n) and still return to the width n of Y. Parameters
p = [theta_1; b; theta_2]. With A = K_1 Y + B b and S = sigma(A),
    J_p v   = K_2(v_2)^T S + K_2^T (sigma'(A) * (K_1(v_1) Y + B v_b))
    J_p^T W = [K_1's gradient at (Y, G);  B^T G 1;  d/dtheta_2 <S, K_2(theta_2) W>],
              G = sigma'(A) * (K_2 W)
    J_Y V   = K_2^T (sigma'(A) * (K_1 V)),        J_Y^T W = K_1^T (sigma'(A) * (K_2 W))
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .base import Element
from .bias import Bias
from .linearization import Linearization
from .single_layer import fan_in_parameters

__all__ = ["DoubleLayer"]


class DoubleLayerLinearization(Linearization):
    def __init__(self, layer, theta1, theta2, Y, A, S, dsigma):
        self.layer, self.theta1, self.theta2, self.Y, self.S = layer, theta1, theta2, Y, S
        self.A, self.dsigma = A, dsigma
        self.n_params, self.n_in, self.n_out, self.n = layer.n_params, layer.n_in, layer.n_out, Y.shape[1]

    def Jtheta(self, v):
        L = self.layer
        v1, vb, v2 = L.split_unchecked(v)
        dA = L.K1._apply_linear(v1, self.Y) + L.bias.spread(vb)
        return L.K2._apply_transpose_linear(v2, self.S) + L.K2._apply_transpose(self.theta2, self.dsigma * dA)

    def JthetaT(self, W):
        L = self.layer
        K2W = L.K2._apply(self.theta2, W)
        G = self.dsigma * K2W
        # <W, K_2(theta_2)^T S> = <K_2(theta_2) W, S>: K_2's gradient with W as input, S as weight
        return np.concatenate([L.K1._gradient(self.Y, G), L.bias.collect(G), L.K2._gradient(W, self.S)])

    def JY(self, V):
        L = self.layer
        return L.K2._apply_transpose(self.theta2, self.dsigma * L.K1._apply(self.theta1, V))

    def JYT(self, W):
        L = self.layer
        return L.K1._apply_transpose(self.theta1, self.dsigma * L.K2._apply(self.theta2, W))


class DoubleLayer(Element):
    """Z = K_2(theta_2)^T sigma(K_1(theta_1) Y + B b); K_1 and K_2 have the same shape (m, n).

    n_in = n_out = n (the width of Y); m is the inner width. bias as in SingleLayer.
    """

    def __init__(self, K1, K2, sigma="tanh", bias="feature"):
        if K1.shape != K2.shape:
            raise ValueError(f"DoubleLayer needs K_1 and K_2 of the same shape (m, n), got "
                             f"{K1.shape} and {K2.shape}")
        self.K1, self.K2, self.sigma = K1, K2, get_activation(sigma)
        self.bias = Bias(K1, bias)
        self.n_bias = self.bias.size
        self.n_params = K1.n_theta + self.n_bias + K2.n_theta
        self.n_in = self.n_out = K1.n_in

    def split_unchecked(self, p):
        i, j = self.K1.n_theta, self.K1.n_theta + self.n_bias
        return p[:i], p[i:j], p[j:]

    def split(self, p):
        """(theta_1, b, theta_2) from p."""
        return self.split_unchecked(self.check_parameters(p))

    def initial_parameters(self, seed: int = 0, scale: float = 1.0, bias_scale: float = 1.0):
        """Fan-in scaled random [theta_1; b; theta_2] (see SingleLayer.initial_parameters)."""
        (t1, t2), b = fan_in_parameters([self.K1, self.K2], self.n_bias, seed, scale, bias_scale)
        return np.concatenate([t1, b, t2])

    def _parts(self, p, Y):
        theta1, b, theta2 = self.split_unchecked(p)
        A = self.K1._apply(theta1, Y) + self.bias.spread(b)
        return theta1, theta2, A, self.sigma._f(A)  # A is a float array: no conversion

    def _forward(self, p, Y):
        _, theta2, _, S = self._parts(p, Y)
        return self.K2._apply_transpose(theta2, S)

    def _linearize(self, p, Y):
        theta1, b, theta2 = self.split_unchecked(p)
        A = self.K1._apply(theta1, Y) + self.bias.spread(b)
        S, dsigma = self.sigma._f_df(A)
        return (self.K2._apply_transpose(theta2, S),
                DoubleLayerLinearization(self, theta1, theta2, Y, A, S, dsigma))

    def __repr__(self) -> str:
        return f"DoubleLayer({self.K1!r}, {self.K2!r}, sigma={self.sigma.name}, bias={self.bias.kind})"
