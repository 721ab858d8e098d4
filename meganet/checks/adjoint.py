"""The adjoint test: a transpose is right when <w, A v> = <A^T w, v> for random v and w."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import as_operator

__all__ = ["check_adjoint", "AdjointCheck"]


@dataclass
class AdjointCheck:
    """Result of an adjoint test: both inner products, their relative difference, the verdict."""

    lhs: float
    rhs: float
    relative_error: float
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return bool(self.passed)

    def __str__(self) -> str:
        return (f"<w, A v> = {self.lhs:.12e}\n<A^T w, v> = {self.rhs:.12e}\n"
                f"relative error {self.relative_error:.2e}: "
                + ("PASSED" if self.passed else "FAILED") + f" ({self.message})")


def check_adjoint(A, rmatvec=None, shape=None, *, seed: int = 0, rtol: float = 1e-10,
                  n_trials: int = 3) -> AdjointCheck:
    """Check that A^T is the transpose of A on random vectors.

    A is a LinearOperator (its matvec and rmatvec are compared), a matrix, or a callable
    v -> A v together with `rmatvec` (w -> A^T w) and `shape` = (m, n).
    The worst relative error |<w,Av> - <A^T w,v>| / (|w| |Av| + |A^T w| |v|) over `n_trials`
    random pairs is compared with `rtol`.
    """
    if callable(A) and not isinstance(A, LinearOperator):
        if rmatvec is None or shape is None:
            raise ValueError("check_adjoint: a callable A needs rmatvec= and shape=(m, n)")
        A = LinearOperator(shape, matvec=A, rmatvec=rmatvec, dtype=float)
    A = as_operator(A)
    m, n = A.shape
    rng = np.random.default_rng(seed)
    worst, lhs, rhs = 0.0, 0.0, 0.0
    for _ in range(n_trials):
        v, w = rng.standard_normal(n), rng.standard_normal(m)
        Av = np.asarray(A.matvec(v)).reshape(-1)
        ATw = np.asarray(A.rmatvec(w)).reshape(-1)
        if Av.size != m or ATw.size != n:
            raise ValueError(f"the operator has shape {(m, n)} but A v has {Av.size} entries and "
                             f"A^T w has {ATw.size}")
        a, b = float(w @ Av), float(ATw @ v)
        scale = np.linalg.norm(w) * np.linalg.norm(Av) + np.linalg.norm(ATw) * np.linalg.norm(v)
        err = abs(a - b) / scale if scale > 0 else 0.0
        if err >= worst:
            worst, lhs, rhs = err, a, b
    passed = worst <= rtol
    message = f"tolerance {rtol:.0e} over {n_trials} random pairs"
    return AdjointCheck(lhs, rhs, worst, bool(passed), message)
