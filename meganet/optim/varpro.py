"""Variable Projection (VarPro): eliminate the classifier weights W, optimise the layer only.

    W(p) = argmin_W J(p, W)          (closed form for least squares, Newton-CG otherwise)
    J_red(p) = J(p, W(p)),   grad J_red(p) = grad_p J(p, W(p))
because grad_W J(p, W(p)) = 0 (the envelope theorem). The Hessian of J_red is approximated
by the Gauss-Newton block H_pp at W(p). The reduced problem has far fewer unknowns and is
better conditioned than the joint one, which is why VarPro needs fewer passes over the data.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..linalg import vec
from ..losses import LeastSquares
from ..objectives import LinearModelObjective
from ..regularizers import Tikhonov
from ..validation import as_vector
from .least_squares import lstsq
from .newton_cg import newton_cg
from .steepest_descent import steepest_descent

__all__ = ["VarProObjective", "varpro"]


class VarProObjective:
    """J_red(p) = min_W J(p, W): the weights W are eliminated (Variable Projection).

    For least squares W(p) is the Tikhonov solution by the SVD of Z1 (exact); for other
    losses W(p) is found by Newton-CG to ||grad_W|| <= `inner_atol`, warm-started from the last W (kept in
    `W_last`, the one piece of state: it only changes the starting guess, not the answer).
    The reduced gradient grad_p J(p, W(p)) is only as exact as W(p): an inner solve that stops
    at `inner_maxiter` (or fails) leaves grad_W J != 0 and the envelope theorem no longer
    applies. Such solves are counted in `inner_failures` (with the largest ||grad_W|| left in
    `inner_grad_norm`) and warned about once.
    """

    def __init__(self, full, inner_atol: float = 1e-8, inner_maxiter: int = 50):
        self.full, self.inner_atol, self.inner_maxiter = full, inner_atol, inner_maxiter
        self.n = full.n_p
        self.W_last = np.zeros(full.shape_W)
        self.inner_failures, self.inner_grad_norm = 0, 0.0

    @property
    def work(self) -> float:
        return self.full.work

    def solve_W(self, p) -> np.ndarray:
        """W(p) = argmin_W J(p, W)."""
        full = self.full
        Z1 = full.features(p)
        full.work += full.work_scale
        n = Z1.shape[1]
        if isinstance(full.loss, LeastSquares):
            # 1/(2n)||W Z1 - C||^2 + alpha/2 ||W||^2 is Tikhonov least squares with weight n alpha;
            # the SVD also answers alpha = 0 with rank-deficient features (pseudo-inverse)
            W = lstsq(Z1.T, full.C.T, method="svd", alpha=n * full.alpha_W).x.T
        else:
            inner = LinearModelObjective(full.loss, Z1, full.C,
                                         Tikhonov(full.alpha_W) if full.alpha_W > 0 else None)
            # absolute tolerance: a warm start makes ||grad|| small at once, so a relative one
            # would ask for the impossible (and the line search would fail at round-off)
            res = newton_cg(inner, vec(self.W_last), rtol=0.0, atol=self.inner_atol,
                            maxiter=self.inner_maxiter)
            full.work += 2 * res.nfev  # Newton steps use Z1 only: counted as passes too
            W = inner.W(res.x)
            grad_norm = float(np.linalg.norm(res.jac))
            if grad_norm > self.inner_atol:
                if self.inner_failures == 0:
                    warnings.warn(f"VarPro: the inner solve for W stopped with ||grad_W J|| = "
                                  f"{grad_norm:.2e} > inner_atol = {self.inner_atol:.1e} ({res.message}); "
                                  "the reduced gradient is inexact: raise inner_maxiter or loosen "
                                  "inner_atol", RuntimeWarning, stacklevel=3)
                self.inner_failures += 1
                self.inner_grad_norm = max(self.inner_grad_norm, grad_norm)
        self.W_last = W
        return W

    def x_full(self, p) -> np.ndarray:
        """[p; vec(W(p))], the point of the full objective that p stands for."""
        return np.concatenate([p, vec(self.solve_W(p))])

    def __call__(self, p) -> float:
        p = as_vector(p, "p (network parameters)", size=self.n)
        return self.full.value(p, self.solve_W(p))

    def derivatives(self, p):
        """(J_red, grad J_red, Gauss-Newton H_pp at W(p))."""
        p = as_vector(p, "p (network parameters)", size=self.n)
        J, gp, _, H_pp, _ = self.full.linearize(p, self.solve_W(p))
        return J, gp, H_pp


def varpro(full, p0, *, method: str = "newton_cg", inner_atol: float = 1e-8,
           inner_maxiter: int = 50, callback=None, **options):
    """Minimise J_red(p) from p0 by 'newton_cg' or 'steepest_descent' on the network parameters.

    Returns the optimizer's OptimizationResult with x = [p; vec(W(p))] (a point of the full
    objective, so results of all methods compare directly) and `p` the network parameters.
    callback, like x, sees the full point [p; vec(W(p))].
    status 6 (success False) says that some inner solves for W stopped before ||grad_W J|| <=
    inner_atol, so the reduced gradients were inexact (result.inner_failures counts them).
    """
    methods = {"newton_cg": newton_cg, "steepest_descent": steepest_descent}
    if method not in methods:
        raise ValueError(f"method must be one of {sorted(methods)}, got {method!r}")
    reduced = VarProObjective(full, inner_atol=inner_atol, inner_maxiter=inner_maxiter)
    # the optimizer calls back at p right after derivatives(p), so W_last is W(p)
    full_callback = None if callback is None else \
        (lambda p: callback(np.concatenate([p, vec(reduced.W_last)])))
    result = methods[method](reduced, p0, callback=full_callback, **options)
    result.p = result.x
    result.x = reduced.x_full(result.p)
    result.message = "VarPro " + result.message
    result.inner_failures, result.inner_grad_norm = reduced.inner_failures, reduced.inner_grad_norm
    if reduced.inner_failures:
        result.status, result.success = 6, False
        result.message += (f"; {reduced.inner_failures} inner solves for W did not converge "
                           f"(largest ||grad_W J|| = {reduced.inner_grad_norm:.1e}): the reduced "
                           "gradient was inexact")
    return result
