"""The kernel interface: K(theta), a linear operator that depends linearly on parameters theta.

Every kernel offers
    K.op(theta)               K(theta) as a LinearOperator (matvec K y, rmatvec K^T z)
    K.apply(theta, Y)         K(theta) Y for a batch Y (n_in, n) of examples in columns
    K.apply_transpose(theta, Z)
    K.linearize(theta, Y)     (K(theta) Y, lin) with lin.J_theta and lin.J_Y LinearOperators:
        J_theta v  = vec(K(v) Y)                (K(theta) Y is linear in theta)
        J_theta^T w = d/dtheta <W, K(theta) Y>   (W = mat(w))
        J_Y v      = vec(K(theta) mat(v)),   J_Y^T w = vec(K(theta)^T W)
A subclass implements `_apply`, `_apply_transpose` and `_gradient` (J_theta^T as a function of
Y and W); everything else is shared.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, vec
from ..validation import as_vector, check_batch

__all__ = ["Kernel", "KernelLinearization"]


@dataclass
class KernelLinearization:
    """Derivatives of K(theta) Y at one (theta, Y): J_theta (n_out n x n_theta), J_Y (n_out n x n_in n)."""

    J_theta: LinearOperator
    J_Y: LinearOperator


class Kernel:
    """Base class. Attributes: n_theta (number of parameters), n_in, n_out (sizes of y and K y)."""

    n_theta: int
    n_in: int
    n_out: int

    # --- what a subclass provides -------------------------------------------------------
    def _apply(self, theta: np.ndarray, Y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _apply_transpose(self, theta: np.ndarray, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _gradient(self, Y: np.ndarray, W: np.ndarray) -> np.ndarray:
        """d/dtheta <W, K(theta) Y> (independent of theta), shape (n_theta,)."""
        raise NotImplementedError

    # An affine kernel K(theta) = K_0 + L(theta) (e.g. a shift -gamma I) overrides these two:
    # derivatives in theta use only the linear part L.
    def _apply_linear(self, v: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """L(v) Y, the part of K(v) Y linear in v (J_theta v = vec(L(v) Y))."""
        return self._apply(v, Y)

    def _apply_transpose_linear(self, v: np.ndarray, Z: np.ndarray) -> np.ndarray:
        """L(v)^T Z."""
        return self._apply_transpose(v, Z)

    def _check_theta(self, theta) -> np.ndarray:
        return as_vector(theta, "theta (kernel parameters)", size=self.n_theta)

    def _check_constraints(self, theta) -> None:
        """What `_check_theta` checks beyond a finite vector of n_theta entries (e.g. theta >= 0),
        for theta that is one already (a slice of checked parameters). A kernel with its own
        `_check_theta` gets that whole check unless it offers a cheaper `_check_constraints`."""
        if type(self)._check_theta is not Kernel._check_theta:
            self._check_theta(theta)

    # --- shared ------------------------------------------------------------------------
    @property
    def fan_in(self) -> float:
        """Inputs that meet in one output: n_theta / n_out (n_in for a dense kernel)."""
        return self.n_theta / self.n_out

    @property
    def shape(self) -> tuple[int, int]:
        """Shape (n_out, n_in) of K(theta)."""
        return (self.n_out, self.n_in)

    def _check_batch(self, Y, rows: int, name: str) -> np.ndarray:
        return check_batch(Y, rows, name, "the kernel")

    def apply(self, theta, Y) -> np.ndarray:
        """K(theta) Y, shape (n_out, n)."""
        return self._apply(self._check_theta(theta), self._check_batch(Y, self.n_in, "Y"))

    def apply_transpose(self, theta, Z) -> np.ndarray:
        """K(theta)^T Z, shape (n_in, n)."""
        return self._apply_transpose(self._check_theta(theta), self._check_batch(Z, self.n_out, "Z"))

    def op(self, theta) -> LinearOperator:
        """K(theta) as a LinearOperator with its transpose."""
        theta = self._check_theta(theta)
        return LinearOperator(
            self.shape, dtype=float,
            matvec=lambda y: self._apply(theta, y.reshape(-1, 1))[:, 0],
            rmatvec=lambda z: self._apply_transpose(theta, z.reshape(-1, 1))[:, 0],
            matmat=lambda Y: self._apply(theta, Y),
            rmatmat=lambda Z: self._apply_transpose(theta, Z))

    def dense(self, theta) -> np.ndarray:
        """The matrix K(theta) (for small sizes: lectures and tests)."""
        return self.apply(theta, np.eye(self.n_in))

    def linearize(self, theta, Y):
        """(K(theta) Y, KernelLinearization) for a batch Y (n_in, n)."""
        theta = self._check_theta(theta)
        Y = self._check_batch(Y, self.n_in, "Y")
        n = Y.shape[1]
        out = (self.n_out, n)
        J_theta = LinearOperator(
            (self.n_out * n, self.n_theta), dtype=float,
            matvec=lambda v: vec(self._apply_linear(np.asarray(v).reshape(-1), Y)),
            rmatvec=lambda w: self._gradient(Y, mat(w, out)))
        J_Y = LinearOperator(
            (self.n_out * n, self.n_in * n), dtype=float,
            matvec=lambda v: vec(self._apply(theta, mat(v, (self.n_in, n)))),
            rmatvec=lambda w: vec(self._apply_transpose(theta, mat(w, out))))
        return self._apply(theta, Y), KernelLinearization(J_theta, J_Y)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_out={self.n_out}, n_in={self.n_in}, n_theta={self.n_theta})"
