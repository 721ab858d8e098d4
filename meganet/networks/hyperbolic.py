"""Second order in time (leapfrog): Y_{j+1} = 2 Y_j - Y_{j-1} + h^2 f(theta_j, Y_j).

With f = -K^T sigma(K Y + b) (SymmetricLayer) and convolution kernels this is the hyperbolic
residual CNN of Ruthotto and Haber: a wave-like equation d^2Y/dt^2 = f(theta(t), Y) that
neither damps nor amplifies (leapfrog is time-reversible: Y_{j-1} follows from Y_{j+1} and
Y_j). The start has zero velocity, Y'(0) = 0, by the central difference Y_{-1} = Y_1, so the
first step is Y_1 = Y_0 + h^2/2 f(theta_0, Y_0) and the scheme is second-order accurate.
With c_0 = h^2/2, c_j = h^2 (j >= 1), the states (Y_{j+1}, Y_j) step by
    (a, b) -> (2a - b + c_j f(theta_j, a), a)      (j >= 1; step 0: a -> a + c_0 f(theta_0, a))
whose transpose on adjoints (u, s) is
    (u, s) -> (2u + c_j J_Y^(j)T u + s, -u),   g_j = c_j J_theta^(j)T u.
One sweep per product over the N kept states; memory O(N x width x examples).
"""
from __future__ import annotations

import numpy as np

from .time_stepping import NetworkLinearization, TimeStepping

__all__ = ["HyperbolicNet"]


class HyperbolicLinearization(NetworkLinearization):
    def _tangent(self, dY, V):
        """Forward sweep from dY_0 = dY; V: parameter directions (columns per step) or None."""
        previous = None
        for j, lin in enumerate(self.lins):
            force = lin.JY(dY) if V is None else lin.JY(dY) + lin.Jtheta(V[:, j])
            c = self.net.coefficient(j)
            dY, previous = (dY + c * force if previous is None
                            else 2 * dY - previous + c * force), dY
        return dY

    def _adjoint(self, W, want_theta):
        G = np.empty((self.net.n_layer, self.net.n_steps)) if want_theta else None
        u, s = W, 0.0
        for j in range(self.net.n_steps - 1, -1, -1):
            lin, c = self.lins[j], self.net.coefficient(j)
            if want_theta:
                G[:, j] = c * lin.JthetaT(u)
            if j > 0:
                u, s = 2 * u + c * lin.JYT(u) + s, -u
            elif not want_theta:
                u = u + c * lin.JYT(u) + s
        return G, u

    def Jtheta(self, v):
        return self._tangent(np.zeros((self.n_in, self.n)), v.reshape(self.net.n_layer, -1, order="F"))

    def JthetaT(self, W):
        return self._adjoint(W, True)[0].reshape(-1, order="F")

    def JY(self, V):
        return self._tangent(V, None)

    def JYT(self, W):
        return self._adjoint(W, False)[1]


class HyperbolicNet(TimeStepping):
    """Y_{j+1} = 2 Y_j - Y_{j-1} + h^2 layer(theta_j, Y_j), Y_1 = Y_0 + h^2/2 layer(theta_0, Y_0);
    N steps, h = T/N."""

    def __init__(self, layer, n_steps: int, T: float = 1.0):
        if layer.n_in != layer.n_out:
            raise ValueError(f"HyperbolicNet: the layer must keep the width (n_in = n_out); "
                             f"{layer!r} maps {layer.n_in} -> {layer.n_out}")
        super().__init__([layer], n_steps, T)
        self.layer = layer
        self.n_in = self.n_out = layer.n_in

    linearization = HyperbolicLinearization

    def coefficient(self, j: int) -> float:
        """c_j: h^2/2 for the first step (zero initial velocity), h^2 after it."""
        return self.h ** 2 / (2 if j == 0 else 1)

    def _run(self, p, Y, linearize):
        Theta = p.reshape(self.n_layer, -1, order="F")
        previous, states, lins = None, [Y], []
        for j in range(self.n_steps):
            if linearize:
                F, lin = self.layer._linearize(Theta[:, j], Y)
                lins.append(lin)
            else:
                F = self.layer._forward(Theta[:, j], Y)
            c = self.coefficient(j)
            Y, previous = (Y + c * F if previous is None else 2 * Y - previous + c * F), Y
            if linearize:
                states.append(Y)
        return Y, lins, states

    def __repr__(self) -> str:
        return f"HyperbolicNet({self.layer!r}, n_steps={self.n_steps}, T={self.T:g})"
