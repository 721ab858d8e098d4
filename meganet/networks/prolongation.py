"""Multilevel in depth: a trained N-step network becomes a 2N-step one by interpolating theta(t).

The steps sample theta(t) at t_j = j h (h = T/N). The fine network (h/2) samples the piecewise
linear interpolant of those values at t = k h/2 (constant beyond the last sample), so its
forward propagation is close to the coarse one and training continues from a good start.
Inside a Chain every time-stepping element is prolonged; other elements keep their parameters.
"""
from __future__ import annotations

import numpy as np

from ..linalg import vec
from .chain import Chain
from .time_stepping import TimeStepping

__all__ = ["prolong"]


def prolong(network, p, factor: int = 2):
    """(fine network, fine parameters): every time-stepping element with factor x the steps."""
    p = network.check_parameters(p)
    if isinstance(network, Chain):
        parts = [prolong(e, q, factor) for e, q in zip(network.elements, network.split(p))]
        return Chain([e for e, _ in parts]), np.concatenate([q for _, q in parts] + [np.zeros(0)])
    if isinstance(network, TimeStepping):
        fine = network.with_steps(factor * network.n_steps)
        Theta = network.step_parameters(p)
        Theta_fine = np.stack([np.interp(fine.times, network.times, row) for row in Theta])
        return fine, vec(Theta_fine)
    return network, p
