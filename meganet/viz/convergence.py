"""Convergence plots from optimizer histories."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_convergence"]


def plot_convergence(results: dict, key: str = "fun", x: str | None = None, ax=None,
                     title: str | None = None, logy: bool = True, subtract: float | None = None):
    """Plot history[key] of several results ({label: OptimizationResult}) on one axis.

    x: a history key for the horizontal axis (e.g. "time", "nfev"); iterations by default.
    subtract: a reference value (e.g. the optimum) subtracted before a log plot.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    for label, res in results.items():
        h = res.history.as_arrays()
        y = h[key] - (subtract or 0.0)
        t = np.arange(y.size) if x is None else h[x]
        (ax.semilogy if logy else ax.plot)(t, np.abs(y) if logy else y, ".-", label=label)
    ax.set_xlabel(x or "iteration")
    ax.set_ylabel(key if subtract is None else f"{key} - optimum")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
