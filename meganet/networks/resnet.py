"""Residual networks as forward Euler: Y_{j+1} = Y_j + h f(theta_j, Y_j), h = T/N.

f is any layer with n_in = n_out: sigma(K Y + b) (the standard step; with an antisymmetric
kernel K - K^T - gamma I for stability), K_2^T sigma(K_1 Y + b) (DoubleLayer), or
-K^T sigma(K Y + b) (SymmetricLayer: the parabolic, smoothing step). As N grows with T fixed,
Y_N converges at first order to Y(T) of the ODE dY/dt = f(theta(t), Y).
Derivatives, with lin_j the layer's linearisation at (theta_j, Y_j):
    J_theta v   dY_{j+1} = dY_j + h (J_Y^(j) dY_j + J_theta^(j) v_j),    dY_0 = 0
    J_theta^T W g_j = h J_theta^(j)T W_{j+1},   W_j = W_{j+1} + h J_Y^(j)T W_{j+1},  W_N = W
Each is one sweep over the N kept states (about the cost of one forward pass); memory is
O(N x width x examples) for the states and sigma'(A) of every step.
"""
from __future__ import annotations

import numpy as np

from .time_stepping import NetworkLinearization, TimeStepping

__all__ = ["ResNet"]


class ResNetLinearization(NetworkLinearization):
    def Jtheta(self, v):
        return self._Jtheta_JY(v, None)

    def _Jtheta_JY(self, v, V):
        """One forward sweep for J_theta v + J_Y vec(V) (dY_0 = V, or 0 if V is None)."""
        h, Theta_v = self.net.h, v.reshape(self.net.n_layer, -1, order="F")
        lins = self.lins
        dY = h * lins[0]._Jtheta_JY(Theta_v[:, 0], V)
        if V is not None:
            dY += V
        for j in range(1, self.net.n_steps):
            dY = dY + h * lins[j]._Jtheta_JY(Theta_v[:, j], dY)
        return dY

    def JthetaT(self, W):
        return self._JthetaT_JYT(W, need_JYT=False)[0]

    def _JthetaT_JYT(self, W, need_JYT=True):
        """One reverse sweep for J_theta^T vec(W) (and J_Y^T vec(W), the sweep's last state)."""
        h, n_layer = self.net.h, self.net.n_layer
        g = np.empty(self.n_params)
        for j in range(self.net.n_steps - 1, -1, -1):
            gj, JYT_W = self.lins[j]._JthetaT_JYT(W, need_JYT or j > 0)
            np.multiply(h, gj, out=g[j * n_layer:(j + 1) * n_layer])
            if JYT_W is not None:
                W = W + h * JYT_W
        return g, (W if need_JYT else None)

    def JY(self, V):
        for lin in self.lins:
            V = V + self.net.h * lin.JY(V)
        return V

    def JYT(self, W):
        for lin in reversed(self.lins):
            W = W + self.net.h * lin.JYT(W)
        return W


class ResNet(TimeStepping):
    """Y_{j+1} = Y_j + h layer(theta_j, Y_j), N steps, h = T/N; p = vec(Theta), Theta (n_layer, N).

    `linearize` keeps the states Y_0, ..., Y_N (lin.states), so the trajectories of the
    examples through the layers can be plotted.
    """

    def __init__(self, layer, n_steps: int, T: float = 1.0):
        if layer.n_in != layer.n_out:
            raise ValueError(f"ResNet: the layer must keep the width (n_in = n_out) so that "
                             f"Y + h f(Y) is defined; {layer!r} maps {layer.n_in} -> {layer.n_out}")
        super().__init__([layer], n_steps, T)
        self.layer = layer
        self.n_in = self.n_out = layer.n_in

    linearization = ResNetLinearization

    def _run(self, p, Y, linearize):
        Theta = p.reshape(self.n_layer, -1, order="F")
        states, lins = [Y], []
        for j in range(self.n_steps):
            if linearize:
                F, lin = self.layer._linearize(Theta[:, j], Y)
                lins.append(lin)
            else:
                F = self.layer._forward(Theta[:, j], Y)
            Y = Y + self.h * F
            if linearize:  # the states are for the sweeps (and plots), not for a forward pass
                states.append(Y)
        return Y, lins, states

    def __repr__(self) -> str:
        return f"ResNet({self.layer!r}, n_steps={self.n_steps}, T={self.T:g})"
