"""Convolution with zero boundary (Toeplitz structure), by shifted copies and matrix products.

With zero padding (s - 1 - c before, c after, per axis) the term of stencil entry k is the
slice of the padded image starting at s - 1 - k, so

    K y   = sum_k theta_k S_k(y)            (S_k: shifted slice; a "shift" of the image)
    K^T z = sum_k theta_k S_k^T(z)          (the same sum with the stencil flipped, channels
                                             swapped, and the centre c replaced by s - 1 - c)
    d/dtheta_k <w, K y> = <w, S_k(y)>,      P(y) = [S_k(y)]_k  with  K(theta) y = P(y) theta.

How it is computed. A batch (n1 n2 c, n) with examples in columns, read in C order, is an
array (c, n2, n1, n): vec runs over i1 first, then i2, then the channel, and the examples are
the last axis (for a C-contiguous batch this is a view, no copy). No matrix is formed.

K y and K^T z (im2col by blocks): for a block of image rows, the s1 s2 shifted copies of the
input (zeros where a shift leaves the image) are written into one matrix X (s1 s2 c_in,
pixels x n), and a single product (c_out, s1 s2 c_in) @ X, written straight into the output,
does the stencil and channel sums (BLAS). Blocks keep X near 1 MiB, so it stays in cache;
besides the output and X nothing is allocated. Batches so large that one image row of X
exceeds a block are done in chunks of examples (each chunk's output copied into place).

J_theta^T (the gradient): a chunk of examples is copied once into a zero-padded array with
rows of N1 = n1 + s1 - 1 pixels; on this "wide" grid a shift is a constant offset
o_k = (s1 - 1 - k1) + N1 (s2 - 1 - k2) of the flat pixel index, so S_k(y) over a range of
pixels is a strided 2D view (c_in, pixels x n) of the padded array, no copy. With W on the wide
grid (zeros in the columns outside the image), G_k = sum over blocks of view_k @ W_block^T,
one (c_in, c_out) product per stencil entry and block.

The sums run in another order than a direct loop would, so results agree with
scipy.signal.convolve to round-off, not bit for bit. `im2col` (the sparse P(Y), for
least-squares updates of the stencils) is built from the padded image directly.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .conv_base import Convolution

__all__ = ["ConvZero"]

# Bytes of the data one block's matrix product reads (the im2col block X, or a shifted view and
# the block of W): about a core's L2 cache. Blocks trade cache misses against Python calls.
_BLOCK_BYTES = 1 << 20


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

    def _stencil_list(self, theta):
        """The stencils as (s1 s2, c_in, c_out), entry k = k1 + s1 k2 (k1 fastest, as vec)."""
        return self.stencils(theta).reshape(-1, self.c_in, self.c_out, order="F")

    def _shifts(self, centre):
        """(d1, d2) = centre - k per entry k: output pixel p reads input pixel p + d."""
        s1, s2 = self.stencil_shape
        return [(centre[0] - k1, centre[1] - k2) for k2 in range(s2) for k1 in range(s1)]

    # --- K y and K^T z: im2col by blocks of image rows --------------------------------------
    def _fill(self, X, A, rows, shifts):
        """X[k] = S_k(A) on the image rows `rows` (zeros where the shift leaves the image).

        X (s1 s2, c, rows, n1, n); A (c, n2, n1, n)."""
        n1, n2 = self.image_shape
        a, b = rows
        for k, (d1, d2) in enumerate(shifts):
            Xk = X[k]
            lo1, hi1 = max(0, -d1), min(n1, n1 - d1)        # output columns with an input
            lo2 = max(a, -d2)                                 # output rows with an input
            hi2 = max(lo2, min(b, n2 - d2))
            Xk[:, lo2 - a:hi2 - a, lo1:hi1] = A[:, lo2 + d2:hi2 + d2, lo1 + d1:hi1 + d1]
            if lo1 > 0:
                Xk[:, :, :lo1] = 0.0
            if hi1 < n1:
                Xk[:, :, hi1:] = 0.0
            if lo2 > a:
                Xk[:, :lo2 - a] = 0.0
            if hi2 < b:
                Xk[:, hi2 - a:] = 0.0

    def _convolve(self, T, A, c_in, c_out, centre):
        """sum_k T[k]^T S_k(A) for stencils T (s1 s2, c_in, c_out), a batch A (n1 n2 c_in, n)."""
        n1, n2 = self.image_shape
        n = A.shape[1]
        A = A.reshape(c_in, n2, n1, n)
        shifts = self._shifts(centre)
        K = len(shifts)
        Tm = np.ascontiguousarray(T.reshape(K * c_in, c_out).T)   # (c_out, s1 s2 c_in)
        Z = np.empty((c_out, n2, n1, n))
        # examples per chunk: one image row of a chunk's X fits a block (large batches only)
        chunk = max(1, _BLOCK_BYTES // (K * c_in * n1 * 8))
        for e0 in range(0, n, chunk):
            e1 = min(n, e0 + chunk)
            Ac, Zc = (A, Z) if e1 - e0 == n else (A[..., e0:e1], np.empty((c_out, n2, n1, e1 - e0)))
            ne = e1 - e0
            rows = max(1, min(n2, _BLOCK_BYTES // (K * c_in * n1 * ne * 8)))
            X = np.empty(K * c_in * rows * n1 * ne)  # one buffer; a shorter last block uses its start
            for a in range(0, n2, rows):
                b = min(n2, a + rows)
                Xb = X[:K * c_in * (b - a) * n1 * ne].reshape(K, c_in, b - a, n1, ne)
                self._fill(Xb, Ac, (a, b), shifts)
                m = (b - a) * n1 * ne
                np.matmul(Tm, Xb.reshape(K * c_in, m), out=Zc[:, a:b].reshape(c_out, m))
            if Zc is not Z:
                Z[..., e0:e1] = Zc
        return Z.reshape(c_out * n2 * n1, n)

    def _apply(self, theta, Y):
        return self._convolve(self._stencil_list(theta), Y, self.c_in, self.c_out, self.centre)

    def _apply_transpose(self, theta, Z):
        # flip the stencils (entry k -> s - 1 - k: the list reversed) and swap the channels
        T = self._stencil_list(theta)[::-1].transpose(0, 2, 1)
        centre = [s - 1 - c for s, c in zip(self.stencil_shape, self.centre)]
        return self._convolve(T, Z, self.c_out, self.c_in, centre)

    # --- J_theta^T: shifted views of the padded input on the wide grid --------------------
    def _gradient(self, Y, W):
        (n1, n2), (s1, s2) = self.image_shape, self.stencil_shape
        c_in, c_out, n = self.c_in, self.c_out, Y.shape[1]
        N1, M = n1 + s1 - 1, n2 * (n1 + s1 - 1)          # wide grid: n2 rows of N1 pixels
        (b1, _), (b2, _) = self._pad_widths()
        Y, W = Y.reshape(c_in, n2, n1, n), W.reshape(c_out, n2, n1, n)
        offsets = [(s1 - 1 - k1) + N1 * (s2 - 1 - k2) for k2 in range(s2) for k1 in range(s1)]
        G = np.zeros((len(offsets), c_in, c_out))
        # examples per chunk: the padded copies of a chunk take at most 8 blocks (large batches)
        chunk = max(1, 8 * _BLOCK_BYTES // ((c_in + c_out) * (n2 + s2) * N1 * 8))
        for e0 in range(0, n, chunk):
            e1 = min(n, e0 + chunk)
            ne = e1 - e0
            P = np.zeros((c_in, n2 + s2, N1, ne))          # one extra row: every view in bounds
            P[:, b2:b2 + n2, b1:b1 + n1] = Y[..., e0:e1]
            P = P.reshape(c_in, -1, ne)
            Ww = np.zeros((c_out, n2, N1, ne))
            Ww[:, :, :n1] = W[..., e0:e1]
            Ww = Ww.reshape(c_out, M, ne)
            R = max(1, _BLOCK_BYTES // ((c_in + c_out) * ne * 8))  # wide-grid pixels per block
            for r0 in range(0, M, R):
                r1 = min(M, r0 + R)
                m = (r1 - r0) * ne
                Wb = Ww[:, r0:r1].reshape(c_out, m).T
                for k, o in enumerate(offsets):
                    G[k] += P[:, o + r0:o + r1].reshape(c_in, m) @ Wb
        return G.reshape(-1, order="F")  # index k + s1 s2 (i + c_in j): vec of the stencils

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
