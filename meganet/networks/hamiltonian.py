"""A Hamiltonian network with two streams, integrated by leapfrog (Verlet):

    Y_{j+1} = Y_j + h F(theta^F_j, Z_j)
    Z_{j+1} = Z_j - h G(theta^G_j, Y_{j+1}),        Z_0 = 0,   output Y_N

(Haber and Ruthotto, "Stable architectures for deep neural networks": F = sigma(K Z + b),
G = sigma(K^T Y + b)). Each half step is a shear, so the map (Y_j, Z_j) -> (Y_{j+1}, Z_{j+1})
is invertible for any parameters and h: no information is lost forwards, and the scheme
does not damp (no vanishing of the forward signal). Read with both streams at the times t_j
it is symplectic Euler, first-order accurate for Y' = F(Z), Z' = -G(Y), Z(0) = 0 (tested
against solve_ivp); read with Z_j at t_j - h/2 it is the staggered leapfrog. F maps the Z stream (width m) to width n,
G maps Y (width n) to width m. Derivatives with F_j linearised at Z_j, G_j at Y_{j+1}:
    forward   dY_{j+1} = dY_j + h (J_Y^F dZ_j + J_theta^F v^F_j)
              dZ_{j+1} = dZ_j - h (J_Y^G dY_{j+1} + J_theta^G v^G_j)
    reverse   on adjoints (a, b) of (Y_{j+1}, Z_{j+1}), starting from (W, 0):
              g^G_j = -h J_theta^GT b,  a <- a - h J_Y^GT b,
              g^F_j =  h J_theta^FT a,  b <- b + h J_Y^FT a.
Memory: both streams at every step, O(N x (n + m) x examples).
"""
from __future__ import annotations

import numpy as np

from .time_stepping import NetworkLinearization, TimeStepping

__all__ = ["HamiltonianNet"]


class HamiltonianLinearization(NetworkLinearization):
    """lins[j] = (F_j, G_j), states[j] = (Y_j, Z_j)."""

    def _tangent(self, dY, V):
        h, nF = self.net.h, self.net.F.n_params
        dZ = np.zeros((self.net.width_Z, self.n))
        for j, (F, G) in enumerate(self.lins):
            dY = dY + h * (F.JY(dZ) if V is None else F.JY(dZ) + F.Jtheta(V[:nF, j]))
            dZ = dZ - h * (G.JY(dY) if V is None else G.JY(dY) + G.Jtheta(V[nF:, j]))
        return dY

    def _adjoint(self, W, want_theta):
        h, nF = self.net.h, self.net.F.n_params
        Gr = np.empty((self.net.n_layer, self.net.n_steps)) if want_theta else None
        a, b = W, np.zeros((self.net.width_Z, self.n))
        for j in range(self.net.n_steps - 1, -1, -1):
            F, G = self.lins[j]
            if want_theta:
                Gr[nF:, j] = -h * G.JthetaT(b)
            a = a - h * G.JYT(b)
            if want_theta:
                Gr[:nF, j] = h * F.JthetaT(a)
            b = b + h * F.JYT(a)
        return Gr, a

    def Jtheta(self, v):
        return self._tangent(np.zeros((self.n_in, self.n)), v.reshape(self.net.n_layer, -1, order="F"))

    def JthetaT(self, W):
        return self._adjoint(W, True)[0].reshape(-1, order="F")

    def JY(self, V):
        return self._tangent(V, None)

    def JYT(self, W):
        return self._adjoint(W, False)[1]


class HamiltonianNet(TimeStepping):
    """Verlet steps of the two streams (Y, Z); step j's parameters are [theta^F_j; theta^G_j].

    F: a layer from the Z stream to the Y stream (F.n_in = m, F.n_out = n); G: from Y to Z
    (G.n_in = n, G.n_out = m). n_in = n_out = n. lin.states holds the pairs (Y_j, Z_j).
    """

    def __init__(self, F, G, n_steps: int, T: float = 1.0):
        if not (G.n_in == F.n_out and F.n_in == G.n_out):
            raise ValueError(f"HamiltonianNet: F must map the Z stream to the Y stream and G back "
                             f"(F: m -> n, G: n -> m); got F: {F.n_in} -> {F.n_out}, "
                             f"G: {G.n_in} -> {G.n_out}")
        super().__init__([F, G], n_steps, T)
        self.F, self.G = F, G
        self.n_in = self.n_out = F.n_out
        self.width_Z = F.n_in

    def reverse(self, p, Y_N, Z_N):
        """(Y_0, Z_0) from the final states, by running the steps backwards:
            Z_j = Z_{j+1} + h G(theta^G_j, Y_{j+1}),    Y_j = Y_{j+1} - h F(theta^F_j, Z_j)
        inverts each step exactly (up to round-off) for any parameters and any h.
        Y_N: (n, n_examples), Z_N: (m, n_examples).
        """
        Theta, h, nF = self.step_parameters(p), self.h, self.F.n_params
        Y, Z = np.asarray(Y_N, dtype=float), np.asarray(Z_N, dtype=float)
        for j in range(self.n_steps - 1, -1, -1):
            Z = Z + h * self.G.forward(Theta[nF:, j], Y)
            Y = Y - h * self.F.forward(Theta[:nF, j], Z)
        return Y, Z

    linearization = HamiltonianLinearization

    def _run(self, p, Y, linearize):
        Theta, h, nF = p.reshape(self.n_layer, -1, order="F"), self.h, self.F.n_params
        Z = np.zeros((self.width_Z, Y.shape[1]))
        states, lins = [(Y, Z)], []
        for j in range(self.n_steps):
            if linearize:
                dF, linF = self.F._linearize(Theta[:nF, j], Z)
                Y = Y + h * dF
                dG, linG = self.G._linearize(Theta[nF:, j], Y)
                Z = Z - h * dG
                lins.append((linF, linG))
            else:
                Y = Y + h * self.F._forward(Theta[:nF, j], Z)
                Z = Z - h * self.G._forward(Theta[nF:, j], Y)
            if linearize:
                states.append((Y, Z))
        return Y, lins, states

    def __repr__(self) -> str:
        return f"HamiltonianNet(F={self.F!r}, G={self.G!r}, n_steps={self.n_steps}, T={self.T:g})"
