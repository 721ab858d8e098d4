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


def _inner_cg_rtol(atol: float):
    """CG's forcing term for the convex inner problem min_W J(p, W), stopped at ||grad_W J|| <= atol:
    min(0.5, sqrt(||g||)) (superlinear convergence), but never tighter than the target needs (after
    a step whose CG residual is r, the next gradient is r plus a second-order term, so a relative
    residual of 0.5 atol / ||g|| suffices)."""
    return lambda gnorm: min(0.5, max(float(np.sqrt(gnorm)), 0.5 * atol / gnorm))


class VarProObjective:
    """J_red(p) = min_W J(p, W): the weights W are eliminated (Variable Projection).

    For least squares W(p) is the Tikhonov solution by the SVD of Z1 (exact); for other
    losses W(p) is found by Newton-CG, warm-started from the last W (kept in `W_last`: it only
    changes the starting guess, not the answer), to ||grad_W J(p, W~)|| <= tau.

    The tolerance tau: a fixed `inner_atol` (inner_eta = 0, the default), or one that follows
    the outer iteration (inexact VarPro, inner_eta > 0):

        gradients (derivatives):   tau_g = max(inner_atol, inner_eta       * ||grad J_red||)
        values (line search):      tau_v = max(inner_atol, inner_eta_value * ||grad J_red||)

    with ||grad J_red|| the reduced gradient norm at the last point where `derivatives` was
    called (the optimizer's last accepted iterate). Why this is enough: with W~ the inexact
    W(p) and mu the smallest eigenvalue of H_WW (on the directions that couple to p),
        W~ - W(p)             ~ H_WW^{-1} grad_W J(p, W~),   ||W~ - W(p)|| <= tau / mu,
        ||g~ - grad J_red||   <= ||J_pW|| ||W~ - W(p)|| <= (||J_pW|| / mu) tau     (first order),
        0 <= J(p, W~) - J_red(p) ~ 1/2 grad_W^T H_WW^{-1} grad_W <= tau^2 / (2 mu) (second order),
    so tau_g = eta ||g~|| keeps the reduced gradient's relative error below (||J_pW|| / mu) eta:
    a descent direction and the outer convergence of an inexact-gradient Newton method. Values
    are always upper bounds of J_red (W~ is a feasible W) and every accepted value is one of the
    full objective J(p, W~); their error is of second order in tau, and Armijo compares a
    decrease c1 t |g^T d| ~ ||g||^2 with it, so values ask for a smaller factor
    (inner_eta_value <= inner_eta; None: inner_eta) for the noise to stay below the decrease.
    After the gradient at a new point is known, derivatives checks tau_g against
    inner_eta ||g~|| at that point and re-solves (warm) when the solve was looser than that.
    A point solved once is not solved again for a looser tolerance (the line search's accepted
    point is re-used by `derivatives`).

    The reduced gradient grad_p J(p, W~) is only as exact as W~: an inner solve that stops at
    `inner_maxiter` (or fails) before ||grad_W J|| <= tau leaves a larger error than asked for.
    Such solves are counted in `inner_failures` (with the largest ||grad_W|| left in
    `inner_grad_norm`) and warned about once. `inner_solves` and `inner_iterations` count the
    inner solves and their Newton steps; `inner_cg_maxiter` caps the inner CG.
    """

    def __init__(self, full, inner_atol: float = 1e-8, inner_maxiter: int = 50, *,
                 inner_eta: float = 0.0, inner_eta_value: float | None = None,
                 inner_cg_maxiter: int = 50):
        self.full, self.inner_atol, self.inner_maxiter = full, inner_atol, inner_maxiter
        if inner_eta < 0 or (inner_eta_value is not None and inner_eta_value < 0):
            raise ValueError(f"inner_eta and inner_eta_value must be >= 0, got {inner_eta}, {inner_eta_value}")
        self.inner_eta = float(inner_eta)
        self.inner_eta_value = self.inner_eta if inner_eta_value is None else float(inner_eta_value)
        self.inner_cg_maxiter = inner_cg_maxiter
        self.n = full.n_p
        self.W_last = np.zeros(full.shape_W)
        self._p_last, self._tol_last = None, np.inf  # the point W_last solves, and to what tolerance
        self.grad_norm = None  # ||grad J_red|| at the last point `derivatives` was called at
        self.p_grad, self.W_grad = None, None  # that point and the W~ its gradient used
        self.inner_failures, self.inner_grad_norm = 0, 0.0
        self.inner_solves, self.inner_iterations = 0, 0
        self.last_inner_grad_norm = 0.0  # ||grad_W J|| the last inner solve stopped at

    @property
    def work(self) -> float:
        return self.full.work

    def tolerance(self, kind: str = "gradient") -> float:
        """tau_g (kind 'gradient') or tau_v ('value') for the next solve (see the class doc)."""
        eta = self.inner_eta if kind == "gradient" else self.inner_eta_value
        if eta == 0 or self.grad_norm is None:
            return self.inner_atol
        return max(self.inner_atol, eta * self.grad_norm)

    def solve_W(self, p, atol: float | None = None) -> np.ndarray:
        """W(p) = argmin_W J(p, W), to ||grad_W J|| <= atol (default inner_atol)."""
        atol = self.inner_atol if atol is None else float(atol)
        if self._p_last is not None and self._tol_last <= atol and np.array_equal(p, self._p_last):
            return self.W_last  # this point was solved as exactly already
        full = self.full
        Z1 = full.features(p)
        full.work += full.work_scale
        n = Z1.shape[1]
        if isinstance(full.loss, LeastSquares):
            # 1/(2n)||W Z1 - C||^2 + alpha/2 ||W||^2 is Tikhonov least squares with weight n alpha;
            # the SVD also answers alpha = 0 with rank-deficient features (pseudo-inverse)
            W = lstsq(Z1.T, full.C.T, method="svd", alpha=n * full.alpha_W).x.T
            tol_reached = 0.0
        else:
            inner = LinearModelObjective(full.loss, Z1, full.C,
                                         Tikhonov(full.alpha_W) if full.alpha_W > 0 else None)
            # absolute tolerance: a warm start makes ||grad|| small at once, so a relative one
            # would ask for the impossible (and the line search would fail at round-off)
            res = newton_cg(inner, vec(self.W_last), rtol=0.0, atol=atol, maxiter=self.inner_maxiter,
                            cg_maxiter=self.inner_cg_maxiter, cg_rtol=_inner_cg_rtol(atol))
            full.work += 2 * res.nfev  # Newton steps use Z1 only: counted as passes too
            self.inner_solves += 1
            self.inner_iterations += res.nit
            W = inner.W(res.x)
            grad_norm = float(np.linalg.norm(res.jac))
            self.last_inner_grad_norm = tol_reached = grad_norm
            if not grad_norm <= atol:
                if self.inner_failures == 0:
                    warnings.warn(f"VarPro: the inner solve for W stopped with ||grad_W J|| = "
                                  f"{grad_norm:.2e} > its tolerance {atol:.1e} ({res.message}); "
                                  "the reduced gradient is inexact: raise inner_maxiter or loosen "
                                  "inner_atol / inner_eta", RuntimeWarning, stacklevel=3)
                self.inner_failures += 1
                self.inner_grad_norm = max(self.inner_grad_norm, grad_norm)
        self.W_last = W
        self._p_last, self._tol_last = np.array(p, dtype=float), tol_reached
        return W

    def x_full(self, p) -> np.ndarray:
        """[p; vec(W(p))], the point of the full objective that p stands for (W to inner_atol)."""
        return np.concatenate([p, vec(self.solve_W(p))])

    def __call__(self, p) -> float:
        """J(p, W~) with W~ solved to tau_v (J_red(p) itself for inner_eta = 0 up to inner_atol)."""
        p = as_vector(p, "p (network parameters)", size=self.n)
        return self.full.value(p, self.solve_W(p, self.tolerance("value")))

    def derivatives(self, p):
        """(J_red, grad J_red, Gauss-Newton H_pp at W~), W~ solved to tau_g."""
        p = as_vector(p, "p (network parameters)", size=self.n)
        atol = self.tolerance("gradient")
        for _ in range(3):
            J, gp, _, H_pp, _ = self.full.linearize(p, self.solve_W(p, atol))
            gnorm = float(np.linalg.norm(gp))
            needed = max(self.inner_atol, self.inner_eta * gnorm) if self.inner_eta > 0 else atol
            if self._tol_last <= needed or needed >= atol:
                break  # exact enough here (or a failed solve that asking again would not help)
            atol = needed  # the gradient here is smaller than the last: solve tighter
        self.grad_norm = gnorm
        self.p_grad, self.W_grad = self._p_last, self.W_last  # the W~ this gradient used
        return J, gp, H_pp


