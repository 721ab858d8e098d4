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
        # entries (top_j, j) and (label_j, j) are read and written by flat position in the
        # C-ordered arrays (take/put: faster than S[top, columns], the same numbers)
        S = np.ascontiguousarray(S)
        n, columns = S.shape[1], np.arange(S.shape[1])
        at_top = np.argmax(S, axis=0) * n + columns
        m = S.ravel().take(at_top)
        shifted = np.exp(S - m)
        flat = shifted.ravel()  # a view
        flat.put(at_top, 0.0)
        at_label = np.argmax(C, axis=0) * n + columns
        label_score = S.ravel().take(at_label)  # = sum(C * S) for one-hot C and finite S, exactly
        E = float(np.sum((m - label_score) + np.log1p(shifted.sum(axis=0)))) / n
        flat.put(at_top, 1.0)  # exp(0): now exp(S - max), so P = softmax(S), as scipy's
        P = shifted / shifted.sum(axis=0, keepdims=True)
        G = np.subtract(P, C, order="C")  # = P off the labels, exactly
        G.ravel().put(at_label, 0.0)
        G.ravel().put(at_label, -G.sum(axis=0))  # P_c - 1 = -sum_{i != c} P_i, without cancellation
        top = at_top // n

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
