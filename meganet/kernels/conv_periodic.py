"""Convolution with periodic boundary, applied through the FFT.

Periodic convolution is a (block-)circulant matrix, diagonalised by the discrete Fourier
transform: with the stencil placed in an image-sized array `col` (the first column of K,
entry k moved to position k - c mod n),

    K y = real(ifft(lam * fft(y))),   lam = fft(col)       (the eigenvalues of K)
    K^T z = real(ifft(conj(lam) * fft(z)))
    d/dtheta_k <w, K y> = r_{k - c mod n},   r = real(ifft(fft(w) * conj(fft(y))))

With channels, lam has one entry per (frequency, c_in, c_out) and the products over channels
are sums, so every frequency carries a small c_out x c_in matrix.
"""
from __future__ import annotations

import numpy as np

from .conv_base import Convolution

__all__ = ["ConvPeriodic"]

_AXES = (0, 1)


class ConvPeriodic(Convolution):
    """K(theta) y = theta * y with periodic boundary, for any stencil size <= the image size."""

    boundary = "periodic"

    def first_column(self, theta) -> np.ndarray:
        """The stencils embedded in image-sized arrays (n1, n2, c_in, c_out): K's first columns."""
        T = self.stencils(theta)
        col = np.zeros(self.image_shape + T.shape[2:])
        s1, s2 = self.stencil_shape
        c1, c2 = self.centre
        idx1 = (np.arange(s1) - c1) % self.image_shape[0]
        idx2 = (np.arange(s2) - c2) % self.image_shape[1]
        col[np.ix_(idx1, idx2)] = T
        return col

    def eigenvalues(self, theta) -> np.ndarray:
        """lam = fft2 of the first columns, shape (n1, n2, c_in, c_out).

        For one channel these are the eigenvalues of K(theta) (eigenvectors: Fourier modes).
        """
        return np.fft.fft2(self.first_column(theta), axes=_AXES)

    def _apply(self, theta, Y):
        lam = self.eigenvalues(theta)
        Yhat = np.fft.fft2(self.images(Y, self.c_in), axes=_AXES)
        Zhat = np.swapaxes(lam, 2, 3) @ Yhat      # per frequency: (c_out x c_in) @ (c_in x n)
        return self.columns(np.fft.ifft2(Zhat, axes=_AXES).real)

    def _apply_transpose(self, theta, Z):
        lam = self.eigenvalues(theta)
        Zhat = np.fft.fft2(self.images(Z, self.c_out), axes=_AXES)
        Yhat = lam.conj() @ Zhat
        return self.columns(np.fft.ifft2(Yhat, axes=_AXES).real)

    def _gradient(self, Y, W):
        Yhat = np.fft.fft2(self.images(Y, self.c_in), axes=_AXES)
        What = np.fft.fft2(self.images(W, self.c_out), axes=_AXES)
        R = np.fft.ifft2(Yhat.conj() @ np.swapaxes(What, 2, 3), axes=_AXES).real
        s1, s2 = self.stencil_shape
        c1, c2 = self.centre
        idx1 = (np.arange(s1) - c1) % self.image_shape[0]
        idx2 = (np.arange(s2) - c2) % self.image_shape[1]
        return R[np.ix_(idx1, idx2)].reshape(-1, order="F")
