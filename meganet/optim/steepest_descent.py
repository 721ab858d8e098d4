"""Steepest descent with an Armijo line search."""
from __future__ import annotations


from .descent import descent_loop

__all__ = ["steepest_descent"]


def steepest_descent(objective, x0, *, maxiter: int = 500, atol: float = 1e-8,
                     rtol: float = 1e-6, callback=None, progress: bool = False):
    """Minimise J by x_{k+1} = x_k - t_k grad J(x_k), t_k from Armijo backtracking.

    objective: has `__call__(x)` (value) and `derivatives(x)` -> (J, grad, H) (H unused).
    The first trial step of each line search is twice the last accepted step, so the method
    adapts to the scale of the problem. Returns an `OptimizationResult`.
    """

    def direction(g, H):
        return -g, {}

    return descent_loop(objective, x0, direction, maxiter=maxiter, atol=atol, rtol=rtol,
                        callback=callback, next_t0=lambda t: 2.0 * t, name="steepest descent",
                        progress=progress)
