"""Backtracking line search with the Armijo (sufficient decrease) condition."""
from __future__ import annotations

import numpy as np

__all__ = ["armijo"]


def armijo(fun, x, f, g, p, t0: float = 1.0, c1: float = 1e-4, shrink: float = 0.5,
           max_backtracks: int = 30):
    """Largest t = t0 shrink^k with f(x + t p) <= f(x) + c1 t g^T p.

    fun : callable x -> objective value; f, g: value and gradient at x; p: a descent direction.
    Returns (t, f_new, n_evaluations); t = 0 when no step was accepted (or p is not a descent
    direction), so callers can stop instead of looping.
    """
    slope = float(np.vdot(g, p))
    if not slope < 0:
        return 0.0, f, 0
    t = t0
    for k in range(1, max_backtracks + 1):
        f_new = fun(x + t * p)
        if np.isfinite(f_new) and f_new <= f + c1 * t * slope:
            return t, f_new, k
        t *= shrink
    return 0.0, f, max_backtracks
