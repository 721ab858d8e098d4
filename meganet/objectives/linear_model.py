"""The objective of a linear model: J(W) = E(W Y, C) + R(W), as a function of x = vec(W)."""
from __future__ import annotations

import numpy as np

from ..linalg import mat, vec
from ..validation import as_matrix, as_vector, check_columns_match

__all__ = ["LinearModelObjective"]


class LinearModelObjective:
    """J(x) = E(W Y, C) + R(W) with W = mat(x, (n_scores, n_features)).

    Y: features (n_features, n); C: labels as the loss expects them; R: a regulariser with
    `linearize(W)` (e.g. `Tikhonov`) or None. `derivatives(x)` returns (J, grad, H) with H a
    LinearOperator, the interface of meganet's optimizers. To fit a bias, append a row of
    ones to Y.
    """

    def __init__(self, loss, Y, C, regularizer=None):
        self.loss = loss
        self.Y = as_matrix(Y, "Y (features)")
        C = as_matrix(C, "C (labels)")
        check_columns_match(self.Y, C, ("Y (features)", "C (labels)"))
        self.n_scores = loss.n_scores(C)
        self.C = loss._check_labels(C, self.n_scores, self.Y.shape[1])  # fail early on bad labels
        self.regularizer = regularizer
        self.shape = (self.n_scores, self.Y.shape[0])
        self.n = self.shape[0] * self.shape[1]

    def W(self, x) -> np.ndarray:
        """The weight matrix of the unknowns x."""
        return mat(as_vector(x, "x (vec of W)", size=self.n), self.shape)

    def __call__(self, x) -> float:
        W = self.W(x)
        J = self.loss.value(W @ self.Y, self.C)
        if self.regularizer is not None:
            J += self.regularizer.value(W)
        return J

    def derivatives(self, x):
        """(J(x), grad J(x), Hessian of J at x as a LinearOperator on vec(W))."""
        W = self.W(x)
        J, d = self.loss.linearize(W, self.Y, self.C)
        g, H = vec(d.grad_W), d.hess_W
        if self.regularizer is not None:
            R, dR, HR = self.regularizer.linearize(W)
            J, g, H = J + R, g + vec(dR), H + HR
        return J, g, H

    def accuracy(self, x, Y=None, C=None) -> float:
        """Classification accuracy of W = mat(x) on (Y, C) (the training data by default)."""
        Y = self.Y if Y is None else as_matrix(Y, "Y (features)")
        C = self.C if C is None else C
        return self.loss.accuracy(self.W(x) @ Y, C)
