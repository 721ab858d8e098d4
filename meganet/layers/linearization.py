"""What every element's linearisation offers: four matrix-free Jacobian products.

An element (a layer or a whole network) maps Z = f(p, Y), Y (n_in, n) -> Z (n_out, n). Its
linearisation at one (p, Y) keeps what the derivatives need and offers, on matrices with
examples in columns,

    Jtheta(v)  = mat(J_theta v)        v (n_params,)  -> (n_out, n)
    JthetaT(W) = J_theta^T vec(W)      W (n_out, n)   -> (n_params,)
    JY(V)      = mat(J_Y vec(V))       V (n_in, n)    -> (n_out, n)
    JYT(W)     = mat(J_Y^T vec(W))     W (n_out, n)   -> (n_in, n)

and the same products as scipy LinearOperators on vectors (`J_theta`, `J_Y`; vec stacks
columns), so cg, lsqr and the derivative checks take them directly. Networks compose the
matrix products (no vec/mat or operator overhead per step of a sweep).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, vec

__all__ = ["Linearization"]


class Linearization:
    """Base class; subclasses set n_params, n_in, n_out, n and implement the four products."""

    n_params: int
    n_in: int
    n_out: int
    n: int

    def Jtheta(self, v: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def JthetaT(self, W: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def JY(self, V: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def JYT(self, W: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # What a network's sweep needs of each element, in one call where the element can share
    # work (e.g. sigma'(A) * W once for both products). Same results as the separate products.
    def _Jtheta_JY(self, v: np.ndarray, V) -> np.ndarray:
        """mat(J_theta v + J_Y vec(V)); V None means 0 (the first element of a chain)."""
        return self.Jtheta(v) if V is None else self.JY(V) + self.Jtheta(v)

    def _JthetaT_JYT(self, W: np.ndarray, need_JYT: bool = True):
        """(J_theta^T vec(W), mat(J_Y^T vec(W)) or None if not needed)."""
        return self.JthetaT(W), (self.JYT(W) if need_JYT else None)

    @cached_property
    def J_theta(self) -> LinearOperator:
        """J_theta as a LinearOperator (n_out n x n_params)."""
        out = (self.n_out, self.n)
        return LinearOperator((self.n_out * self.n, self.n_params), dtype=float,
                              matvec=lambda v: vec(self.Jtheta(np.ravel(v))),
                              rmatvec=lambda w: self.JthetaT(mat(w, out)))

    @cached_property
    def J_Y(self) -> LinearOperator:
        """J_Y as a LinearOperator (n_out n x n_in n)."""
        out, inp = (self.n_out, self.n), (self.n_in, self.n)
        return LinearOperator((self.n_out * self.n, self.n_in * self.n), dtype=float,
                              matvec=lambda v: vec(self.JY(mat(v, inp))),
                              rmatvec=lambda w: vec(self.JYT(mat(w, out))))
