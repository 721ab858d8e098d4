"""Logistic regression loss for two classes, on one score per example."""
from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..validation import check_binary_labels
from .base import Loss

__all__ = ["Logistic"]


class Logistic(Loss):
    """E(s, c) = 1/n sum_j [ log(1 + exp(s_j)) - c_j s_j ],  s = w^T Y of shape (1, n).

    c_j = 1 marks the second class (probability sigmoid(s_j)); labels may be a row (1, n) of
    0/1 or one-hot columns (2, n).
        dE/ds = (sigmoid(s) - c)/n,   d2E/ds2 [ds] = sigmoid(s)(1 - sigmoid(s)) ds / n.
    log(1 + exp(s)) is evaluated as logaddexp(0, s): no overflow for large |s|.
    """

    name = "logistic regression"

    def _check_labels(self, C, n_scores, n_examples):
        if n_scores != 1:
            raise ValueError(f"logistic regression takes one score per example (W with one row); "
                             f"got {n_scores} rows of scores")
        return check_binary_labels(C, "C", n_examples=n_examples)

    def _derivatives_in_scores(self, S, C):
        n = S.shape[1]
        E = float(np.sum(np.logaddexp(0.0, S) - C * S)) / n
        p = expit(S)
        curvature = p * (1.0 - p) / n
        return E, (p - C) / n, lambda dS: curvature * dS

    def n_scores(self, C):
        return 1

    def predict(self, S):
        return (S[0] > 0).astype(int)

    def _true_classes(self, C):
        return C[0].astype(int)
