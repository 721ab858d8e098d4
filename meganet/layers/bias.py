"""The bias of a layer, B b: one entry per output feature, one per output channel, or none."""
from __future__ import annotations

import numpy as np

__all__ = ["Bias"]


class Bias:
    """B b added to every example of K(theta) Y, and its transpose summed over examples.

    kind: "feature" (B = I, n_out entries), "channel" (one entry per output channel of a
    convolution, spread over its pixels), or None (no bias, 0 entries).
    """

    def __init__(self, kernel, kind="feature"):
        if kind not in ("feature", "channel", None):
            raise ValueError(f"bias must be 'feature', 'channel' or None, got {kind!r}")
        if kind == "channel" and not hasattr(kernel, "c_out"):
            raise ValueError("bias='channel' needs a convolution kernel (with output channels)")
        self.kind, self.n_out = kind, kernel.n_out
        self.size = {"feature": kernel.n_out, "channel": getattr(kernel, "c_out", 0), None: 0}[kind]

    def spread(self, b) -> np.ndarray:
        """B b as a column (n_out, 1), to add to every example."""
        if self.kind == "channel":
            return np.repeat(b, self.n_out // self.size)[:, None]
        return b[:, None] if self.kind == "feature" else np.zeros((self.n_out, 1))

    def collect(self, G) -> np.ndarray:
        """B^T G 1: B^T applied to each column of G (n_out, n), summed over examples."""
        g = G.sum(axis=1)
        if self.kind == "channel":
            return g.reshape(-1, self.size, order="F").sum(axis=0)
        return g if self.kind == "feature" else np.zeros(0)
