"""A reference Jacobian by central differences, for small problems (tests and lectures)."""
from __future__ import annotations

import numpy as np

from ..linalg import vec

__all__ = ["finite_difference_jacobian"]


def finite_difference_jacobian(fun, x, delta: float = 1e-6) -> np.ndarray:
    """The Jacobian of vec(fun(x)) by central differences, one column per unknown.

        J[:, i] = (vec f(x + delta e_i) - vec f(x - delta e_i)) / (2 delta)

    fun: x (n,) -> array (any shape, flattened by `vec`, i.e. columns first) of size m.
    Returns J of shape (m, n). Error O(delta^2) in exact arithmetic plus round-off
    O(eps |f| / delta); it costs 2 n evaluations of f.
    """
    x = np.asarray(x, dtype=float)
    columns = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = delta
        columns.append((vec(fun(x + e)) - vec(fun(x - e))) / (2 * delta))
    return np.column_stack(columns)
