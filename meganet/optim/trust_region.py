"""Trust-region Newton-CG: Steihaug-Toint truncated CG inside a trust region (Nocedal & Wright 4, 7.1).

At x_k, with g = grad J(x_k) and H a (Gauss-)Newton Hessian known only through products, the
quadratic model of J(x_k + s) is

    m_k(s) = J(x_k) + g^T s + 1/2 s^T H s,

trusted only in the ball ||s|| <= Delta_k (the trust region). Steihaug-Toint CG minimises m_k
over the ball approximately; the step is then judged by the ratio of the actual to the
predicted reduction,

    rho_k = (J(x_k) - J(x_k + s)) / (m_k(0) - m_k(s)),

which says how well the model predicted the objective: rho_k > eta accepts the step, and the
radius shrinks when the model was poor (rho_k < 1/4) and grows when it was good and the step was
limited by the ball (rho_k > 3/4, ||s|| = Delta_k). No line search is needed, and H may be
indefinite: a direction of negative curvature is followed to the boundary.
"""
from __future__ import annotations

import time

import numpy as np
from scipy.sparse.linalg import aslinearoperator

from ..validation import as_vector
from .result import History, OptimizationResult, iteration_row, iterations, run_callback

__all__ = ["steihaug_cg", "trust_region_newton_cg"]


def _to_boundary(sPs: float, sPd: float, dPd: float, radius: float) -> float:
    """The tau >= 0 with ||s + tau d|| = radius, for ||s|| <= radius (the positive root of
    dPd tau^2 + 2 sPd tau + (sPs - radius^2) = 0, in the form that avoids cancellation)."""
    c = sPs - radius ** 2          # <= 0: s lies inside the ball
    root = np.sqrt(max(sPd ** 2 - dPd * c, 0.0))
    if sPd >= 0:
        return float(-c / (sPd + root)) if sPd + root > 0 else 0.0
    return float((root - sPd) / dPd)


