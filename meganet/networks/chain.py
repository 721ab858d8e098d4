"""A chain of elements, Z = f_L(p_L, ... f_2(p_2, f_1(p_1, Y))): a plain deep network.

Elements are layers, fixed linear maps (pooling) or networks; a multi-stage network is a chain
of ResNets joined by connecting layers that change width or channels, and pooling. With
Y_0 = Y and Y_k = f_k(p_k, Y_{k-1}), p = [p_1; ...; p_L], the derivatives compose:
    J_theta v   forward sweep   dY_k = J_Y^(k) dY_{k-1} + J_theta^(k) v_k       (dY_0 = 0)
    J_theta^T W reverse sweep   g_k = J_theta^(k)T W_k,  W_{k-1} = J_Y^(k)T W_k  (back-propagation)
Each product is one pass over the states kept by `linearize`; memory is the states and the
elements' linearisations, O(depth x width x examples).
"""
from __future__ import annotations

import numpy as np

from ..layers import Element
from .time_stepping import NetworkLinearization

__all__ = ["Chain"]


class ChainLinearization(NetworkLinearization):

    def Jtheta(self, v):
        return self._Jtheta_JY(v, None)

    def _Jtheta_JY(self, v, V):
        """One forward sweep: dY_k = J_Y^(k) dY_{k-1} + J_theta^(k) v_k, dY_0 = V (or 0)."""
        dY = V
        for lin, (i, j) in zip(self.lins, self.net.slices):
            if j > i:
                dY = lin._Jtheta_JY(v[i:j], dY)
            elif dY is not None:
                dY = lin.JY(dY)
        return np.zeros((self.n_out, self.n)) if dY is None else dY

    def JthetaT(self, W):
        return self._JthetaT_JYT(W, need_JYT=False)[0]

    def _JthetaT_JYT(self, W, need_JYT=True):
        """One reverse sweep (back-propagation): g_k = J_theta^(k)T W_k, W_{k-1} = J_Y^(k)T W_k."""
        g = np.empty(self.n_params)
        for k in range(len(self.lins) - 1, -1, -1):
            i, j = self.net.slices[k]
            need = need_JYT or k > 0
            if j > i:
                g[i:j], JYT_W = self.lins[k]._JthetaT_JYT(W, need)
            else:
                JYT_W = self.lins[k].JYT(W) if need else None
            W = JYT_W
        return g, W

    def JY(self, V):
        for lin in self.lins:
            V = lin.JY(V)
        return V

    def JYT(self, W):
        for lin in reversed(self.lins):
            W = lin.JYT(W)
        return W


class Chain(Element):
    """Z = f_L(... f_1(Y)): elements in order; element k's n_in must equal element k-1's n_out."""

    def __init__(self, elements):
        self.elements = list(elements)
        if not self.elements:
            raise ValueError("a Chain needs at least one element")
        for k in range(1, len(self.elements)):
            before, after = self.elements[k - 1], self.elements[k]
            if after.n_in != before.n_out:
                raise ValueError(f"Chain: element {k} ({after!r}) takes inputs of size {after.n_in}, "
                                 f"but element {k - 1} ({before!r}) gives outputs of size "
                                 f"{before.n_out}; widths (and channels x pixels) must match")
        sizes = np.cumsum([0] + [e.n_params for e in self.elements])
        self.slices = list(zip(sizes[:-1], sizes[1:]))
        self.n_params = int(sizes[-1])
        self.n_in, self.n_out = self.elements[0].n_in, self.elements[-1].n_out

    def split(self, p):
        """[p_1, ..., p_L], each element's parameters."""
        p = self.check_parameters(p)
        return [p[i:j] for i, j in self.slices]

    def initial_parameters(self, seed: int = 0, **options):
        """Each element's initial_parameters(seed + k, **options), stacked."""
        return np.concatenate([e.initial_parameters(seed + k, **options)
                               for k, e in enumerate(self.elements)] + [np.zeros(0)])

    def _forward(self, p, Y):
        for e, (i, j) in zip(self.elements, self.slices):
            Y = e._forward(p[i:j], Y)
        return Y

    def _linearize(self, p, Y):
        states, lins = [Y], []
        for e, (i, j) in zip(self.elements, self.slices):
            Y, lin = e._linearize(p[i:j], Y)
            states.append(Y)
            lins.append(lin)
        return Y, ChainLinearization(self, lins, states)

    def __repr__(self) -> str:
        inner = ", ".join(repr(e) for e in self.elements)
        return f"Chain([{inner}])"
