"""Shapes shared by the convolution kernels: images with channels, stencils, and their vec.

An example y is vec of an array of shape (n1, n2, c_in): the channel images vec(I_1), ...,
vec(I_c_in) stacked (the block vector of the lectures). theta is vec of the stencil array
(s1, s2, c_in, c_out); output channel j is sum_i theta[:, :, i, j] * I_i (block operator K^{ij}).
One-dimensional signals are images with n2 = s2 = 1.

Both boundaries use the same alignment as scipy.signal.convolve(..., mode="same"):
    (K y)_p = sum_k theta_k y_{p + c - k},   c = (s - 1) // 2  per axis,
with y_q = 0 outside the image (zero boundary) or q taken mod n (periodic boundary).
"""
from __future__ import annotations

import numpy as np

from .base import Kernel

__all__ = ["Convolution"]


def _as_int(value, name: str) -> int:
    """An integer-valued number as int; 2.5 or "3" is refused rather than truncated."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not float(value).is_integer():
        raise ValueError(f"{name} must be whole numbers, got {value!r}")
    return int(value)


def _as_2d(shape, name: str) -> tuple[int, int]:
    shape = tuple(_as_int(s, name) for s in np.atleast_1d(shape).tolist())
    if len(shape) not in (1, 2) or min(shape) < 1:
        raise ValueError(f"{name} must be (n,) or (n1, n2) with positive sizes, got {shape}")
    return shape if len(shape) == 2 else (shape[0], 1)


class Convolution(Kernel):
    """Geometry of a convolution with c_in -> c_out channels; subclasses pick the boundary."""

    boundary = "none"

    def __init__(self, image_shape, stencil_shape, c_in: int = 1, c_out: int = 1):
        self.image_shape = _as_2d(image_shape, "image_shape")
        self.stencil_shape = _as_2d(stencil_shape, "stencil_shape")
        self.c_in, self.c_out = _as_int(c_in, "c_in"), _as_int(c_out, "c_out")
        if self.c_in < 1 or self.c_out < 1:
            raise ValueError(f"channel counts must be >= 1, got c_in={c_in}, c_out={c_out}")
        for n, s in zip(self.image_shape, self.stencil_shape):
            if s > n:
                raise ValueError(f"the stencil {self.stencil_shape} is larger than the image "
                                 f"{self.image_shape}; each stencil size must be <= the image size")
        n1, n2 = self.image_shape
        s1, s2 = self.stencil_shape
        self.n_in, self.n_out = n1 * n2 * self.c_in, n1 * n2 * self.c_out
        self.n_theta = s1 * s2 * self.c_in * self.c_out
        self.centre = ((s1 - 1) // 2, (s2 - 1) // 2)

    @property
    def fan_in(self) -> float:
        """Inputs that meet in one output pixel: s1 s2 c_in."""
        return self.stencil_shape[0] * self.stencil_shape[1] * self.c_in

    # vec <-> arrays with explicit image, channel and example axes (Fortran order throughout)
    def stencils(self, theta) -> np.ndarray:
        """theta as an array (s1, s2, c_in, c_out)."""
        return np.asarray(theta).reshape(self.stencil_shape + (self.c_in, self.c_out), order="F")

    def images(self, Y, channels: int) -> np.ndarray:
        """A batch (n1 n2 channels, n) as an array (n1, n2, channels, n)."""
        return Y.reshape(self.image_shape + (channels, Y.shape[1]), order="F")

    @staticmethod
    def columns(A) -> np.ndarray:
        """An array (n1, n2, channels, n) back as a batch of columns."""
        return A.reshape(-1, A.shape[-1], order="F")

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(image_shape={self.image_shape}, stencil_shape="
                f"{self.stencil_shape}, c_in={self.c_in}, c_out={self.c_out})")
