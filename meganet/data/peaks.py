"""The MATLAB `peaks` surface and a K-class data set made of its level sets.

    f(x, y) = 3 (1 - x)^2 exp(-x^2 - (y + 1)^2)
              - 10 (x/5 - x^3 - y^5) exp(-x^2 - y^2)
              - 1/3 exp(-(x + 1)^2 - y^2)

Class k contains the points with t_k <= f < t_{k+1}, where t_1 < ... < t_{K-1} are the
quantiles of f at levels k/K on a fixed 201 x 201 grid over [-3, 3]^2.  The grid does not
depend on the sample, so every call (any seed) labels the plane the same way, and each class
covers about 1/K of the square.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from meganet.validation import as_matrix

from ._common import bin_by_thresholds, check_int, grid_thresholds, reference_grid
from .labels import one_hot

__all__ = ["peaks", "peaks_data", "peaks_labels"]

_BOX = 3.0  # the points live in [-3, 3]^2


def peaks(x1, x2) -> np.ndarray:
    """f(x1, x2) of the MATLAB peaks function, elementwise (x1, x2 broadcast together)."""
    x = np.asarray(x1, dtype=float)
    y = np.asarray(x2, dtype=float)
    return (3.0 * (1.0 - x) ** 2 * np.exp(-x ** 2 - (y + 1.0) ** 2)
            - 10.0 * (x / 5.0 - x ** 3 - y ** 5) * np.exp(-x ** 2 - y ** 2)
            - np.exp(-(x + 1.0) ** 2 - y ** 2) / 3.0)


@lru_cache(maxsize=None)
def _thresholds(n_classes: int) -> np.ndarray:
    # Quantiles on the fixed grid: independent of the sample and the seed.
    grid = reference_grid(-_BOX, _BOX)
    t = grid_thresholds(peaks(grid[0], grid[1]), n_classes)
    t.setflags(write=False)
    return t


def peaks_labels(Y, n_classes: int = 5) -> np.ndarray:
    """One-hot labels C (n_classes, n) of points Y (2, n) by the level sets of `peaks`."""
    n_classes = check_int(n_classes, "n_classes", 2)
    Y = as_matrix(Y, "Y", shape=(2, None))
    k = bin_by_thresholds(peaks(Y[0], Y[1]), _thresholds(n_classes))
    return one_hot(k, n_classes)


def peaks_data(n_examples: int, n_classes: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(Y, C): Y (2, n_examples) uniform in [-3, 3]^2, C (n_classes, n_examples) one-hot.

    C = peaks_labels(Y, n_classes): the class of a point is its level band of `peaks`.
    """
    n_examples = check_int(n_examples, "n_examples", 1)
    n_classes = check_int(n_classes, "n_classes", 2)
    rng = np.random.default_rng(seed)
    Y = rng.uniform(-_BOX, _BOX, size=(2, n_examples))
    return Y, peaks_labels(Y, n_classes)
