"""Second order in time (leapfrog): Y_{j+1} = 2 Y_j - Y_{j-1} + h^2 f(theta_j, Y_j), Y_{-1} = Y_0.

With f = -K^T sigma(K Y + b) (SymmetricLayer) and convolution kernels this is the hyperbolic
residual CNN of Ruthotto and Haber: a wave-like equation d^2Y/dt^2 = f(theta(t), Y) that
neither damps nor amplifies (the leapfrog scheme is time-reversible: Y_{j-1} follows from
Y_{j+1} and Y_j). Y_{-1} = Y_0 means zero initial velocity. The states (Y_{j+1}, Y_j) step by
    (a, b) -> (2a - b + h^2 f(theta_j, a), a), whose transpose on adjoints (u, s) is
    (u, s) -> (2u + h^2 J_Y^(j)T u + s, -u),   g_j = h^2 J_theta^(j)T u.
One sweep per product over the N kept states; memory O(N x width x examples).
"""
from __future__ import annotations

import numpy as np

from ..layers import Linearization
from .time_stepping import TimeStepping

__all__ = ["HyperbolicNet"]


class HyperbolicLinearization(Linearization):
    def __init__(self, net, lins, states):
        self.net, self.lins, self.states = net, lins, states
        self.n_params, self.n_in, self.n_out = net.n_params, net.n_in, net.n_out
        self.n = states[0].shape[1]

    def _tangent(self, dY, V):
        """Forward sweep from dY_0 = dY (and dY_{-1} = dY_0); V: parameter directions or None."""
        h2 = self.net.h ** 2
        previous = dY
        for j, lin in enumerate(self.lins):
            force = lin.JY(dY) if V is None else lin.JY(dY) + lin.Jtheta(V[:, j])
            dY, previous = 2 * dY - previous + h2 * force, dY
        return dY

    def _adjoint(self, W, want_theta):
        h2 = self.net.h ** 2
        G = np.empty((self.net.n_layer, self.net.n_steps)) if want_theta else None
        u, s = W, 0.0
        for j in range(self.net.n_steps - 1, -1, -1):
            lin = self.lins[j]
            if want_theta:
                G[:, j] = h2 * lin.JthetaT(u)
            u, s = 2 * u + h2 * lin.JYT(u) + s, -u
        return G, u + s

    def Jtheta(self, v):
        return self._tangent(np.zeros((self.n_in, self.n)), v.reshape(self.net.n_layer, -1, order="F"))

    def JthetaT(self, W):
        return self._adjoint(W, True)[0].reshape(-1, order="F")

    def JY(self, V):
        return self._tangent(V, None)

    def JYT(self, W):
        return self._adjoint(W, False)[1]


class HyperbolicNet(TimeStepping):
    """Y_{j+1} = 2 Y_j - Y_{j-1} + h^2 layer(theta_j, Y_j), Y_{-1} = Y_0; N steps, h = T/N."""

    def __init__(self, layer, n_steps: int, T: float = 1.0):
        if layer.n_in != layer.n_out:
            raise ValueError(f"HyperbolicNet: the layer must keep the width (n_in = n_out); "
                             f"{layer!r} maps {layer.n_in} -> {layer.n_out}")
        super().__init__([layer], n_steps, T)
        self.layer = layer
        self.n_in = self.n_out = layer.n_in

    def with_steps(self, n_steps):
        return HyperbolicNet(self.layer, n_steps, self.T)

    def _forward(self, p, Y):
        return self._run(p, Y, linearize=False)[0]

    def _linearize(self, p, Y):
        Y, lins, states = self._run(p, Y, linearize=True)
        return Y, HyperbolicLinearization(self, lins, states)

    def _run(self, p, Y, linearize):
        Theta, h2 = p.reshape(self.n_layer, -1, order="F"), self.h ** 2
        previous, states, lins = Y, [Y], []
        for j in range(self.n_steps):
            if linearize:
                F, lin = self.layer._linearize(Theta[:, j], Y)
                lins.append(lin)
            else:
                F = self.layer._forward(Theta[:, j], Y)
            Y, previous = 2 * Y - previous + h2 * F, Y
            states.append(Y)
        return Y, lins, states

    def __repr__(self) -> str:
        return f"HyperbolicNet({self.layer!r}, n_steps={self.n_steps}, T={self.T:g})"
