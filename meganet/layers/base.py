"""What every layer shares: checked entry points around unchecked ones that networks call.

A layer is an element Z = f(p, Y) with `n_params`, `n_in`, `n_out`, `forward(p, Y)`,
`linearize(p, Y) -> (Z, lin)` (lin a `Linearization`) and `initial_parameters(seed)`.
`forward` and `linearize` check their input and call `_forward` and `_linearize`, which a
network calls directly once it has checked the input of the whole network.
"""
from __future__ import annotations

import numpy as np

from ..validation import as_vector, check_batch

__all__ = ["Element", "check_batch"]  # check_batch: from meganet.validation


class Element:
    """Base class of layers and networks (the element interface of the design notes)."""

    n_params: int
    n_in: int
    n_out: int

    def _forward(self, p, Y):
        raise NotImplementedError

    def _linearize(self, p, Y):
        raise NotImplementedError

    def _check_constraints(self, p) -> None:
        """What `check_parameters` checks beyond a finite vector of n_params entries, for p that
        is one already (e.g. an objective's checked x): nothing here; a layer whose kernel
        constrains theta (theta >= 0) checks that."""

    def check_parameters(self, p) -> np.ndarray:
        return as_vector(p, f"p (the {self.n_params} parameters of {self!r})", size=self.n_params) \
            if self.n_params else np.zeros(0)

    def forward(self, p, Y) -> np.ndarray:
        """Z = f(p, Y), shape (n_out, n)."""
        return self._forward(self.check_parameters(p), check_batch(Y, self.n_in, "Y", repr(self)))

    def __call__(self, p, Y) -> np.ndarray:
        return self.forward(p, Y)

    def linearize(self, p, Y):
        """(Z, lin): the output and its `Linearization` (J_theta, J_Y and matrix products)."""
        return self._linearize(self.check_parameters(p), check_batch(Y, self.n_in, "Y", repr(self)))
