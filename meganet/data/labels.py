"""Integer class labels <-> one-hot label columns.

A label matrix C has shape (n_classes, n_examples) with C[k, j] = 1 if example j is in
class k and 0 otherwise, so every column sums to one.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_one_hot

from ._common import check_int

__all__ = ["one_hot", "class_labels"]


def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """One-hot columns C of shape (K, n) with C[labels[j], j] = 1 and zeros elsewhere.

    labels: n integers in 0..K-1 (a 1-D array; integer-valued floats are accepted).
    n_classes: K; by default max(labels) + 1.
    """
    y = np.asarray(labels)
    if y.ndim == 2 and 1 in y.shape:  # a row or column of labels
        y = y.reshape(-1)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array of integer class labels 0..K-1, "
                         f"got an array with shape {y.shape}")
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
        raise ValueError(f"labels must be integer class labels 0..K-1, got dtype {y.dtype}")
    if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
        raise ValueError("labels must be integer class labels 0..K-1; found non-integer values")
    if np.any(y < 0):
        raise ValueError(f"labels must be integer class labels 0..K-1; found negative label {y.min()}")
    y = y.astype(np.int64)
    if n_classes is None:
        n_classes = int(y.max()) + 1
    n_classes = check_int(n_classes, "n_classes", 1)
    if y.max() >= n_classes:
        raise ValueError(f"labels must be integer class labels 0..{n_classes - 1} (n_classes={n_classes}); "
                         f"found label {y.max()} out of range")
    C = np.zeros((n_classes, y.size))
    C[y, np.arange(y.size)] = 1.0
    return C


def class_labels(C) -> np.ndarray:
    """Integer labels c_j = argmax_k C[k, j] of one-hot columns C (K, n), shape (n,)."""
    C = check_one_hot(C, "C")
    return np.argmax(C, axis=0)
