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
    Saturated scores keep their relative accuracy because each term is evaluated in a form
    without cancellation: per label, log(1 + e^s) - s = log(1 + e^-s) (logaddexp(0, -s) for
    c = 1, logaddexp(0, s) for c = 0), sigmoid(s) - 1 = -sigmoid(-s), and
    sigmoid(s)(1 - sigmoid(s)) = sigmoid(s) sigmoid(-s). No overflow for any finite s.
    """

    name = "logistic regression"

    def _check_labels(self, C, n_scores, n_examples):
        if n_scores != 1:
            raise ValueError(f"logistic regression takes one score per example (W with one row); "
                             f"got {n_scores} rows of scores")
        return check_binary_labels(C, "C", n_examples=n_examples)

    def _derivatives_in_scores(self, S, C):
        n = S.shape[1]
        E = float(np.sum(np.where(C == 1, np.logaddexp(0.0, -S), np.logaddexp(0.0, S)))) / n
        p, q = expit(S), expit(-S)  # q = 1 - p, accurate where p is near 1
        curvature = p * q / n
        return E, np.where(C == 1, -q, p) / n, lambda dS: curvature * dS

    def n_scores(self, C):
        return 1

    def predict(self, S):
        return (S[0] > 0).astype(int)

    def _true_classes(self, C):
        return C[0].astype(int)
