"""Nonlinear least squares for separable models by scipy.optimize.least_squares.

    varpro_least_squares: min_theta 1/2 ||r(theta)||^2, r the VarPro residual (W eliminated),
                          with the exact Golub-Pereyra Jacobian or Kaufman's approximation;
    joint_least_squares:  min_{theta, W} 1/2 ||vec(W Z(theta) - C)||^2, the same fit unreduced.

The outer solver is scipy's: method "trf" (a trust-region Levenberg-Marquardt method; the
subproblem is solved matrix-free by LSMR on the Jacobian LinearOperator) or "lm" (MINPACK's
Levenberg-Marquardt, which needs the dense Jacobian: formed column by column, small problems
only). Both return an OptimizationResult with p (theta), W, x = [p; vec(W)], fun (1/2 ||r||^2),
nit (Jacobian evaluations = accepted steps), nfev, njev, the number of Jacobian products
`n_products`, status, message, time, and a history of fun, time and nfev per Jacobian evaluation.
"""
from __future__ import annotations

import time

import numpy as np
from scipy.optimize import least_squares

from ..linalg import mat, vec
from ..objectives.separable_least_squares import JointResidual, VarProResidual
from ..validation import as_vector
from .result import History, OptimizationResult, run_callback

__all__ = ["varpro_least_squares", "joint_least_squares"]

DENSE_LIMIT = 2e7   # entries of a dense Jacobian (160 MB) that method "lm" may form

# scipy's least_squares status -> meganet's (0 converged, 1 iteration limit, 3 callback)
_STATUS = {-1: 4, 0: 1, 1: 0, 2: 0, 3: 0, 4: 0}


class _Stop(Exception):
    """Raised inside the Jacobian callback when the user's callback asks to stop."""


class _CountingOperator:
    """Wraps J's products to count them (the work of the matrix-free subproblem solver)."""

    def __init__(self):
        self.n = 0

    def wrap(self, J):
        from scipy.sparse.linalg import LinearOperator

        def matvec(v):
            self.n += 1
            return J.matvec(v)

        def rmatvec(w):
            self.n += 1
            return J.rmatvec(w)

        return LinearOperator(J.shape, matvec=matvec, rmatvec=rmatvec, dtype=float)


def _dense(J) -> np.ndarray:
    if J.shape[0] * J.shape[1] > DENSE_LIMIT:
        raise ValueError(f"method 'lm' needs the dense Jacobian, {J.shape[0]} x {J.shape[1]} "
                         f"({J.shape[0] * J.shape[1]:.2e} entries > {DENSE_LIMIT:.0e}); use "
                         "method='trf', which works with the Jacobian's products")
    return np.column_stack([J.matvec(e) for e in np.eye(J.shape[1])])


def _solve(problem, x0, jacobian_of, method, max_nfev, ftol, xtol, gtol, lsmr_maxiter, callback, name):
    """Run scipy's least_squares on problem.residual with jacobian_of(x) -> LinearOperator."""
    if method not in ("trf", "lm"):
        raise ValueError(f"method must be 'trf' (trust region, matrix-free) or 'lm' (MINPACK, dense), "
                         f"got {method!r}")
    start = time.perf_counter()
    history, counter = History(), _CountingOperator()
    nfev, last = [0], {}

    def fun(x):
        nfev[0] += 1
        last["x"], last["r"] = x.copy(), problem.residual(x)
        return last["r"]

    def jac(x, *_):
        r = last["r"] if np.array_equal(last.get("x"), x) else problem.residual(x)
        values, stop = run_callback(callback, x)
        history.record(fun=0.5 * float(r @ r), time=time.perf_counter() - start, nfev=nfev[0],
                       **values)
        if stop:
            raise _Stop(x.copy())
        J = jacobian_of(x)
        return _dense(J) if method == "lm" else counter.wrap(J)

    options = dict(method=method, ftol=ftol, xtol=xtol, gtol=gtol, max_nfev=max_nfev)
    if method == "trf":
        # an inexact (truncated) LSMR step: on MNIST-size problems 25 LSMR iterations reach
        # nearly the fit of a full solve per step at a fifth of the products
        options.update(tr_solver="lsmr", x_scale=1.0,
                       tr_options={} if lsmr_maxiter is None else {"maxiter": int(lsmr_maxiter)})
    try:
        sol = least_squares(fun, x0, jac=jac, **options)
        x, status, message = sol.x, _STATUS.get(sol.status, 4), sol.message
        njev = int(sol.njev) if sol.njev is not None else history.n_rows
    except _Stop as stop:
        x, status, message, njev = stop.args[0], 3, "stopped by callback", history.n_rows
    r = problem.residual(x)
    return OptimizationResult(
        x=x, fun=0.5 * float(r @ r), status=status, success=status == 0,
        message=f"{name} ({method}): {message}", nit=njev, nfev=nfev[0], njev=njev,
        n_products=counter.n if method == "trf" else njev * x.size, history=history,
        method=f"{name} ({method})", time=time.perf_counter() - start)


