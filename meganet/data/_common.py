"""Private helpers shared by the data sets: integer checks, the fixed reference grid, image columns."""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_int", "reference_grid", "grid_thresholds", "bin_by_thresholds", "images_to_columns",
           "shuffle_columns"]


def check_int(value, name: str, minimum: int) -> int:
    """value as a Python int >= minimum, or a ValueError saying what was expected."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def reference_grid(low: float, high: float, n: int = 201) -> np.ndarray:
    """The n x n grid over [low, high]^2 as points in columns, shape (2, n*n).

    It never depends on a sample or a seed, so class thresholds computed on it are the same
    for every call of a generator.
    """
    t = np.linspace(low, high, n)
    X1, X2 = np.meshgrid(t, t, indexing="ij")
    return np.vstack([X1.ravel(), X2.ravel()])


def grid_thresholds(values: np.ndarray, n_classes: int) -> np.ndarray:
    """The K-1 quantiles of `values` at levels k/K, k = 1..K-1 (K = n_classes)."""
    return np.quantile(values, np.arange(1, n_classes) / n_classes)


def bin_by_thresholds(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Class index k with t_k <= value < t_{k+1} (t_0 = -inf, t_K = +inf), in 0..K-1."""
    return np.searchsorted(thresholds, values, side="right")


def images_to_columns(images: np.ndarray) -> np.ndarray:
    """Stack images (n, rows, cols) as columns vec(I): shape (rows*cols, n).

    Column j is images[j].reshape(-1, order='F'), so mat(Y[:, j], (rows, cols)) is upright.
    """
    n, rows, cols = images.shape
    # (rows, cols, n) in Fortran order: entry (r, c, j) lands at row r + rows*c of column j.
    return np.moveaxis(images, 0, -1).reshape(rows * cols, n, order="F")


def shuffle_columns(Y: np.ndarray, C: np.ndarray, seed, shuffle: bool):
    """(Y, C) with the same random permutation of columns (or unchanged if not shuffle)."""
    if not shuffle:
        return Y, C
    perm = np.random.default_rng(seed).permutation(Y.shape[1])
    return Y[:, perm], C[:, perm]
