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
        h, V = self.net.h, v.reshape(self.net.n_layer, -1, order="F")
        dY = h * self.lins[0].Jtheta(V[:, 0])
        for j in range(1, self.net.n_steps):
            lin = self.lins[j]
            dY = dY + h * (lin.JY(dY) + lin.Jtheta(V[:, j]))
        return dY

    def JthetaT(self, W):
        h = self.net.h
        G = np.empty((self.net.n_layer, self.net.n_steps))
        for j in range(self.net.n_steps - 1, -1, -1):
            G[:, j] = h * self.lins[j].JthetaT(W)
            if j > 0:
                W = W + h * self.lins[j].JYT(W)
        return G.reshape(-1, order="F")

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