def steihaug_cg(H, g, radius: float, *, rtol: float, maxiter: int, M=None):
    """Approximately minimise q(s) = g^T s + 1/2 s^T H s subject to ||s|| <= radius.

    H : LinearOperator (or matrix), n x n, symmetric (it need not be positive definite);
    g : the gradient, n entries; radius > 0: the trust-region radius.
    M : optional preconditioner, an operator that approximates H^{-1} (as scipy's cg's M); the
        trust region is then measured in the norm ||s||_P = sqrt(s^T P s), P = M^{-1}.

    CG on H s = -g from s_0 = 0 (N&W Algorithm 7.2, with the preconditioned recurrences for
    ||s||_P of Conn, Gould & Toint 7.5.1). With the residual r_j = H s_j + g, z_j = M r_j,
    d_0 = -z_0:

        alpha_j = r_j^T z_j / d_j^T H d_j,   s_{j+1} = s_j + alpha_j d_j,
        r_{j+1} = r_j + alpha_j H d_j,      beta_j = r_{j+1}^T z_{j+1} / r_j^T z_j,
        d_{j+1} = -z_{j+1} + beta_j d_j.

    It stops
      - "negative curvature": d_j^T H d_j <= 0; the step is s_j + tau d_j on the boundary
        (q decreases along d_j all the way to it);
      - "boundary": ||s_{j+1}|| >= radius; the step is s_j + tau d_j with ||.|| = radius
        (q decreases monotonically along the CG path, so this is the best point on it);
      - "converged": ||r_{j+1}|| <= rtol ||g|| (the forcing term of an inexact Newton step);
      - "maxiter": after maxiter iterations (Hessian-vector products), with s_maxiter.

    Returns (s, info): info has cg_iterations (Hessian-vector products), stop (one of the
    reasons above), on_boundary (bool), step_norm (||s||_P) and predicted_reduction
    q(0) - q(s) = -(g^T s + 1/2 s^T H s) (from the residual: H s = r - g, no extra product).
    """
    g = as_vector(g, "g (gradient)")
    n = g.size
    H = aslinearoperator(H)
    if H.shape != (n, n):
        raise ValueError(f"H must be a {n} x {n} operator (g has {n} entries), got shape {H.shape}")
    radius = float(radius)
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be positive and finite, got {radius}")
    if not rtol >= 0:
        raise ValueError(f"rtol must be >= 0, got {rtol}")
    if int(maxiter) < 1:
        raise ValueError(f"maxiter must be at least 1, got {maxiter}")
    if M is not None:
        M = aslinearoperator(M)
        if M.shape != (n, n):
            raise ValueError(f"M must be a {n} x {n} operator, got shape {M.shape}")
    precondition = (lambda r: r.copy()) if M is None else (lambda r: np.ravel(M.matvec(r)))

    s = np.zeros(n)
    r = g.copy()
    gnorm = float(np.linalg.norm(g))

    def done(s, r, stop, on_boundary, j, sPs):
        # q(0) - q(s) = -(g^T s + 1/2 s^T (r - g)), since H s = r - g
        pred = -(float(g @ s) + 0.5 * float(s @ (r - g)))
        return s, {"cg_iterations": j, "stop": stop, "on_boundary": on_boundary,
                   "step_norm": float(np.sqrt(max(sPs, 0.0))), "predicted_reduction": pred}

    if gnorm == 0.0:
        return done(s, r, "converged", False, 0, 0.0)
    z = precondition(r)
    rz = float(r @ z)
    if not rz > 0:
        raise ValueError("the preconditioner M must be positive definite (r^T M r <= 0)")
    d = -z
    sPs, sPd, dPd = 0.0, 0.0, rz   # s^T P s, s^T P d, d^T P d (P = M^{-1}; for d_0: r^T M r)
    tol = rtol * gnorm
    for j in range(1, int(maxiter) + 1):
        Hd = np.ravel(H.matvec(d))
        dHd = float(d @ Hd)
        if not dHd > 0:   # negative (or zero) curvature: follow d to the boundary
            tau = _to_boundary(sPs, sPd, dPd, radius)
            return done(s + tau * d, r + tau * Hd, "negative curvature", True, j, radius ** 2)
        alpha = rz / dHd
        sPs_next = sPs + 2 * alpha * sPd + alpha ** 2 * dPd
        if sPs_next >= radius ** 2:   # the CG step leaves the ball: stop where it crosses
            tau = _to_boundary(sPs, sPd, dPd, radius)
            return done(s + tau * d, r + tau * Hd, "boundary", True, j, radius ** 2)
        s = s + alpha * d
        r = r + alpha * Hd
        if np.linalg.norm(r) <= tol:
            return done(s, r, "converged", False, j, sPs_next)
        z = precondition(r)
        rz_next = float(r @ z)
        beta = rz_next / rz
        sPd = beta * (sPd + alpha * dPd)
        dPd = rz_next + beta ** 2 * dPd
        sPs, rz = sPs_next, rz_next
        d = -z + beta * d
    return done(s, r, "maxiter", False, int(maxiter), sPs)


