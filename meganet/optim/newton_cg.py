"""Newton-CG: the Newton step by truncated conjugate gradients, globalised by an Armijo line
search or by a trust region (Steihaug-CG, meganet.optim.trust_region)."""
from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.sparse.linalg import LinearOperator, cg

from .descent import descent_loop
from .trust_region import trust_region_newton_cg

__all__ = ["newton_cg", "classifier_block_preconditioner", "GLOBALIZATIONS"]

GLOBALIZATIONS = ("line_search", "trust_region")


def classifier_block_preconditioner(objective, p_scale: float = 1.0):
    """A preconditioner (g, H, x) -> M for a NetworkObjective's block Gauss-Newton Hessian.

    The classifier block H_WW = sum_j (z_j z_j^T) kron A_j + alpha_W I (z_j = [Z; 1]_j, A_j the
    Hessian of the loss in the scores of example j) has only k (m + 1) rows: it is formed from
    k probes of the loss Hessian (one forward pass, counted in objective.work) and solved
    exactly by Cholesky. The layer
    block is scaled by p_scale: M = blockdiag(I / p_scale, H_WW^{-1}). Inside a trust region
    the norm becomes ||s||_P^2 = p_scale ||s_p||^2 + s_W^T H_WW s_W.
    """
    if not all(hasattr(objective, a) for a in ("n_p", "shape_W", "features", "loss", "alpha_W")):
        raise TypeError("the classifier-block preconditioner needs a NetworkObjective, got "
                        f"{type(objective).__name__}")
    n_p, (k, n_f) = objective.n_p, objective.shape_W

    def make(g, H, x):
        p, W = objective.split(x)
        Z1 = objective.features(p)
        objective.work += getattr(objective, "work_scale", 1.0)   # that forward pass is counted
        _, _, hess_S = objective.loss.derivatives(W @ Z1, objective.C)
        A = np.empty((k, k, Z1.shape[1]))           # A[s, r, j] = (A_j)[s, r]
        for r in range(k):
            probe = np.zeros((k, Z1.shape[1]))
            probe[r] = 1.0
            A[:, r, :] = hess_S(probe)
        H4 = np.empty((n_f, k, n_f, k))             # vec index s + k c  <->  (c, s)
        for s_ in range(k):
            for r in range(s_, k):
                block = (Z1 * A[s_, r]) @ Z1.T
                H4[:, s_, :, r] = block
                H4[:, r, :, s_] = block.T
        H_WW = H4.reshape(n_f * k, n_f * k) + objective.alpha_W * np.eye(n_f * k)
        try:
            factor = cho_factor(H_WW)
        except np.linalg.LinAlgError:   # alpha_W = 0 and a flat loss: shift to make it definite
            factor = cho_factor(H_WW + (1e-10 * np.trace(H_WW) / len(H_WW) + 1e-12) * np.eye(len(H_WW)))

        def solve(v):
            v = np.ravel(v)
            return np.concatenate([v[:n_p] / p_scale, cho_solve(factor, v[n_p:])])

        return LinearOperator((objective.n,) * 2, matvec=solve, rmatvec=solve, dtype=float)

    return make


def newton_cg(objective, x0, *, maxiter: int = 50, atol: float = 1e-8, rtol: float = 1e-6,
              cg_maxiter: int = 50, cg_rtol: float | None = None, callback=None,
              progress: bool = False, globalization: str = "line_search", **trust_region):
    """Minimise a smooth J with steps p solving H p = -grad J approximately.

    H comes from objective.derivatives(x) as a LinearOperator (Hessian-vector products only).
    CG stops at relative residual cg_rtol, by default min(0.5, sqrt(||g||)) (a forcing term:
    loose far from the solution, tight near it, for superlinear convergence), or after
    cg_maxiter iterations; cg_rtol may also be a function ||g|| -> relative residual (line
    search only). The history records CG iterations per step.

    globalization="line_search" (the default): x <- x + t p with t by Armijo; if p is not a
    descent direction (H indefinite), the method falls back to -g. Stops when
    ||g|| <= max(atol, rtol ||g0||), at maxiter, or when the line search fails.
    globalization="trust_region": Steihaug-CG in a trust region, steps judged by the ratio of
    actual to predicted reduction (`trust_region_newton_cg`, whose options -- ftol, radius0,
    max_radius, eta, radius_tol, preconditioner -- are accepted here as keywords); it also
    stops on a relative-decrease test (ftol) and on a collapsed radius.
    preconditioner="classifier_block" (trust region only, for a NetworkObjective) solves the
    classifier block of the block Gauss-Newton Hessian exactly (`classifier_block_preconditioner`,
    with its p_scale keyword); on Peaks it is what makes the trust region pay (a Euclidean trust
    region there shrinks to ~0.03 and crawls: the W directions need far longer steps than p).
    """
    if globalization not in GLOBALIZATIONS:
        raise ValueError(f"globalization must be one of {GLOBALIZATIONS}, got {globalization!r}")
    if globalization == "trust_region":
        if trust_region.get("preconditioner") == "classifier_block":
            trust_region["preconditioner"] = classifier_block_preconditioner(
                objective, trust_region.pop("p_scale", 1.0))
        return trust_region_newton_cg(objective, x0, maxiter=maxiter, atol=atol, rtol=rtol,
                                      cg_maxiter=cg_maxiter, cg_rtol=cg_rtol, callback=callback,
                                      progress=progress, **trust_region)
    if trust_region:
        raise TypeError(f"options {sorted(trust_region)} need globalization='trust_region'")

    def direction(g, H):
        n_cg = [0]

        def count(_):
            n_cg[0] += 1

        gnorm = float(np.linalg.norm(g))
        tol = min(0.5, np.sqrt(gnorm)) if cg_rtol is None else cg_rtol(gnorm) if callable(cg_rtol) else cg_rtol
        p, _ = cg(H, -g, rtol=tol, atol=0.0, maxiter=cg_maxiter, callback=count)
        if not np.vdot(p, g) < 0:
            return -g, {"cg_iterations": n_cg[0], "fallback": True}
        return p, {"cg_iterations": n_cg[0], "fallback": False}

    return descent_loop(objective, x0, direction, maxiter=maxiter, atol=atol, rtol=rtol,
                        callback=callback, next_t0=lambda t: 1.0, name="Newton-CG",
                        progress=progress)
