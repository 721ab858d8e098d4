"""Decision regions of a classifier on 2-D data (Peaks, ellipses)."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_decision_regions", "grid_points"]


def grid_points(bounds=(-3, 3, -3, 3), resolution: int = 200):
    """A (2, resolution^2) matrix of grid points and the two meshgrid arrays."""
    x1 = np.linspace(bounds[0], bounds[1], resolution)
    x2 = np.linspace(bounds[2], bounds[3], resolution)
    X1, X2 = np.meshgrid(x1, x2)
    return np.vstack([X1.ravel(), X2.ravel()]), X1, X2


def plot_decision_regions(classify, Y=None, C=None, bounds=None, resolution: int = 200, ax=None,
                          title: str | None = None, n_classes: int | None = None):
    """Colour the plane by classify(points) (class indices for a (2, N) matrix of points).

    If Y (2, n) and one-hot C are given, the examples are drawn on top, coloured by label.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    if bounds is None:
        bounds = (-3, 3, -3, 3) if Y is None else (Y[0].min(), Y[0].max(), Y[1].min(), Y[1].max())
    P, X1, X2 = grid_points(bounds, resolution)
    labels = np.asarray(classify(P)).reshape(X1.shape)
    if n_classes is None:
        n_classes = int(max(labels.max(), -1 if C is None else C.shape[0] - 1)) + 1
    from matplotlib.colors import ListedColormap

    # the first colours of tab10 (resampling it would give two classes blue and cyan)
    cmap = ListedColormap(plt.get_cmap("tab10").colors[:max(n_classes, 2)])
    ax.contourf(X1, X2, labels, levels=np.arange(-0.5, n_classes), cmap=cmap, alpha=0.35)
    if Y is not None and C is not None:
        ax.scatter(Y[0], Y[1], c=np.argmax(C, axis=0) if C.shape[0] > 1 else C[0], cmap=cmap,
                   vmin=-0.5, vmax=max(n_classes, 2) - 0.5, s=6, edgecolors="none")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    if title:
        ax.set_title(title)
    return ax
