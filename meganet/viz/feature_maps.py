"""Pictures of convolutional networks: stencils as a mosaic, one example's channels per stage.

    show_stencils(T)                      T (s1, s2, c_in, c_out), e.g. kernel.stencils(theta):
                                          a c_out x c_in mosaic of s1 x s2 stencils, one colour
                                          scale centred at zero
    show_feature_maps(states, shapes)     states[k] = (n1 n2 c_k,) channel images stacked as in
                                          the convolution kernels (vec of (n1, n2, c_k)); row k
                                          shows the channels of states[k]

matplotlib is imported only when a plot is drawn.
"""
from __future__ import annotations

import numpy as np

__all__ = ["stencil_mosaic", "show_stencils", "show_feature_maps"]


def stencil_mosaic(T, gap: int = 1) -> np.ndarray:
    """The stencils T (s1, s2, c_in, c_out) tiled into one array with NaN gaps.

    Block (j, i) (rows: output channel j, columns: input channel i) is T[:, :, i, j].
    """
    T = np.asarray(T, dtype=float)
    if T.ndim == 2:
        T = T[:, :, None, None]
    if T.ndim != 4:
        raise ValueError(f"stencils must have shape (s1, s2, c_in, c_out), got {T.shape}")
    s1, s2, c_in, c_out = T.shape
    M = np.full((c_out * (s1 + gap) - gap, c_in * (s2 + gap) - gap), np.nan)
    for j in range(c_out):
        for i in range(c_in):
            M[j * (s1 + gap):j * (s1 + gap) + s1, i * (s2 + gap):i * (s2 + gap) + s2] = T[:, :, i, j]
    return M


def show_stencils(T, ax=None, title: str | None = None, colorbar: bool = True):
    """Draw the stencils T (s1, s2, c_in, c_out) as a c_out x c_in mosaic (red > 0 > blue).

    Returns the AxesImage.
    """
    import matplotlib.pyplot as plt

    M = stencil_mosaic(T)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    vmax = np.nanmax(np.abs(M)) or 1.0
    cmap = plt.get_cmap("RdBu_r").copy()
    cmap.set_bad("white")
    im = ax.imshow(M, cmap=cmap, vmin=-vmax, vmax=vmax)
    c_out, c_in = np.shape(T)[3], np.shape(T)[2]
    s1, s2 = np.shape(T)[:2]
    ax.set_xticks([(s2 + 1) * i + (s2 - 1) / 2 for i in range(c_in)], [str(i + 1) for i in range(c_in)])
    ax.set_yticks([(s1 + 1) * j + (s1 - 1) / 2 for j in range(c_out)], [str(j + 1) for j in range(c_out)])
    ax.set_xlabel("input channel")
    ax.set_ylabel("output channel")
    ax.tick_params(length=0, labelsize=7)
    for side in ax.spines.values():
        side.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.7)
    return im


def show_feature_maps(states, shapes, row_titles=None, max_channels: int = 8, axes=None,
                      suptitle: str | None = None):
    """One example through a network: row k shows up to max_channels channels of states[k].

    states: list of vectors (or (m, 1) columns), states[k] of length n1 n2 c_k with the channel
    images stacked (Fortran order, as meganet's convolutions store them); shapes: list of
    (n1, n2), one per state. Each row has its own colour scale, centred at zero (red > 0 > blue).
    Returns the array of axes (rows: states, columns: channels).
    """
    import matplotlib.pyplot as plt

    if len(states) != len(shapes):
        raise ValueError(f"need one image shape per state, got {len(states)} states and {len(shapes)} shapes")
    maps = []
    for y, (n1, n2) in zip(states, shapes):
        y = np.asarray(y, dtype=float).reshape(-1)
        if y.size % (n1 * n2):
            raise ValueError(f"a state of length {y.size} is not a stack of {n1} x {n2} images")
        maps.append(y.reshape(n1, n2, -1, order="F"))
    n_cols = min(max_channels, max(m.shape[2] for m in maps))
    if axes is None:
        fig, axes = plt.subplots(len(maps), n_cols, figsize=(1.35 * n_cols + 1.2, 1.45 * len(maps) + 0.4),
                                 squeeze=False)
        if suptitle:
            fig.suptitle(suptitle)
    axes = np.asarray(axes).reshape(len(maps), -1)
    for k, (row, m) in enumerate(zip(axes, maps)):
        vmax = np.abs(m).max() or 1.0
        for c, ax in enumerate(row):
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= m.shape[2]:
                ax.axis("off")
                continue
            ax.imshow(m[:, :, c], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            if k == 0 or c >= maps[k - 1].shape[2]:
                ax.set_title(f"channel {c + 1}", fontsize=7)
        if row_titles is not None:
            row[0].set_ylabel(row_titles[k], fontsize=7, rotation=0, ha="right", va="center")
    return axes
