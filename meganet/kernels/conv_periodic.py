"""Convolution with periodic boundary, applied through the FFT.

Periodic convolution is a (block-)circulant matrix, diagonalised by the discrete Fourier
transform: with the stencil placed in an image-sized array `col` (the first column of K,
entry k moved to position k - c mod n),

    K y = real(ifft(lam * fft(y))),   lam = fft(col)       (the eigenvalues of K)
    K^T z = real(ifft(conj(lam) * fft(z)))
    d/dtheta_k <w, K y> = r_{k - c mod n},   r = real(ifft(fft(w) * conj(fft(y))))

With channels, lam has one entry per (frequency, c_in, c_out) and the products over channels
are sums, so every frequency carries a small c_out x c_in matrix.

The images, the stencils and the results are real, so their transforms are conjugate-symmetric
(yhat_{-f} = conj(yhat_f)): only the frequencies f1 = 0 .. n1 // 2 along the first image axis
are computed (rfft along n1, fft along n2) and irfft rebuilds the real result. lam on these
frequencies is a direct DFT of the s1 x s2 stencil (the first column is zero elsewhere);
`eigenvalues` still gives the full complex spectrum fft2(col) for the lectures.

Memory: examples are transformed in chunks into reused buffers and the inverse transform writes
straight into the output, so besides the output only lam on the half spectrum
(n2 (n1 // 2 + 1) c_in c_out complex numbers) and the chunk buffers (_CHUNK_BYTES) are
allocated; J_theta^T adds the summed half spectrum R of r, of the same size as lam.
"""
from __future__ import annotations

import numpy as np

from .conv_base import Convolution

__all__ = ["ConvPeriodic"]

