"""Sub-networks side by side on the same input: Z = [f_1(p_1, Y); ...; f_G(p_G, Y)].

This is how Pereyra et al. grow a wide network from independent sub-networks: each f_g has its
own units and parameters, p = [p_1; ...; p_G], and the features are stacked. The derivatives
are blocks:
    J_theta v = [J_theta^(1) v_1; ...; J_theta^(G) v_G]     J_theta^T W = [J_theta^(1)T W_1; ...]
    J_Y V = [J_Y^(1) V; ...; J_Y^(G) V]                      J_Y^T W = sum_g J_Y^(g)T W_g
where W_g are the rows of W that belong to f_g.
"""
from __future__ import annotations

import numpy as np

from ..layers import Element
from .time_stepping import NetworkLinearization

__all__ = ["Stack"]


class StackLinearization(NetworkLinearization):

    def _rows(self, W):
        return [W[i:j] for i, j in self.net.row_slices]

    def Jtheta(self, v):
        return np.vstack([lin.Jtheta(v[i:j]) for lin, (i, j) in zip(self.lins, self.net.slices)])

    def JthetaT(self, W):
        return np.concatenate([lin.JthetaT(Wg) for lin, Wg in zip(self.lins, self._rows(W))])

    def JY(self, V):
        return np.vstack([lin.JY(V) for lin in self.lins])

    def JYT(self, W):
        return sum(lin.JYT(Wg) for lin, Wg in zip(self.lins, self._rows(W)))


class Stack(Element):
    """Z = [f_1(p_1, Y); ...; f_G(p_G, Y)]: elements with the same n_in, outputs stacked.

    The same element may appear several times (G copies of one sub-network architecture);
    each copy has its own block of p.
    """

    def __init__(self, elements):
        self.elements = list(elements)
        if not self.elements:
            raise ValueError("a Stack needs at least one element")
        n_in = self.elements[0].n_in
        for g, e in enumerate(self.elements):
            if e.n_in != n_in:
                raise ValueError(f"Stack: element {g} ({e!r}) takes inputs of size {e.n_in}, but "
                                 f"element 0 takes {n_in}; all elements must see the same input")
        sizes = np.cumsum([0] + [e.n_params for e in self.elements])
        rows = np.cumsum([0] + [e.n_out for e in self.elements])
        self.slices = list(zip(sizes[:-1], sizes[1:]))
        self.row_slices = list(zip(rows[:-1], rows[1:]))
        self.n_params, self.n_in, self.n_out = int(sizes[-1]), n_in, int(rows[-1])

    def split(self, p):
        """[p_1, ..., p_G], each element's parameters."""
        p = self.check_parameters(p)
        return [p[i:j] for i, j in self.slices]

    def initial_parameters(self, seed: int = 0, **options):
        """Each element's initial_parameters(seed + g, **options), stacked."""
        return np.concatenate([e.initial_parameters(seed + g, **options)
                               for g, e in enumerate(self.elements)] + [np.zeros(0)])

    def _forward(self, p, Y):
        return np.vstack([e._forward(p[i:j], Y) for e, (i, j) in zip(self.elements, self.slices)])

    def _linearize(self, p, Y):
        outs, lins = zip(*(e._linearize(p[i:j], Y) for e, (i, j) in zip(self.elements, self.slices)))
        return np.vstack(outs), StackLinearization(self, list(lins), [Y])

    def __repr__(self) -> str:
        if all(e is self.elements[0] for e in self.elements):
            return f"Stack({len(self.elements)} x {self.elements[0]!r})"
        return "Stack([" + ", ".join(repr(e) for e in self.elements) + "])"
