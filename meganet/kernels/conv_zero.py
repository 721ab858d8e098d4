"""Convolution with zero boundary (Toeplitz structure), by shifted copies of the padded image.

With zero padding (s - 1 - c before, c after, per axis) the term of stencil entry k is the
slice of the padded image starting at s - 1 - k, so

    K y   = sum_k theta_k S_k(y)            (S_k: shifted slice; a "shift" of the image)
    K^T z = sum_k theta_k S_k^T(z)          (scatter-add into the padded array, then crop)
    d/dtheta_k <w, K y> = <w, S_k(y)>,      P(y) = [S_k(y)]_k  with  K(theta) y = P(y) theta.

No matrix is formed: the cost is s1 s2 slice products, each over all channels at once
(tensordot, so BLAS does the channel sums).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .conv_base import Convolution

__all__ = ["ConvZero"]


class ConvZero(Convolution):
    """K(theta) y = theta * y with zero boundary (equals scipy.signal.convolve mode="same")."""

    boundary = "zero"

    def _pad_widths(self):
        return [(s - 1 - c, c) for s, c in zip(self.stencil_shape, self.centre)]

    def _offsets(self):
        """(k1, k2, slice1, slice2): stencil entry and the slice of the padded image it reads."""
        (n1, n2), (s1, s2) = self.image_shape, self.stencil_shape
        for k2 in range(s2):
            for k1 in range(s1):
                yield k1, k2, slice(s1 - 1 - k1, s1 - 1 - k1 + n1), slice(s2 - 1 - k2, s2 - 1 - k2 + n2)

    def _padded(self, Y, channels):
        return np.pad(self.images(Y, channels), self._pad_widths() + [(0, 0), (0, 0)])

    def _apply(self, theta, Y):
        T, P = self.stencils(theta), self._padded(Y, self.c_in)
        Z = np.zeros(self.image_shape + (self.c_out, Y.shape[1]))
        for k1, k2, a, b in self._offsets():
            Z += np.moveaxis(np.tensordot(P[a, b], T[k1, k2], axes=([2], [0])), 3, 2)
        return self.columns(Z)

    def _apply_transpose(self, theta, Z):
        T, Zi = self.stencils(theta), self.images(Z, self.c_out)
        P = np.zeros(tuple(n + s - 1 for n, s in zip(self.image_shape, self.stencil_shape))
                     + (self.c_in, Z.shape[1]))
        for k1, k2, a, b in self._offsets():
            P[a, b] += np.moveaxis(np.tensordot(Zi, T[k1, k2], axes=([2], [1])), 3, 2)
        (l1, _), (l2, _) = self._pad_widths()
        n1, n2 = self.image_shape
        return self.columns(P[l1:l1 + n1, l2:l2 + n2])

    def _gradient(self, Y, W):
        P, Wi = self._padded(Y, self.c_in), self.images(W, self.c_out)
        G = np.zeros(self.stencil_shape + (self.c_in, self.c_out))
        for k1, k2, a, b in self._offsets():
            G[k1, k2] = np.tensordot(P[a, b], Wi, axes=([0, 1, 3], [0, 1, 3]))
        return G.reshape(-1, order="F")

    def im2col(self, Y) -> sp.csr_matrix:
        """P(Y) with vec(K(theta) Y) = P(Y) theta: shape (n_out n, n_theta), sparse.

        Column (k, i, j) of P holds the shifted input channel i in the rows of output channel
        j. Used to update a stencil by least squares (e.g. ADMM training).
        """
        Y = self._check_batch(Y, self.n_in, "Y")
        n1, n2 = self.image_shape
        n, npix = Y.shape[1], n1 * n2
        P = self._padded(Y, self.c_in)
        blocks, rows, cols = [], [], []
        for k1, k2, a, b in self._offsets():
            for i in range(self.c_in):
                shifted = P[a, b, i].reshape(-1, order="F")  # (npix * n,) example-major blocks
                for j in range(self.c_out):
                    col = np.ravel_multi_index((k1, k2, i, j), self.stencil_shape
                                               + (self.c_in, self.c_out), order="F")
                    # output row of pixel p, channel j, example e in vec of (n_out, n)
                    pix = np.arange(npix * n)
                    rows.append((pix % npix) + npix * j + self.n_out * (pix // npix))
                    cols.append(np.full(pix.size, col))
                    blocks.append(shifted)
        return sp.csr_matrix((np.concatenate(blocks), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(self.n_out * n, self.n_theta))
