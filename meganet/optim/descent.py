"""The iteration loop shared by steepest descent and Newton-CG: a direction, Armijo, a record."""
from __future__ import annotations

import time

import numpy as np

from ..validation import as_vector
from .line_search import armijo
from .result import History, OptimizationResult, iteration_row, iterations, run_callback

__all__ = ["descent_loop"]


def descent_loop(objective, x0, direction, *, maxiter, atol, rtol, callback, next_t0, name,
                 progress=False):
    """Minimise objective(x) by x <- x + t p, p = direction(g, H) and t by Armijo.

    direction(g, H) -> (p, info dict recorded in the history); next_t0(t) gives the next
    initial step. Stops when ||g|| <= max(atol, rtol ||g0||), after maxiter iterations, when
    the line search fails, on non-finite values, or when the callback says stop (see
    `run_callback`: it may return values to record in the history, and/or stop).
    progress=True shows a tqdm bar over the iterations (for long runs; off in tests).
    """
    x = as_vector(x0, "x0", size=getattr(objective, "n", None)).copy()
    history = History()
    start = time.perf_counter()
    nfev, status, t0 = 0, 1, 1.0
    f, g, H = objective.derivatives(x)
    nfev += 1
    tol = None
    for k in iterations(maxiter, progress, name):
        gnorm = float(np.linalg.norm(g))
        if not (np.isfinite(f) and np.isfinite(gnorm)):
            status = 4
            break
        tol = max(atol, rtol * gnorm) if tol is None else tol
        extra, stop = run_callback(callback, x)
        row = iteration_row(objective, start, fun=f, grad_norm=gnorm, nfev=nfev, **extra)
        if gnorm <= tol or stop:
            history.record(**row)
            status = 0 if gnorm <= tol else 3
            break
        if k == maxiter:
            history.record(**row)
            break
        p, info = direction(g, H)
        t, f_new, n_ls = armijo(objective, x, f, g, p, t0=t0)
        nfev += n_ls
        history.record(**row, step=t, **info)
        if t == 0.0:
            status = 2
            break
        x = x + t * p
        t0 = next_t0(t)
        f, g, H = objective.derivatives(x)
        nfev += 1
    return OptimizationResult(
        x=x, fun=f, jac=g, status=status, success=status == 0,
        message=f"{name}: {OptimizationResult.MESSAGES[status]}", nit=history.n_rows - 1,
        nfev=nfev, history=history, time=time.perf_counter() - start)
