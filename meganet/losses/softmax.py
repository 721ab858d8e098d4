"""Softmax cross-entropy for any number of classes, stable for large scores."""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp, softmax

from ..validation import check_one_hot
from .base import Loss

__all__ = ["SoftmaxCrossEntropy"]


class SoftmaxCrossEntropy(Loss):
    """E(S, C) = 1/n sum_j [ -c_j^T s_j + log sum_i exp(S_ij) ],  C one-hot (n_c, n).

    With P = softmax(S) column by column,
        dE/dS = (P - C)/n,
        d2E/dS2 [dS] = (P * dS - P * (1^T (P * dS)))/n   (diag(p) - p p^T per column).
    The log-sum-exp and softmax shift each column by its maximum, so scores of 1e3 or more
    neither overflow nor lose the gradient.
    """

    name = "softmax cross-entropy"

    def _check_labels(self, C, n_scores, n_examples):
        C = check_one_hot(C, "C", n_examples=n_examples)
        if C.shape[0] != n_scores:
            raise ValueError(f"C has {C.shape[0]} classes but the scores W Z have {n_scores} rows; "
                             "W needs one row per class")
        return C

    def _derivatives_in_scores(self, S, C):
        n = S.shape[1]
        E = float(np.sum(logsumexp(S, axis=0)) - np.sum(C * S)) / n
        P = softmax(S, axis=0)

        def hess(dS):
            PdS = P * dS
            return (PdS - P * PdS.sum(axis=0, keepdims=True)) / n

        return E, (P - C) / n, hess

    def predict(self, S):
        return np.argmax(S, axis=0)

    @staticmethod
    def probabilities(S) -> np.ndarray:
        """Class probabilities softmax(S), column by column."""
        return softmax(np.asarray(S, dtype=float), axis=0)
