"""Points in [-1, 1]^2 labelled by elliptical bands (inside / outside an ellipse for K = 2).

With the point rotated by -angle,
    u =  cos(angle) y1 + sin(angle) y2,    v = -sin(angle) y1 + cos(angle) y2,
its elliptical radius is r = sqrt((u/a)^2 + (v/b)^2) for axes (a, b).  Class k holds the
points with t_k <= r < t_{k+1}, where t_1 < ... < t_{K-1} are the quantiles of r at levels
k/K on a fixed 201 x 201 grid over [-1, 1]^2: consistent across seeds and roughly balanced.
"""
from __future__ import annotations

import numpy as np

from ._common import bin_by_thresholds, check_int, grid_thresholds, reference_grid
from .labels import one_hot

__all__ = ["ellipses_data"]


def _radius(Y: np.ndarray, a: float, b: float, angle: float) -> np.ndarray:
    """Elliptical radius r of each column of Y (2, n)."""
    c, s = np.cos(angle), np.sin(angle)
    u = c * Y[0] + s * Y[1]
    v = -s * Y[0] + c * Y[1]
    return np.sqrt((u / a) ** 2 + (v / b) ** 2)


def ellipses_data(n_examples: int, n_classes: int = 2, axes=(1.0, 0.5), angle: float = 0.0,
                  seed: int = 0, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(Y, C): Y (2, n_examples) uniform in [-1, 1]^2, C (n_classes, n_examples) one-hot.

    axes = (a, b) > 0 are the semi-axes (a = b gives circles), angle rotates the ellipse
    counter-clockwise (radians).  noise in [0, 1) is the fraction of examples whose label is
    replaced by a different class chosen uniformly at random.
    """
    n_examples = check_int(n_examples, "n_examples", 1)
    n_classes = check_int(n_classes, "n_classes", 2)
    try:
        a, b = (float(t) for t in axes)
    except (TypeError, ValueError) as err:
        raise ValueError(f"axes must be two positive numbers (a, b), got {axes!r}") from err
    if not (np.isfinite(a) and np.isfinite(b) and a > 0 and b > 0):
        raise ValueError(f"axes must be two positive numbers (a, b), got {axes!r}")
    angle = float(angle)
    if not np.isfinite(angle):
        raise ValueError(f"angle must be a finite number (radians), got {angle}")
    noise = float(noise)
    if not (0.0 <= noise < 1.0):
        raise ValueError(f"noise must be a label-flip fraction in [0, 1), got {noise}")

    rng = np.random.default_rng(seed)
    Y = rng.uniform(-1.0, 1.0, size=(2, n_examples))
    # Thresholds from the fixed grid, not the sample, so labels do not depend on the seed.
    thresholds = grid_thresholds(_radius(reference_grid(-1.0, 1.0), a, b, angle), n_classes)
    k = bin_by_thresholds(_radius(Y, a, b, angle), thresholds)
    n_flip = int(round(noise * n_examples))
    if n_flip:
        flip = rng.choice(n_examples, size=n_flip, replace=False)
        # Adding 1..K-1 modulo K always lands on a different class.
        k[flip] = (k[flip] + rng.integers(1, n_classes, size=n_flip)) % n_classes
    return Y, one_hot(k, n_classes)
