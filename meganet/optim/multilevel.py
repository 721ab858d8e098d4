"""Multilevel training in depth: train a shallow (coarse in time) network, prolong it to twice
the steps, and continue training, level after level (coarse to fine).

A ResNet with N steps of size h = T/N discretises one ODE; the network with 2N steps of size
h/2 discretises the same ODE, so the coarse solution, interpolated in time, is a good start
for the fine one, and the expensive fine levels need fewer iterations.
"""
from __future__ import annotations

from ..networks import prolong
from .train import train

__all__ = ["multilevel_train"]


def multilevel_train(network, Y, C, Y_val=None, C_val=None, *, levels: int = 3, p0=None,
                     prolongation: str = "linear", **train_options):
    """Train `network`, prolong (2x the steps of every time-stepping element), train again.

    Level 0 trains `network` from p0 (or its initial parameters); level k + 1 starts from the
    prolonged parameters of level k and, for the methods that take it, level k's W.
    prolongation: "linear" (theta(t) interpolated) or "constant" (each step split in two with
    its parameters); see meganet.networks.prolong.
    train_options go to `train` at every level (method, maxiter, epochs, ...).
    Returns the list of per-level OptimizationResults; each carries `network` (its network).
    """
    if int(levels) != levels or levels < 1:
        raise ValueError(f"levels must be an integer >= 1, got {levels!r}")
    results, p, W = [], p0, None
    for level in range(int(levels)):
        result = train(network, Y, C, Y_val, C_val, p0=p, W0=W, **train_options)
        result.network = network
        results.append(result)
        if level + 1 < levels:
            network, p = prolong(network, result.p, kind=prolongation)
            W = result.W
    return results
