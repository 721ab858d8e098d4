"""The loss landscape: an objective along one or two random directions through a point.

    slice_1d:  t -> J(x + t d)               slice_2d:  (s, t) -> J(x + s d1 + t d2)

Directions may be normalised block by block ("filter normalisation", Li et al. 2018): each
block of d (e.g. the layer parameters p and the weights W) is scaled to the norm of the same
block of x, so that the plot does not depend on the arbitrary scale of each block.
"""
from __future__ import annotations

import numpy as np

from ..validation import as_vector

__all__ = ["random_direction", "slice_1d", "slice_2d"]


def random_direction(x, blocks=None, seed: int = 0) -> np.ndarray:
    """A standard normal direction; with blocks (sizes summing to x.size), each block is
    rescaled to the norm of the same block of x (unit norm where that block of x is 0)."""
    x = as_vector(x, "x")
    d = np.random.default_rng(seed).standard_normal(x.size)
    if blocks is None:
        return d / np.linalg.norm(d) * max(np.linalg.norm(x), 1.0)
    if sum(blocks) != x.size:
        raise ValueError(f"blocks must add up to the size of x ({x.size}), got {list(blocks)} "
                         f"(sum {sum(blocks)})")
    start = 0
    for size in blocks:
        part = slice(start, start + size)
        scale = np.linalg.norm(x[part]) or 1.0
        d[part] *= scale / np.linalg.norm(d[part])
        start += size
    return d


def slice_1d(objective, x, d, t) -> np.ndarray:
    """J(x + t_i d) for each t_i."""
    x, d = as_vector(x, "x"), as_vector(d, "d", size=np.size(x))
    return np.array([objective(x + ti * d) for ti in np.atleast_1d(t)])


def slice_2d(objective, x, d1, d2, s, t) -> np.ndarray:
    """J(x + s_i d1 + t_j d2) as an array of shape (len(t), len(s)) (rows: t, for contourf)."""
    x = as_vector(x, "x")
    d1, d2 = as_vector(d1, "d1", size=x.size), as_vector(d2, "d2", size=x.size)
    return np.array([[objective(x + si * d1 + tj * d2) for si in s] for tj in t])
