"""Changing the depth of a trained network: resample theta(t) at new step times.

The steps of a time-stepping network sample theta(t) at t_j = j h (h = T/N). A network with
N' steps over [0, T'] samples the same function at t'_k = k T'/N':
  kind="linear":   the piecewise-linear interpolant of the theta_j (smooth theta(t));
  kind="constant": theta(t) = theta_j on [t_j, t_j + h), the function forward Euler with the
                   trained steps integrates: refining splits every step into substeps with the
                   same parameters, so the output changes by O(h) however rough theta_j is.
Both keep the last theta beyond t_{N-1}. Trained steps are not samples of a smooth function
(nothing couples neighbouring theta_j), so "constant" keeps a trained network's accuracy
where "linear" may not (lecture 10 measures both).
`prolong` doubles the steps over the same T: multilevel training in depth (coarse to fine).
Inside a Chain every time-stepping element is resampled; other elements keep their parameters.
"""
from __future__ import annotations

import numpy as np

from ..linalg import vec
from .chain import Chain
from .time_stepping import TimeStepping

__all__ = ["resample_steps", "prolong"]

KINDS = ("linear", "constant")


def _resample(network, p, n_steps, T, kind):
    """One element: n_steps(N) gives its new number of steps."""
    if isinstance(network, Chain):
        parts = [_resample(e, q, n_steps, T, kind) for e, q in zip(network.elements, network.split(p))]
        return Chain([e for e, _ in parts]), np.concatenate([q for _, q in parts] + [np.zeros(0)])
    if isinstance(network, TimeStepping):
        new = network.with_steps(n_steps(network.n_steps), T)
        Theta = network.step_parameters(p)
        if kind == "linear":
            Theta_new = np.stack([np.interp(new.times, network.times, row) for row in Theta])
        else:  # the step j with t_j <= t' < t_j + h (a tolerance for t' on a grid point)
            j = np.floor(new.times / network.h + 1e-9).astype(int)
            Theta_new = Theta[:, np.clip(j, 0, network.n_steps - 1)]
        return new, vec(Theta_new)
    return network, p


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def resample_steps(network, p, n_steps: int, T: float | None = None, kind: str = "linear"):
    """(network', p'): every time-stepping element with n_steps steps over [0, T'].

    T' = T if given, else each element's own final time (same T: another discretisation of
    the ODE; another T with the same h: another time horizon).
    """
    _check_kind(kind)
    return _resample(network, network.check_parameters(p), lambda N: n_steps, T, kind)


def prolong(network, p, factor: int = 2, kind: str = "linear"):
    """(fine network, fine parameters): every time-stepping element with factor x the steps."""
    _check_kind(kind)
    return _resample(network, network.check_parameters(p), lambda N: factor * N, None, kind)
