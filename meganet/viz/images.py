"""Show columns of a matrix as images (digits, weight images)."""
from __future__ import annotations

import numpy as np

from ..linalg import mat

__all__ = ["show_images"]


def show_images(Y, image_shape, titles=None, n_cols: int = 10, cmap="gray", axes=None,
                symmetric: bool = False, suptitle: str | None = None):
    """Draw columns Y[:, j] = vec(I_j) as images I_j of shape `image_shape`.

    symmetric=True centres the colour scale at zero (for weight images, red/blue).
    Returns the array of axes.
    """
    import matplotlib.pyplot as plt

    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    n = Y.shape[1]
    if axes is None:
        n_rows = int(np.ceil(n / n_cols))
        n_c = min(n, n_cols)
        fig, axes = plt.subplots(n_rows, n_c, figsize=(1.3 * n_c, 1.4 * n_rows + 0.3), squeeze=False)
        if suptitle:
            fig.suptitle(suptitle)
    axes = np.atleast_1d(axes).ravel()
    for j, ax in enumerate(axes):
        ax.axis("off")
        if j >= n:
            continue
        img = mat(Y[:, j], image_shape)
        if symmetric:
            vmax = np.abs(img).max() or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        else:
            ax.imshow(img, cmap=cmap)
        if titles is not None:
            ax.set_title(str(titles[j]), fontsize=8)
    return axes