def varpro(full, p0, *, method: str = "newton_cg", inner_atol: float = 1e-8,
           inner_maxiter: int = 50, inner_eta: float = 0.0, inner_eta_value: float | None = None,
           inner_cg_maxiter: int = 50, callback=None, **options):
    """Minimise J_red(p) from p0 by 'newton_cg' or 'steepest_descent' on the network parameters.

    Returns the optimizer's OptimizationResult with x = [p; vec(W~)] (a point of the full
    objective, so results of all methods compare directly; W~ is the W(p) of the last
    gradient, solved to its tolerance) and `p` the network parameters.
    callback, like x, sees the full point [p; vec(W(p))].
    inner_atol, inner_eta, inner_eta_value, inner_maxiter, inner_cg_maxiter: the inner solve
    (see VarProObjective): ||grad_W J|| <= max(inner_atol, inner_eta ||grad J_red||) for
    gradients (inner_eta_value for line-search values); inner_eta = 0 solves every W to
    inner_atol.
    status 6 (success False) says that some inner solves for W stopped before ||grad_W J||
    reached the tolerance they were asked for, so those reduced gradients were less exact than
    the rule allows (result.inner_failures counts them). result.inner_solves and
    result.inner_iterations count the inner solves and their Newton steps.
    """
    methods = {"newton_cg": newton_cg, "steepest_descent": steepest_descent}
    if method not in methods:
        raise ValueError(f"method must be one of {sorted(methods)}, got {method!r}")
    reduced = VarProObjective(full, inner_atol=inner_atol, inner_maxiter=inner_maxiter,
                              inner_eta=inner_eta, inner_eta_value=inner_eta_value,
                              inner_cg_maxiter=inner_cg_maxiter)
    # the optimizer calls back at p right after derivatives(p), so W_last is W(p)
    full_callback = None if callback is None else \
        (lambda p: callback(np.concatenate([p, vec(reduced.W_last)])))
    result = methods[method](reduced, p0, callback=full_callback, **options)
    result.p = result.x
    # the W~ of the last recorded iterate (what the callback and history saw), not a new solve
    W = reduced.W_grad if reduced.p_grad is not None and np.array_equal(reduced.p_grad, result.p) \
        else reduced.solve_W(result.p, reduced.tolerance("gradient"))
    result.x = np.concatenate([result.p, vec(W)])
    result.message = "VarPro " + result.message
    result.inner_failures, result.inner_grad_norm = reduced.inner_failures, reduced.inner_grad_norm
    result.inner_solves, result.inner_iterations = reduced.inner_solves, reduced.inner_iterations
    if reduced.inner_failures:
        result.status, result.success = 6, False
        result.message += (f"; {reduced.inner_failures} inner solves for W did not converge "
                           f"(largest ||grad_W J|| = {reduced.inner_grad_norm:.1e}): the reduced "
                           "gradient was inexact")
    return result
