"""Conditioning of training a single layer: the Jacobian of the residual and its singular values.

For a least-squares fit of W sigma(K Y + b) to C, the residual r(p, W) = vec(W Z(p) - C) has
the Jacobian J = [J_p  J_W] with
    J_p v = vec(W0 mat(J_layer v)),    J_W u = vec(mat(u) Z1),
and the Gauss-Newton matrix is J^T J. Its singular values show how ill-conditioned training
is: many tiny ones mean directions the data cannot determine (and regularisation must).
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, to_dense, vec

__all__ = ["residual_jacobian", "singular_values"]


def residual_jacobian(full, x) -> LinearOperator:
    """J = [J_p J_W] of r(p, W) = vec(W Z1(p) - C) at x = [p; vec(W)] (a SingleLayerObjective)."""
    p, W = full.split(x)
    Z, lin = full.network.linearize(p, full.Y)
    Z1 = np.vstack([Z, np.ones((1, Z.shape[1]))]) if full.classifier_bias else Z
    W0 = W[:, :-1] if full.classifier_bias else W
    m, n_p = W.shape[0] * Z.shape[1], full.n_p

    def matvec(v):
        return (vec(W0 @ mat(lin.J_theta.matvec(v[:n_p]), Z.shape))
                + vec(mat(v[n_p:], W.shape) @ Z1))

    def rmatvec(w):
        R = mat(w, (W.shape[0], Z.shape[1]))
        return np.concatenate([lin.J_theta.rmatvec(vec(W0.T @ R)), vec(R @ Z1.T)])

    return LinearOperator((m, full.n), matvec=matvec, rmatvec=rmatvec, dtype=float)


def singular_values(A) -> np.ndarray:
    """All singular values of an operator, from its dense matrix (small problems only)."""
    if A.shape[0] * A.shape[1] > 5e7:
        raise ValueError(f"singular_values forms the dense matrix; {A.shape} is too large")
    return np.linalg.svd(to_dense(A), compute_uv=False)
