"""The hinge loss of a two-class linear score, labels -1/+1 (the output of Taylor et al.'s ADMM)."""
from __future__ import annotations

import numpy as np

from ..validation import check_sign_labels
from .base import Loss

__all__ = ["Hinge"]


class Hinge(Loss):
    """E(s, y) = 1/n sum_j max(0, 1 - y_j s_j),  one score s_j per example, labels y_j = +-1 (1, n).

        dE/ds = -y 1[y s < 1] / n    (a subgradient; 0 is taken at the kink y s = 1),
        d2E/ds2 = 0 (almost everywhere).
    Predicted class 1 where s > 0 (label +1), class 0 otherwise (label -1).
    """

    name = "hinge"

    def _check_labels(self, C, n_scores, n_examples):
        if n_scores != 1:
            raise ValueError(f"the hinge loss takes one score per example (W with one row); got {n_scores} rows")
        return check_sign_labels(C, "C (labels -1/+1)", n_examples)

    def _derivatives_in_scores(self, S, C):
        n = S.shape[1]
        margin = 1.0 - C * S
        E = float(np.sum(np.maximum(margin, 0.0))) / n
        return E, np.where(margin > 0, -C, 0.0) / n, lambda dS: np.zeros_like(dS)

    def n_scores(self, C):
        return 1

    def predict(self, S):
        return (S[0] > 0).astype(int)

    def _true_classes(self, C):
        return (C[0] > 0).astype(int)
