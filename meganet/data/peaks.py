"""The MATLAB `peaks` surface and a K-class data set made of its level sets.

    f(x, y) = 3 (1 - x)^2 exp(-x^2 - (y + 1)^2)
              - 10 (x/5 - x^3 - y^5) exp(-x^2 - y^2)
              - 1/3 exp(-(x + 1)^2 - y^2)

Class k contains the points with t_k <= f < t_{k+1}, where the levels t_k = f_min + k (f_max -
f_min)/K are equally spaced between the extremes of f on a fixed 201 x 201 grid over [-3, 3]^2
(the classes of Meganet.m's setupPeaks). The levels do not depend on the sample, so every call
(any seed) labels the plane the same way. The classes cover very different areas (the outer
plateau f ~ 0 is one class, the top of the highest peak another), so `peaks_data` draws the
same number of points from each class, uniformly within it, by rejection sampling.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..validation import as_matrix

from ._common import bin_by_thresholds, check_int, reference_grid
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
    # Equally spaced levels between the extremes on the fixed grid: independent of the seed.
    grid = reference_grid(-_BOX, _BOX)
    f = peaks(grid[0], grid[1])
    t = f.min() + (f.max() - f.min()) * np.arange(1, n_classes) / n_classes
    t.setflags(write=False)
    return t


def peaks_labels(Y, n_classes: int = 5) -> np.ndarray:
    """One-hot labels C (n_classes, n) of points Y (2, n) by the level sets of `peaks`."""
    n_classes = check_int(n_classes, "n_classes", 2)
    Y = as_matrix(Y, "Y", shape=(2, None))
    k = bin_by_thresholds(peaks(Y[0], Y[1]), _thresholds(n_classes))
    return one_hot(k, n_classes)


def peaks_data(n_examples: int, n_classes: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(Y, C): Y (2, n_examples) in [-3, 3]^2, C (n_classes, n_examples) one-hot, balanced.

    Each class gets n_examples // n_classes points (the first n_examples % n_classes classes
    one more), drawn uniformly from its level band of `peaks` by rejection sampling; the
    columns are then shuffled. C = peaks_labels(Y, n_classes).
    """
    n_examples = check_int(n_examples, "n_examples", 1)
    n_classes = check_int(n_classes, "n_classes", 2)
    rng = np.random.default_rng(seed)
    wanted = np.full(n_classes, n_examples // n_classes) + (np.arange(n_classes) < n_examples % n_classes)
    parts = [[] for _ in range(n_classes)]
    have = np.zeros(n_classes, dtype=int)
    while np.any(have < wanted):
        Y = rng.uniform(-_BOX, _BOX, size=(2, 4 * n_examples + 1000))
        k = bin_by_thresholds(peaks(Y[0], Y[1]), _thresholds(n_classes))
        for c in np.flatnonzero(have < wanted):
            take = Y[:, k == c][:, :wanted[c] - have[c]]
            parts[c].append(take)
            have[c] += take.shape[1]
    Y = np.hstack([np.hstack(p) for p in parts])[:, rng.permutation(n_examples)]
    return Y, peaks_labels(Y, n_classes)
