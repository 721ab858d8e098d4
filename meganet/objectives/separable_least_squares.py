"""Separable least squares, min_{theta, W} 1/2 ||W Z(theta) - C||_F^2, in the Golub-Pereyra form.

Z = f(theta, Y) (m features x n examples) is any element; the model W Z is linear in the output
weights W (k x m). For fixed theta the best W is W(theta) = C Z^+ (minimum norm, Z^+ by a
truncated SVD), so the residual becomes a function of theta alone:

    R(theta) = W(theta) Z - C = -C P_perp,     P = Z^+ Z,  P_perp = I - P   (n x n projectors),

the Variable Projection (VarPro) residual; r(theta) = vec(R(theta)). (In Golub and Pereyra's
notation Phi = Z^T, A = W^T, r = -P_perp(Phi) T with T = C^T: the same thing transposed.)
With dZ = J_theta v the directional derivative of Z, the derivative of the projector gives

    exact (Golub-Pereyra):  J v = W dZ P_perp - R dZ^T (Z^+)^T
    Kaufman:                J v ~ W dZ P_perp

Kaufman drops the second term, which is proportional to the residual R: the two agree where
the fit is exact, and the approximation costs one product less. Transposes, for G (k x n):
    J^T G = J_theta^T ( W^T G P_perp - (G Z^+)^T R ).
Truncation: singular values s_i <= rcond * s_1 are dropped, so W(theta) is the truncated-SVD
solution; the formulas hold wherever the kept rank does not change.

`JointResidual` is the same problem without elimination, x = [theta; vec(W)]:
    r(x) = vec(W Z(theta) - C),   J [v; u] = vec(W dZ + mat(u) Z).
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, vec
from ..validation import as_matrix, as_vector, check_columns_match

__all__ = ["VarProResidual", "JointResidual", "truncated_svd"]


def truncated_svd(Z, rcond: float):
    """Z = U diag(s) V^T keeping the singular values s_i > rcond * s_1: (U (m, r), s (r,), V (n, r))."""
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    r = int(np.sum(s > rcond * s[0])) if s.size and s[0] > 0 else 0
    return U[:, :r], s[:r], Vt[:r].T


def _check_data(element, Y, C):
    """Y (n_in, n) and C (k, n), finite; checked once here, so the element's unchecked
    _forward and _linearize are used afterwards."""
    Y = as_matrix(Y, f"Y (inputs of {element!r})", shape=(element.n_in, None))
    C = as_matrix(C, "C (targets)")
    check_columns_match(Y, C, ("Y", "C"))
    return Y, C


class _Point:
    """Everything the residual and its Jacobians need at one theta."""

    def __init__(self, problem, theta, linearize: bool):
        self.theta = theta
        if linearize:
            self.Z, self.lin = problem.element._linearize(theta, problem.Y)
        else:
            self.Z, self.lin = problem.element._forward(theta, problem.Y), None
        self.U, self.s, self.V = truncated_svd(self.Z, problem.rcond)
        CV = problem.C @ self.V
        self.W = (CV / self.s) @ self.U.T          # C Z^+ = C V S^-1 U^T
        self.R = CV @ self.V.T - problem.C          # W Z - C = C P - C

    @property
    def rank(self) -> int:
        return self.s.size

    def perp(self, G):
        """G P_perp = G - (G V) V^T, for G with n columns."""
        return G - (G @ self.V) @ self.V.T


class VarProResidual:
    """r(theta) = vec(W(theta) Z(theta) - C) with W(theta) = C Z^+ eliminated (Golub-Pereyra).

    element: maps theta (element.n_params) and Y (n_in, n) to Z (m, n); C (k, n) targets
    (one-hot columns for classification). rcond: relative cut-off of the truncated SVD.
    `residual(theta)` gives r; `linearize(theta)` gives (r, J) with J the exact Golub-Pereyra
    Jacobian (jacobian="exact") or Kaufman's approximation ("kaufman"), a LinearOperator
    (k n x n_params); `weights(theta)` gives W(theta).
    """

    JACOBIANS = ("exact", "kaufman")

    def __init__(self, element, Y, C, rcond: float = 1e-10):
        self.element = element
        self.Y, self.C = _check_data(element, Y, C)
        if not 0 <= rcond < 1:
            raise ValueError(f"rcond must be in [0, 1), got {rcond}")
        self.rcond = float(rcond)
        self.n_params = element.n_params
        self.shape_R = (self.C.shape[0], self.Y.shape[1])
        self.n_residuals = self.shape_R[0] * self.shape_R[1]
        self._last = None

    def point(self, theta, linearize: bool = False) -> _Point:
        theta = as_vector(theta, f"theta (the {self.n_params} parameters of {self.element!r})",
                          size=self.n_params)
        last = self._last
        if last is not None and np.array_equal(last.theta, theta) and (last.lin is not None or not linearize):
            return last
        self._last = _Point(self, theta.copy(), linearize)
        return self._last

    def residual(self, theta) -> np.ndarray:
        return vec(self.point(theta).R)

    def weights(self, theta) -> np.ndarray:
        """W(theta) = C Z(theta)^+ (k x m)."""
        return self.point(theta).W

    def value(self, theta) -> float:
        """1/2 ||r(theta)||^2."""
        return 0.5 * float(np.sum(self.point(theta).R ** 2))

    def jacobian(self, theta, jacobian: str = "exact") -> LinearOperator:
        if jacobian not in self.JACOBIANS:
            raise ValueError(f"jacobian must be one of {self.JACOBIANS}, got {jacobian!r}")
        pt = self.point(theta, linearize=True)
        lin, W, R = pt.lin, pt.W, pt.R
        exact = jacobian == "exact"
        # (Z^+)^T = U S^-1 V^T, kept factored
        US = pt.U / pt.s

        def matvec(v):
            dZ = lin.Jtheta(np.ravel(v))
            out = pt.perp(W @ dZ)
            if exact:
                out -= (R @ (dZ.T @ US)) @ pt.V.T
            return vec(out)

        def rmatvec(g):
            G = mat(np.ravel(g), self.shape_R)
            M = W.T @ pt.perp(G)
            if exact:
                M -= (US @ (G @ pt.V).T) @ R       # (G Z^+)^T R = U S^-1 (G V)^T R
            return lin.JthetaT(M)

        return LinearOperator((self.n_residuals, self.n_params), matvec=matvec, rmatvec=rmatvec,
                              dtype=float)

    def linearize(self, theta, jacobian: str = "exact"):
        """(r(theta), J(theta)) with J exact or Kaufman's."""
        return self.residual(theta), self.jacobian(theta, jacobian)


