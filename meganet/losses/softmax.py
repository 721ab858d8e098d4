"""Softmax cross-entropy for any number of classes, stable for large scores."""
from __future__ import annotations

import numpy as np
from scipy.special import softmax

from ..validation import check_one_hot
from .base import Loss

__all__ = ["SoftmaxCrossEntropy"]


class SoftmaxCrossEntropy(Loss):
    """E(S, C) = 1/n sum_j [ -c_j^T s_j + log sum_i exp(S_ij) ],  C one-hot (n_c, n).

    With P = softmax(S) column by column,
        dE/dS = (P - C)/n,
        d2E/dS2 [dS] = (P * dS - P * (1^T (P * dS)))/n   (diag(p) - p p^T per column).
    The log-sum-exp and softmax shift each column by its maximum, so scores of 1e3 or more
    neither overflow nor lose the gradient. Where P is nearly one-hot the forms below keep
    relative accuracy (no 1 - P_k): with m the column maximum at row k_max,
        E_j = (m - s_c) + log1p(sum_{i != k_max} exp(s_i - m))     (s_c: the label's score)
        (P - C)_c = -sum_{i != c} P_i                              (the label's entry)
        d2E/dS2 [dS] = P * (r - P^T r),  r = dS - dS_{k_max}      (the Hessian ignores shifts)
    """

    name = "softmax cross-entropy"

    def _check_labels(self, C, n_scores, n_examples):
        C = check_one_hot(C, "C", n_examples=n_examples)
        if C.shape[0] != n_scores:
            raise ValueError(f"C has {C.shape[0]} classes but the scores W Z have {n_scores} rows; "
                             "W needs one row per class")
        return C

    def _derivatives_in_scores(self, S, C):
        n, columns = S.shape[1], np.arange(S.shape[1])
        top = np.argmax(S, axis=0)
        m = S[top, columns]
        shifted = np.exp(S - m)
        shifted[top, columns] = 0.0
        label_score = np.sum(C * S, axis=0)
        E = float(np.sum((m - label_score) + np.log1p(shifted.sum(axis=0)))) / n
        P = softmax(S, axis=0)
        G = P - C
        label = np.argmax(C, axis=0)
        G[label, columns] = -np.sum(P * (1 - C), axis=0)  # P_c - 1, without cancellation

        def hess(dS):
            r = dS - dS[top, columns]
            return P * (r - np.sum(P * r, axis=0, keepdims=True)) / n

        return E, G / n, hess

    def predict(self, S):
        return np.argmax(S, axis=0)

    @staticmethod
    def probabilities(S) -> np.ndarray:
        """Class probabilities softmax(S), column by column."""
        return softmax(np.asarray(S, dtype=float), axis=0)
