"""A kernel shifted by a multiple of the identity: K(theta) - gamma I.

With an antisymmetric K = T - T^T (eigenvalues on the imaginary axis) the shift moves every
eigenvalue to real part -gamma < 0: the ResNet step Y + h sigma(K Y + b) then stays inside the
forward-Euler stability region |1 + h lambda| <= 1 for small h, where the unshifted
antisymmetric kernel sits on its boundary. K(theta) - gamma I is affine in theta, so the
derivative in theta is the unshifted kernel's (J_theta v = vec(K(v) Y)).
"""
from __future__ import annotations

import numpy as np

from .base import Kernel

__all__ = ["Shifted"]


class Shifted(Kernel):
    """K(theta) - gamma I for a square kernel K."""

    def __init__(self, kernel, gamma: float):
        if kernel.n_in != kernel.n_out:
            raise ValueError(f"a shift by gamma I needs a square kernel, got shape {kernel.shape}")
        gamma = float(gamma)
        if not np.isfinite(gamma):
            raise ValueError(f"gamma must be finite, got {gamma}")
        self.kernel, self.gamma = kernel, gamma
        self.n_in, self.n_out, self.n_theta = kernel.n_in, kernel.n_out, kernel.n_theta

    @property
    def fan_in(self) -> float:
        return self.kernel.fan_in

    def _check_theta(self, theta):
        return self.kernel._check_theta(theta)

    def _apply(self, theta, Y):
        return self.kernel._apply(theta, Y) - self.gamma * Y

    def _apply_transpose(self, theta, Z):
        return self.kernel._apply_transpose(theta, Z) - self.gamma * Z

    def _apply_linear(self, v, Y):
        return self.kernel._apply_linear(v, Y)

    def _apply_transpose_linear(self, v, Z):
        return self.kernel._apply_transpose_linear(v, Z)

    def _gradient(self, Y, W):
        return self.kernel._gradient(Y, W)

    def __repr__(self) -> str:
        return f"Shifted({self.kernel!r}, gamma={self.gamma:g})"