def trust_region_newton_cg(objective, x0, *, maxiter: int = 50, atol: float = 1e-8,
                           rtol: float = 1e-6, ftol: float = 0.0, radius0: float = 1.0,
                           max_radius: float = 1e3, eta: float = 0.15, radius_tol: float = 1e-10,
                           cg_maxiter: int = 50, cg_rtol: float | None = None,
                           preconditioner=None, callback=None, progress: bool = False,
                           name: str = "Newton-CG (trust region)"):
    """Minimise objective(x) by trust-region Newton-CG (N&W Algorithm 4.1 with Steihaug-CG).

    objective: callable x -> J(x), with derivatives(x) -> (J, grad, H as a LinearOperator).
    Each iteration k computes s_k = steihaug_cg(H_k, g_k, Delta_k) (CG to relative residual
    cg_rtol, by default the forcing term min(0.5, sqrt(||g_k||)), at most cg_maxiter products),
    one trial value J(x_k + s_k), and rho_k = (J(x_k) - J(x_k + s_k)) / (m_k(0) - m_k(s_k)):

        rho_k < 1/4:                      Delta_{k+1} = ||s_k|| / 4     (the model was poor)
        rho_k > 3/4 and ||s_k|| = Delta_k: Delta_{k+1} = min(2 Delta_k, max_radius)
        otherwise                         Delta_{k+1} = Delta_k;
        x_{k+1} = x_k + s_k if rho_k > eta, else x_k (a rejected step costs one value).

    (N&W shrink to Delta_k / 4; a quarter of the step taken is never larger and, after an
    interior step, does not repeat the same rejected step.)
    preconditioner: None, or a callable (g, H, x) -> M (an operator approximating H^{-1}) made
    once per outer iteration; the trust region is then in the M^{-1}-norm.

    Stops (status, OptimizationResult.MESSAGES):
      0  ||g_k|| <= max(atol, rtol ||g_0||)                       (success)
      8  an accepted step with J(x_k) - J(x_{k+1}) <= ftol max(|J(x_k)|, |J(x_{k+1})|, 1)
         (scipy L-BFGS-B's relative-reduction test; ftol = 0 switches it off)  (success)
      9  Delta_k < radius_tol: the model is not trusted even for tiny steps
      1  maxiter iterations (accepted or rejected steps; the safety cap)
      3  the callback says stop (`run_callback`);  4  non-finite J or gradient at x_k.
    The history has one row per iteration: fun, grad_norm, time, nfev, work (passes over the
    data, if the objective counts them), radius (Delta_k), the callback's values, and for the
    step then taken: rho, cg_iterations, on_boundary, accepted.
    """
    checks = dict(maxiter=maxiter, cg_maxiter=cg_maxiter)
    for key, value in checks.items():
        if int(value) != value or value < 0 or (key == "cg_maxiter" and value < 1):
            raise ValueError(f"{key} must be a {'positive' if key == 'cg_maxiter' else 'non-negative'} "
                             f"integer, got {value}")
    for key, value in dict(radius0=radius0, max_radius=max_radius).items():
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{key} must be positive and finite, got {value}")
    if radius0 > max_radius:
        raise ValueError(f"radius0 ({radius0}) must not exceed max_radius ({max_radius})")
    if not 0 <= eta < 0.25:
        raise ValueError(f"eta must be in [0, 1/4) (accept when rho > eta), got {eta}")
    if ftol < 0 or radius_tol < 0:
        raise ValueError(f"ftol and radius_tol must be >= 0, got {ftol}, {radius_tol}")

    x = as_vector(x0, "x0", size=getattr(objective, "n", None)).copy()
    history = History()
    start = time.perf_counter()
    status, radius, tol = 1, float(radius0), None
    f, g, H = objective.derivatives(x)
    nfev = 1
    for k in iterations(maxiter, progress, name):
        gnorm = float(np.linalg.norm(g))
        if not (np.isfinite(f) and np.isfinite(gnorm)):
            status = 4
            break
        tol = max(atol, rtol * gnorm) if tol is None else tol
        extra, stop = run_callback(callback, x)
        row = iteration_row(objective, start, fun=f, grad_norm=gnorm, nfev=nfev, radius=radius, **extra)
        if gnorm <= tol or stop or radius < radius_tol or k == maxiter:
            history.record(**row)
            status = 0 if gnorm <= tol else 3 if stop else 9 if radius < radius_tol else 1
            break
        forcing = cg_rtol if cg_rtol is not None else min(0.5, float(np.sqrt(gnorm)))
        M = None if preconditioner is None else preconditioner(g, H, x)
        s, info = steihaug_cg(H, g, radius, rtol=forcing, maxiter=cg_maxiter, M=M)
        pred = info["predicted_reduction"]
        f_trial = objective(x + s)
        nfev += 1
        if np.isfinite(f_trial) and pred > 0:
            rho = (f - f_trial) / pred
        else:   # a non-finite trial value, or no predicted decrease (round-off): reject
            rho = -np.inf
        if rho < 0.25:
            radius = 0.25 * min(radius, info["step_norm"])
        elif rho > 0.75 and info["on_boundary"]:
            radius = min(2.0 * radius, max_radius)
        accepted = bool(rho > eta)
        history.record(**row, rho=float(rho), cg_iterations=info["cg_iterations"],
                       on_boundary=info["on_boundary"], accepted=accepted)
        if accepted:
            x = x + s
            f_old = f
            f, g, H = objective.derivatives(x)
            nfev += 1
            if ftol > 0 and f_old - f <= ftol * max(abs(f_old), abs(f), 1.0) and np.isfinite(f):
                history.record(**iteration_row(objective, start, fun=f, grad_norm=float(np.linalg.norm(g)),
                                               nfev=nfev, radius=radius, **run_callback(callback, x)[0]))
                status = 8
                break
    return OptimizationResult(
        x=x, fun=f, jac=g, status=status, success=status in (0, 8),
        message=f"{name}: {OptimizationResult.MESSAGES[status]}", nit=history.n_rows - 1,
        nfev=nfev, history=history, time=time.perf_counter() - start)
