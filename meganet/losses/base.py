"""What every loss shares: E(S, C) on scores S = W Z, lifted to derivatives in W and in Z.

A loss only defines E(S, C), its gradient dE/dS and the Hessian product d2E/dS2 [dS]. Since
S = W Z is linear in W (and in Z), the chain rule gives, with examples in columns,

    grad_W = dE/dS Z^T                    H_W [dW] = d2E/dS2 [dW Z] Z^T
    grad_Z = W^T dE/dS                    H_Z [dZ] = W^T d2E/dS2 [W dZ]

These Hessians are exact (not Gauss-Newton) for W alone and for Z alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, vec
from ..validation import as_matrix

__all__ = ["Loss", "LossDerivatives"]


@dataclass
class LossDerivatives:
    """Derivatives of E(W Z, C) at one point.

    grad_W : (n_c, n_f)      grad_Z : (n_f, n)
    hess_W : LinearOperator on vec(W), shape (n_c n_f, n_c n_f)
    hess_Z : LinearOperator on vec(Z), shape (n_f n, n_f n)
    dS, hess_S : the derivatives in the scores S = W Z (dS has shape (n_c, n)).
    """

    grad_W: np.ndarray
    grad_Z: np.ndarray
    hess_W: LinearOperator
    hess_Z: LinearOperator
    dS: np.ndarray
    hess_S: Callable[[np.ndarray], np.ndarray]


class Loss:
    """Base class: subclasses implement `_check_labels` and `_derivatives_in_scores`.

    All losses average over the n examples (columns), so a regularisation weight does not
    need rescaling when the number of examples changes.
    """

    name = "loss"

    # --- what a subclass provides -------------------------------------------------------
    def _check_labels(self, C, n_scores: int, n_examples: int) -> np.ndarray:
        raise NotImplementedError

    def _derivatives_in_scores(self, S, C):
        """Return E, dE/dS and a function dS -> d2E/dS2 [dS]."""
        raise NotImplementedError

    def predict(self, S: np.ndarray) -> np.ndarray:
        """Predicted class index (0-based) of each column of scores."""
        raise NotImplementedError

    def n_scores(self, C) -> int:
        """Rows of scores S = W Z the labels C call for (rows of W)."""
        return np.shape(C)[0]

    # --- shared ------------------------------------------------------------------------
    def _prepare(self, S, C):
        S = as_matrix(S, "S (scores W Z)")
        C = self._check_labels(C, S.shape[0], S.shape[1])
        return S, C

    def value(self, S, C) -> float:
        """E(S, C) for scores S (n_scores, n) and labels C."""
        S, C = self._prepare(S, C)
        return self._derivatives_in_scores(S, C)[0]

    def derivatives(self, S, C):
        """(E, dE/dS, dS -> d2E/dS2 [dS]) at the scores S."""
        S, C = self._prepare(S, C)
        return self._derivatives_in_scores(S, C)

    def __call__(self, W, Z, C) -> float:
        """E(W Z, C)."""
        W, Z = self._check_weights(W, Z)
        return self.value(W @ Z, C)

    def linearize(self, W, Z, C):
        """E(W Z, C) and its derivatives in W and in Z (see `LossDerivatives`)."""
        W, Z = self._check_weights(W, Z)
        E, dS, hess_S = self.derivatives(W @ Z, C)
        n_c, n_f = W.shape
        n = Z.shape[1]

        def hess_W(v):
            return vec(hess_S(mat(v, (n_c, n_f)) @ Z) @ Z.T)

        def hess_Z(v):
            return vec(W.T @ hess_S(W @ mat(v, (n_f, n))))

        d = LossDerivatives(
            grad_W=dS @ Z.T,
            grad_Z=W.T @ dS,
            hess_W=LinearOperator((n_c * n_f,) * 2, matvec=hess_W, rmatvec=hess_W, dtype=float),
            hess_Z=LinearOperator((n_f * n,) * 2, matvec=hess_Z, rmatvec=hess_Z, dtype=float),
            dS=dS,
            hess_S=hess_S,
        )
        return E, d

    def accuracy(self, S, C) -> float:
        """Fraction of columns whose predicted class matches the label."""
        S, C = self._prepare(S, C)
        return float(np.mean(self.predict(S) == self._true_classes(C)))

    def _true_classes(self, C: np.ndarray) -> np.ndarray:
        return np.argmax(C, axis=0)

    @staticmethod
    def _check_weights(W, Z):
        W = as_matrix(W, "W")
        Z = as_matrix(Z, "Z (features)")
        if W.shape[1] != Z.shape[0]:
            raise ValueError(f"W must have one column per feature: W has shape {W.shape} but the "
                             f"features Z have {Z.shape[0]} rows (Z is n_features x n_examples)")
        return W, Z

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
