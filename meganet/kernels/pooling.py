"""Resolution changes as linear operators with transposes: average pooling and stride.

Both act on batches of images with channels in columns (vec of (n1, n2, c), as the
convolutions). They have no parameters, so they are plain LinearOperators:
    average_pooling: the mean over each f1 x f2 block;      its transpose spreads z / (f1 f2)
    subsample:       every s-th pixel per axis (a stride);   its transpose puts zeros between
A strided convolution is subsample(...) @ conv.op(theta).
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .conv_base import _as_2d

__all__ = ["average_pooling", "subsample"]


def _per_axis(value, image_shape, name):
    """A scalar factor applies to both axes of an image, to the only axis of a signal."""
    if np.ndim(value) == 0:
        value = (value, value if image_shape[1] > 1 else 1)
    return _as_2d(value, name)


def _batch(x, shape):
    x = np.asarray(x, dtype=float)
    vector = x.ndim == 1
    X = x.reshape(shape + (-1,), order="F")
    return X, vector


def _out(X, vector):
    Z = X.reshape(-1, X.shape[-1], order="F")
    return Z[:, 0] if vector else Z


def average_pooling(image_shape, channels: int = 1, factor=2) -> LinearOperator:
    """Mean over non-overlapping factor blocks: (n1, n2, c) -> (n1/f1, n2/f2, c)."""
    n1, n2 = _as_2d(image_shape, "image_shape")
    f1, f2 = _per_axis(factor, (n1, n2), "factor")
    if n1 % f1 or n2 % f2:
        raise ValueError(f"average pooling by {(f1, f2)} needs image sizes divisible by it, "
                         f"got image_shape {(n1, n2)}")
    m1, m2, c = n1 // f1, n2 // f2, int(channels)

    def matmat(x):
        X, vector = _batch(x, (n1, n2, c))
        blocks = X.reshape((f1, m1, f2, m2, c, -1), order="F")
        return _out(blocks.mean(axis=(0, 2)), vector)

    def rmatmat(z):
        Z, vector = _batch(z, (m1, m2, c))
        spread = np.broadcast_to(Z[None, :, None] / (f1 * f2), (f1, m1, f2, m2, c, Z.shape[-1]))
        return _out(spread.reshape((n1, n2, c, -1), order="F"), vector)

    return LinearOperator((m1 * m2 * c, n1 * n2 * c), dtype=float, matvec=matmat,
                          rmatvec=rmatmat, matmat=matmat, rmatmat=rmatmat)


def subsample(image_shape, channels: int = 1, stride=2) -> LinearOperator:
    """Keep pixels 0, s, 2s, ... per axis (a stride): (n1, n2, c) -> (ceil(n1/s1), ceil(n2/s2), c)."""
    n1, n2 = _as_2d(image_shape, "image_shape")
    s1, s2 = _per_axis(stride, (n1, n2), "stride")
    m1, m2, c = -(-n1 // s1), -(-n2 // s2), int(channels)

    def matmat(x):
        X, vector = _batch(x, (n1, n2, c))
        return _out(X[::s1, ::s2], vector)

    def rmatmat(z):
        Z, vector = _batch(z, (m1, m2, c))
        X = np.zeros((n1, n2, c, Z.shape[-1]))
        X[::s1, ::s2] = Z
        return _out(X, vector)

    return LinearOperator((m1 * m2 * c, n1 * n2 * c), dtype=float, matvec=matmat,
                          rmatvec=rmatmat, matmat=matmat, rmatmat=rmatmat)
