"""Newton-CG: the Newton step by truncated conjugate gradients, then an Armijo line search."""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import cg

from .descent import descent_loop

__all__ = ["newton_cg"]


def newton_cg(objective, x0, *, maxiter: int = 50, atol: float = 1e-8, rtol: float = 1e-6,
              cg_maxiter: int = 50, cg_rtol: float | None = None, callback=None,
              progress: bool = False):
    """Minimise a smooth convex J with steps p solving H p = -grad J approximately.

    H comes from objective.derivatives(x) as a LinearOperator (Hessian-vector products only).
    CG stops at relative residual cg_rtol, by default min(0.5, sqrt(||g||)) (a forcing term:
    loose far from the solution, tight near it, for superlinear convergence), or after
    cg_maxiter iterations. If the step is not a descent direction (H indefinite), the method
    falls back to -g. The history records CG iterations per step.
    """

    def direction(g, H):
        n_cg = [0]

        def count(_):
            n_cg[0] += 1

        tol = cg_rtol if cg_rtol is not None else min(0.5, float(np.sqrt(np.linalg.norm(g))))
        p, _ = cg(H, -g, rtol=tol, atol=0.0, maxiter=cg_maxiter, callback=count)
        if not np.vdot(p, g) < 0:
            return -g, {"cg_iterations": n_cg[0], "fallback": True}
        return p, {"cg_iterations": n_cg[0], "fallback": False}

    return descent_loop(objective, x0, direction, maxiter=maxiter, atol=atol, rtol=rtol,
                        callback=callback, next_t0=lambda t: 1.0, name="Newton-CG",
                        progress=progress)
