"""Choosing the regularisation weight: the corner of the L-curve."""
from __future__ import annotations

import numpy as np

__all__ = ["lcurve_corner"]


def lcurve_corner(residual_norms, regularizer_norms) -> int:
    """Index of the L-curve's corner: maximum curvature of (log rho, log eta).

    rho_i = ||A x_i - b|| and eta_i = ||L x_i|| for weights alpha_i in increasing (or
    decreasing) order; the curve is parametrised by i, and its signed curvature
        kappa = (x' y'' - x'' y') / (x'^2 + y'^2)^(3/2),   x = log rho, y = log eta
    is largest where the curve bends from "regulariser dominates" to "fit dominates".
    """
    rho, eta = np.asarray(residual_norms, float), np.asarray(regularizer_norms, float)
    if rho.shape != eta.shape or rho.ndim != 1 or rho.size < 3:
        raise ValueError("lcurve_corner needs two vectors of the same length >= 3 (one entry per alpha)")
    if np.any(rho <= 0) or np.any(eta <= 0):
        raise ValueError("lcurve_corner needs positive norms (it works on their logarithms)")
    x, y = np.log(rho), np.log(eta)
    dx, dy = np.gradient(x), np.gradient(y)
    ddx, ddy = np.gradient(dx), np.gradient(dy)
    return int(np.argmax((dx * ddy - ddx * dy) / (dx**2 + dy**2) ** 1.5))
