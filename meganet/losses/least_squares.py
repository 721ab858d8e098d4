"""Least-squares loss for regression: E(S, C) = 1/(2n) ||S - C||_F^2."""
from __future__ import annotations

import numpy as np

from ..validation import as_matrix
from .base import Loss

__all__ = ["LeastSquares"]


class LeastSquares(Loss):
    """E = 1/(2n) ||S - C||_F^2,  dE/dS = (S - C)/n,  d2E/dS2 [dS] = dS/n.

    C holds targets of the same shape as S (n_targets, n); for classification by least squares
    pass one-hot columns. Predictions are the largest score of each column.
    """

    name = "least squares"

    def _check_labels(self, C, n_scores, n_examples):
        C = as_matrix(C, "C (targets)")
        if C.shape != (n_scores, n_examples):
            raise ValueError(f"C (targets) must have the shape of the scores W Z, "
                             f"({n_scores}, {n_examples}); got {C.shape}")
        return C

    def _derivatives_in_scores(self, S, C):
        n = S.shape[1]
        R = S - C
        return 0.5 * float(np.sum(R * R)) / n, R / n, lambda dS: dS / n

    def predict(self, S):
        return np.argmax(S, axis=0)