class JointResidual:
    """r(x) = vec(W Z(theta) - C) in x = [theta; vec(W)]: the same fit without elimination."""

    def __init__(self, element, Y, C):
        self.element = element
        self.Y, self.C = _check_data(element, Y, C)
        self.n_theta = element.n_params
        self.shape_W = (self.C.shape[0], element.n_out)
        self.n_params = self.n_theta + self.shape_W[0] * self.shape_W[1]
        self.shape_R = (self.C.shape[0], self.Y.shape[1])
        self.n_residuals = self.shape_R[0] * self.shape_R[1]

    def split(self, x):
        x = as_vector(x, f"x = [theta; vec(W)] ({self.n_params} numbers)", size=self.n_params)
        return x[:self.n_theta], mat(x[self.n_theta:], self.shape_W)

    def residual(self, x) -> np.ndarray:
        theta, W = self.split(x)
        return vec(W @ self.element._forward(theta, self.Y) - self.C)

    def value(self, x) -> float:
        return 0.5 * float(np.sum(self.residual(x) ** 2))

    def jacobian(self, x) -> LinearOperator:
        theta, W = self.split(x)
        Z, lin = self.element._linearize(theta, self.Y)
        n_theta = self.n_theta

        def matvec(v):
            v = np.ravel(v)
            return vec(W @ lin.Jtheta(v[:n_theta]) + mat(v[n_theta:], self.shape_W) @ Z)

        def rmatvec(g):
            G = mat(np.ravel(g), self.shape_R)
            return np.concatenate([lin.JthetaT(W.T @ G), vec(G @ Z.T)])

        return LinearOperator((self.n_residuals, self.n_params), matvec=matvec, rmatvec=rmatvec,
                              dtype=float)

    def linearize(self, x):
        return self.residual(x), self.jacobian(x)
