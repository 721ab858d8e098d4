"""Linear least squares, min_X ||A X - B||_F^2 + alpha ||L X||_F^2, four ways.

The course compares them: the normal equations square the condition number, QR does not,
the SVD exposes (and filters) small singular values, and CGLS needs only products with A and
A^T and regularises by stopping early (semi-convergence). Each returns an OptimizationResult
with x (shape (n,) or (n, k) like B), status, message, residual and solution norms, history.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import LinearOperator

from ..linalg import as_operator, to_dense
from ..validation import as_matrix, check_positive
from .result import History, OptimizationResult

__all__ = ["lstsq", "solve_normal_equations", "solve_qr", "solve_svd", "cgls"]


def _prepare(A, B, name="A"):
    if isinstance(A, LinearOperator):
        raise TypeError(f"{name} must be a matrix for this direct method; use method='cgls' "
                        "for a LinearOperator")
    A = as_matrix(A.toarray() if hasattr(A, "toarray") else A, "A")
    B = np.asarray(B, dtype=float)
    vector = B.ndim == 1
    B2 = as_matrix(B.reshape(-1, 1) if vector else B, "B (right-hand side)")
    if B2.shape[0] != A.shape[0]:
        raise ValueError(f"B must have {A.shape[0]} rows (one per row of A), got shape {B.shape}")
    return A, B2, vector


def _stacked(A, B, alpha, L):
    """[A; sqrt(alpha) L] and [B; 0]: Tikhonov as an ordinary least-squares problem."""
    if alpha == 0:
        return A, B
    L = np.eye(A.shape[1]) if L is None else to_dense(L)
    if L.shape[1] != A.shape[1]:
        raise ValueError(f"L must have {A.shape[1]} columns (one per unknown), got shape {L.shape}")
    return np.vstack([A, np.sqrt(alpha) * L]), np.vstack([B, np.zeros((L.shape[0], B.shape[1]))])


def _result(A, B, X, vector, method, start, status=0, message="solved", history=None, **extra):
    R = A @ X - B
    x = X[:, 0] if vector else X
    return OptimizationResult(
        x=x, status=status, success=status == 0, message=f"{method}: {message}",
        residual_norm=float(np.linalg.norm(R)), solution_norm=float(np.linalg.norm(X)),
        nit=0 if history is None else history.n_rows - 1, history=history or History(),
        method=method, time=time.perf_counter() - start, **extra)


def solve_normal_equations(A, B, alpha: float = 0.0, L=None):
    """Solve (A^T A + alpha L^T L) X = A^T B by Cholesky (fails cleanly if singular)."""
    start = time.perf_counter()
    A, B, vector = _prepare(A, B)
    alpha = check_positive(alpha, "alpha")
    M = A.T @ A
    if alpha > 0:
        Ld = np.eye(A.shape[1]) if L is None else to_dense(L)
        M = M + alpha * Ld.T @ Ld
    try:
        X = scipy.linalg.cho_solve(scipy.linalg.cho_factor(M), A.T @ B)
    except np.linalg.LinAlgError:
        X = np.full((A.shape[1], B.shape[1]), np.nan)
        return _result(A, B, X, vector, "normal equations", start, status=5,
                       message="A^T A + alpha L^T L is singular (rank-deficient A); "
                               "use alpha > 0, the SVD or QR")
    return _result(A, B, X, vector, "normal equations", start)


def solve_qr(A, B, alpha: float = 0.0, L=None):
    """Solve via the reduced QR of [A; sqrt(alpha) L]: R X = Q^T B."""
    start = time.perf_counter()
    A, B, vector = _prepare(A, B)
    alpha = check_positive(alpha, "alpha")
    As, Bs = _stacked(A, B, alpha, L)
    if As.shape[0] < As.shape[1]:
        raise ValueError(f"QR needs at least as many rows as unknowns; A (stacked with L) has "
                         f"shape {As.shape}: add regularisation or use the SVD")
    Q, R = np.linalg.qr(As)
    d = np.abs(np.diag(R))
    if d.min() <= np.finfo(float).eps * max(As.shape) * d.max():
        X = np.full((A.shape[1], B.shape[1]), np.nan)
        return _result(A, B, X, vector, "QR", start, status=5,
                       message="R is singular (rank-deficient A); use alpha > 0 or the SVD")
    X = scipy.linalg.solve_triangular(R, Q.T @ Bs)
    return _result(A, B, X, vector, "QR", start)


def solve_svd(A, B, alpha: float = 0.0, rank: int | None = None):
    """Solve by the SVD A = U diag(s) V^T with filter factors phi_i:

        X = V diag(phi_i / s_i) U^T B,  phi_i = s_i^2 / (s_i^2 + alpha)   (Tikhonov, L = I)
        phi_i = 1 for i < rank, 0 otherwise                              (truncated SVD)
    Singular values below eps * s_max * max(m, n) are always dropped (pseudo-inverse).
    """
    start = time.perf_counter()
    A, B, vector = _prepare(A, B)
    alpha = check_positive(alpha, "alpha")
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    phi = s**2 / (s**2 + alpha) if alpha > 0 else np.ones_like(s)
    keep = s > np.finfo(float).eps * max(A.shape) * (s[0] if s.size else 0)
    if rank is not None:
        if not 0 <= rank <= s.size:
            raise ValueError(f"rank must be between 0 and {s.size}, got {rank}")
        keep &= np.arange(s.size) < rank
    filt = np.where(keep, phi / np.where(keep, s, 1.0), 0.0)
    X = Vt.T @ (filt[:, None] * (U.T @ B))
    return _result(A, B, X, vector, "SVD", start, singular_values=s, filter_factors=phi * keep)


def cgls(A, B, alpha: float = 0.0, L=None, *, maxiter: int | None = None, rtol: float = 1e-10,
         store_iterates: bool = False):
    """CGLS: conjugate gradients on the normal equations, without forming A^T A.

    Works on [A; sqrt(alpha) L] if alpha > 0. Each column of B is its own CG run (vectorised).
    Stops when ||A^T r_k|| <= rtol ||A^T b|| for every column, or after maxiter iterations
    (default: twice the number of unknowns, as LSQR). The history records the residual norm ||A x_k - b||
    and solution norm ||x_k|| per iteration (and x_k itself if store_iterates), which is
    what a semi-convergence plot needs. Iterate k equals LSQR's in exact arithmetic.
    """
    start = time.perf_counter()
    A = as_operator(A)
    alpha = check_positive(alpha, "alpha")
    B = np.asarray(B, dtype=float)
    vector = B.ndim == 1
    B = as_matrix(B.reshape(-1, 1) if vector else B, "B (right-hand side)")
    m, n = A.shape
    if B.shape[0] != m:
        raise ValueError(f"B must have {m} rows (one per row of A), got shape {B.shape}")
    if alpha > 0:
        Lop = as_operator(np.eye(n) if L is None else L)
        sa = np.sqrt(alpha)
        K = LinearOperator((m + Lop.shape[0], n),
                           matvec=lambda x: np.concatenate([A.matvec(x), sa * Lop.matvec(x)]),
                           rmatvec=lambda y: A.rmatvec(y[:m]) + sa * Lop.rmatvec(y[m:]),
                           dtype=float)
        Bs = np.vstack([B, np.zeros((Lop.shape[0], B.shape[1]))])
    else:
        K, Bs = A, B
    maxiter = 2 * n if maxiter is None else int(maxiter)  # LSQR's default: round-off needs > n

    X = np.zeros((n, B.shape[1]))
    R = Bs.copy()                      # residual b - K x
    S = K.rmatmat(R)                   # K^T r, the negative gradient
    P = S.copy()
    gamma = np.sum(S * S, axis=0)
    stop = rtol * np.sqrt(gamma)
    history = History()

    def record():
        row = dict(residual_norm=float(np.linalg.norm(A.matmat(X) - B)),
                   solution_norm=float(np.linalg.norm(X)),
                   gradient_norm=float(np.sqrt(np.sum(gamma))))
        if store_iterates:
            row["x"] = X[:, 0].copy() if vector else X.copy()
        history.record(**row)

    record()
    status = 1
    for _ in range(maxiter):
        if np.all(np.sqrt(gamma) <= stop):
            status = 0
            break
        Q = K.matmat(P)
        qq = np.sum(Q * Q, axis=0)
        active = qq > 0
        step = np.where(active, gamma / np.where(active, qq, 1.0), 0.0)
        X += step * P
        R -= step * Q
        S = K.rmatmat(R)
        gamma_new = np.sum(S * S, axis=0)
        beta = np.where(gamma > 0, gamma_new / np.where(gamma > 0, gamma, 1.0), 0.0)
        P = S + beta * P
        gamma = gamma_new
        record()
    else:
        status = 0 if np.all(np.sqrt(gamma) <= stop) else 1
    message = "converged" if status == 0 else f"stopped after maxiter={maxiter} iterations"
    return OptimizationResult(
        x=X[:, 0] if vector else X, status=status, success=status == 0,
        message=f"CGLS: {message}", residual_norm=history["residual_norm"][-1],
        solution_norm=history["solution_norm"][-1], nit=history.n_rows - 1, history=history,
        method="CGLS", time=time.perf_counter() - start)


_METHODS = {"normal": solve_normal_equations, "qr": solve_qr, "svd": solve_svd, "cgls": cgls}


def lstsq(A, B, method: str = "qr", alpha: float = 0.0, L=None, **options):
    """min ||A X - B||^2 + alpha ||L X||^2 by method 'normal', 'qr', 'svd' or 'cgls'."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}")
    if method == "svd":
        if L is not None:
            raise ValueError("method 'svd' supports L = identity only; use 'qr', 'normal' or "
                             "'cgls' for a general L")
        return solve_svd(A, B, alpha, **options)
    return _METHODS[method](A, B, alpha, L, **options)