def varpro_least_squares(element, Y, C, p0, *, jacobian: str = "kaufman", method: str = "trf",
                         rcond: float = 1e-10, max_nfev: int = 100, ftol: float = 1e-8,
                         xtol: float = 1e-8, gtol: float = 1e-8, lsmr_maxiter: int | None = 25,
                         callback=None):
    """Fit W Z(theta) ~ C by VarPro: W(theta) = C Z^+ eliminated, theta by least_squares.

    element: Z = element.forward(theta, Y) (m, n); Y (n_in, n); C (k, n) targets; p0 the
    starting theta. jacobian "kaufman" (default, cheaper) or "exact" (Golub-Pereyra).
    max_nfev bounds the residual evaluations (each one forward pass and one SVD of Z);
    lsmr_maxiter bounds the LSMR iterations per trust-region step ("trf"; None: LSMR's default).
    callback(theta) is called at each accepted point; it may return a dict to record or True
    to stop. Returns an OptimizationResult (see the module docstring) with `rank` the rank of Z
    kept by the truncated SVD at the solution.
    """
    problem = VarProResidual(element, Y, C, rcond=rcond)
    if jacobian not in VarProResidual.JACOBIANS:
        raise ValueError(f"jacobian must be one of {VarProResidual.JACOBIANS}, got {jacobian!r}")
    p0 = as_vector(p0, f"p0 (the {element.n_params} parameters of {element!r})", size=element.n_params)
    result = _solve(problem, p0, lambda p: problem.jacobian(p, jacobian), method, max_nfev, ftol,
                    xtol, gtol, lsmr_maxiter, callback, f"VarPro ({jacobian} Jacobian)")
    pt = problem.point(result.x)
    result.p, result.W, result.rank = result.x, pt.W, pt.rank
    result.x = np.concatenate([result.p, vec(pt.W)])
    return result


def joint_least_squares(element, Y, C, p0, W0=None, *, method: str = "trf", max_nfev: int = 100,
                        ftol: float = 1e-8, xtol: float = 1e-8, gtol: float = 1e-8,
                        lsmr_maxiter: int | None = 25, callback=None):
    """Fit W Z(theta) ~ C in (theta, W) jointly by least_squares (no elimination).

    W0 defaults to the least-squares W for p0 (the same start as VarPro's first point), so the
    two methods start from the same fit. Returns an OptimizationResult with p, W, x.
    """
    problem = JointResidual(element, Y, C)
    p0 = as_vector(p0, f"p0 (the {element.n_params} parameters of {element!r})", size=element.n_params)
    if W0 is None:
        W0 = VarProResidual(element, problem.Y, problem.C).weights(p0)
    x0 = np.concatenate([p0, vec(np.asarray(W0, dtype=float))])
    result = _solve(problem, x0, problem.jacobian, method, max_nfev, ftol, xtol, gtol, lsmr_maxiter, callback,
                    "joint least squares")
    result.p, result.W = result.x[:problem.n_theta], mat(result.x[problem.n_theta:], problem.shape_W)
    return result