_AXES = (0, 1)
# Bytes of the two reused chunk buffers (transformed input and output images of a chunk of
# examples): small next to a large batch, large enough for efficient per-frequency products.
_CHUNK_BYTES = 32 << 20


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

    # --- the products on the half spectrum ------------------------------------------------
    # A batch (n1 n2 c, n), read as an array (c, n2, n1, n) (a view, see Convolution.images),
    # is transformed a chunk of examples at a time (rfft along n1, then fft along n2 in place)
    # into a reused buffer laid out (n2, f1, c, examples), so each frequency's block
    # (c x examples) is contiguous for the per-frequency product (c_out x c_in) @ (c_in x
    # examples). The inverse fft along n2 runs in place and the irfft along n1 writes straight
    # into the output; no full-size complex copy and no order-changing copy is made.
    def _dft_matrix(self, axis, half=False, sign=-1):
        """E[f, k] = exp(sign 2 pi i f (k - c) / n) for the stencil entries k along `axis`."""
        n, s, c = self.image_shape[axis], self.stencil_shape[axis], self.centre[axis]
        f = np.arange(n // 2 + 1 if half else n)
        phase = np.outer(f, np.arange(s) - c) % n           # exact integer reduction
        return np.exp(sign * 2j * np.pi * phase / n)

    def _half_transform(self, theta, transpose=False):
        """The kernel's transform on the half spectrum, (n2, n1 // 2 + 1, c_out, c_in) for K and
        its conjugate laid out (n2, n1 // 2 + 1, c_in, c_out) for K^T (a direct DFT of the
        s1 x s2 stencils: no image-sized zero-padded copy)."""
        T = self.stencils(theta)                                   # (s1, s2, c_in, c_out)
        T = T if transpose else T.transpose(0, 1, 3, 2)
        sign = 1 if transpose else -1
        A = np.tensordot(self._dft_matrix(0, half=True, sign=sign), T, axes=(1, 0))
        A = np.ascontiguousarray(A.transpose(1, 0, 2, 3))          # (s2, f1, a, b): small
        E2 = self._dft_matrix(1, sign=sign)                        # (n2, s2)
        return (E2 @ A.reshape(A.shape[0], -1)).reshape((E2.shape[0],) + A.shape[1:])

    def _chunk(self, channels, n):
        """Examples per chunk: the chunk buffers of `channels` channels take about _CHUNK_BYTES."""
        n1, n2 = self.image_shape
        per_example = 16 * n2 * (n1 // 2 + 1) * channels
        return max(1, min(n, _CHUNK_BYTES // per_example))

    def _forward_transform(self, A, e0, e1, buf):
        """buf (n2, f1, c, e1 - e0) <- the 2D real FFT of A[..., e0:e1], A (c, n2, n1, n)."""
        np.fft.rfft(A[..., e0:e1], axis=2, out=buf.transpose(2, 0, 1, 3))
        if buf.shape[0] > 1:
            np.fft.fft(buf, axis=0, out=buf)
        return buf

    def _buffer(self, flat, shape):
        """A view of the start of the reused flat buffer with this shape."""
        return flat[:int(np.prod(shape))].reshape(shape)

    def _multiply(self, L, Y, c_in, c_out):
        """Per frequency, L (c_out x c_in) times the transformed images; Y (n1 n2 c_in, n)."""
        (n1, n2), n = self.image_shape, Y.shape[1]
        f1 = n1 // 2 + 1
        A = self.images(Y, c_in).transpose(2, 1, 0, 3)             # (c_in, n2, n1, n), a view
        Z = np.empty((c_out, n2, n1, n))                           # the output, vec-ordered
        chunk = self._chunk(c_in + c_out, n)
        Hflat = np.empty(n2 * f1 * c_in * chunk, complex)
        Gflat = np.empty(n2 * f1 * c_out * chunk, complex)
        for e0 in range(0, n, chunk):
            e1 = min(n, e0 + chunk)
            H = self._forward_transform(A, e0, e1, self._buffer(Hflat, (n2, f1, c_in, e1 - e0)))
            G = np.matmul(L, H, out=self._buffer(Gflat, (n2, f1, c_out, e1 - e0)))
            if n2 > 1:
                np.fft.ifft(G, axis=0, out=G)
            np.fft.irfft(G.transpose(2, 0, 1, 3), n=n1, axis=2, out=Z[..., e0:e1])
        return Z.reshape(-1, n)

    def _apply(self, theta, Y):
        return self._multiply(self._half_transform(theta), Y, self.c_in, self.c_out)

    def _apply_transpose(self, theta, Z):
        return self._multiply(self._half_transform(theta, transpose=True), Z, self.c_out,
                              self.c_in)

    def _gradient(self, Y, W):
        (n1, n2), n = self.image_shape, Y.shape[1]
        f1, c_in, c_out = n1 // 2 + 1, self.c_in, self.c_out
        A = self.images(Y, c_in).transpose(2, 1, 0, 3)
        B = self.images(W, c_out).transpose(2, 1, 0, 3)
        chunk = self._chunk(c_in + c_out, n)
        Hflat = np.empty(n2 * f1 * c_in * chunk, complex)
        Gflat = np.empty(n2 * f1 * c_out * chunk, complex)
        # R[g, f] = sum_b conj(Yhat_b) What_b^T (c_in x c_out): the transform of r, summed in
        # blocks of rows g so the product's temporary stays small
        R = np.zeros((n2, f1, c_in, c_out), complex)
        rows = max(1, _CHUNK_BYTES // (16 * f1 * c_in * c_out))
        for e0 in range(0, n, chunk):
            e1 = min(n, e0 + chunk)
            H = self._forward_transform(A, e0, e1, self._buffer(Hflat, (n2, f1, c_in, e1 - e0)))
            G = self._forward_transform(B, e0, e1, self._buffer(Gflat, (n2, f1, c_out, e1 - e0)))
            np.conjugate(H, out=H)
            for g0 in range(0, n2, rows):
                R[g0:g0 + rows] += H[g0:g0 + rows] @ G[g0:g0 + rows].transpose(0, 1, 3, 2)
        # r = irfft2(R) is needed only at the stencil's s1 x s2 positions (k - c mod n): the
        # inverse DFT along n2 at s2 positions (a small product), then irfft along n1
        s1, s2 = self.stencil_shape
        c1, c2 = self.centre
        idx1 = (np.arange(s1) - c1) % n1
        idx2 = (np.arange(s2) - c2) % n2
        E2 = np.exp(2j * np.pi * (np.outer(idx2, np.arange(n2)) % n2) / n2) / n2   # (s2, n2)
        Rs = (E2 @ R.reshape(n2, -1)).reshape(s2, f1, c_in, c_out)
        r = np.fft.irfft(Rs, n=n1, axis=1)                         # (s2, n1, c_in, c_out)
        return r[:, idx1].transpose(1, 0, 2, 3).reshape(-1, order="F")
