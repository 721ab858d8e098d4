"""What the time-stepping networks share: N steps of size h = T/N of one layer, theta_j per step.

Step j uses the layer's parameters theta_j, the column j of Theta = mat(p, (n_layer, N)), as in
Meganet.m's ResNN (one layer object reused for every step). `times` are the step times t_j = j h
at which theta(t) is sampled; prolongation to 2N steps interpolates theta(t) between them.
"""
from __future__ import annotations

import numpy as np

from ..layers import Element, Linearization
from ..linalg import mat

__all__ = ["TimeStepping", "NetworkLinearization"]


class NetworkLinearization(Linearization):
    """What a network's linearisation keeps: the network, its elements' (or steps')
    linearisations `lins` and the states of the forward pass (pairs for two streams)."""

    def __init__(self, net, lins, states):
        self.net, self.lins, self.states = net, lins, states
        self.n_params, self.n_in, self.n_out = net.n_params, net.n_in, net.n_out
        first = states[0][0] if isinstance(states[0], tuple) else states[0]
        self.n = first.shape[1]


def _check_steps(n_steps, T, name):
    if isinstance(n_steps, bool) or not float(n_steps).is_integer() or n_steps < 1:
        raise ValueError(f"{name}: the number of steps N must be an integer >= 1, got {n_steps!r}")
    T = float(T)
    if not np.isfinite(T) or T <= 0:
        raise ValueError(f"{name}: the final time T must be a finite number > 0, got {T}")
    return int(n_steps), T


class TimeStepping(Element):
    """Base class: `layers` (the step's layers), n_steps N, final time T, h = T/N."""

    def __init__(self, layers, n_steps, T):
        name = type(self).__name__
        self.n_steps, self.T = _check_steps(n_steps, T, name)
        self.h = self.T / self.n_steps
        self.layers = list(layers)
        self.n_layer = sum(L.n_params for L in self.layers)
        self.n_params = self.n_layer * self.n_steps

    @property
    def times(self) -> np.ndarray:
        """Step times t_j = j h, j = 0, ..., N-1."""
        return self.h * np.arange(self.n_steps)

    def step_parameters(self, p) -> np.ndarray:
        """Theta = mat(p, (n_layer, N)): column j holds step j's parameters."""
        return mat(self.check_parameters(p), (self.n_layer, self.n_steps))

    linearization = NetworkLinearization  # each network's class with its sweeps

    def _run(self, p, Y, linearize: bool):
        """(Y_N, lins, states): the forward pass, keeping the steps' linearisations if asked."""
        raise NotImplementedError

    def _forward(self, p, Y):
        return self._run(p, Y, linearize=False)[0]

    def _linearize(self, p, Y):
        Y_N, lins, states = self._run(p, Y, linearize=True)
        return Y_N, self.linearization(self, lins, states)

    def with_steps(self, n_steps, T=None):
        """The same network (same layers) with n_steps steps over [0, T] (default: the same T)."""
        return type(self)(*self.layers, n_steps, self.T if T is None else T)

    def initial_parameters(self, seed: int = 0, **options):
        """Each step's layers' initial_parameters(**options), from seeds drawn from `seed`."""
        seeds = np.random.default_rng(seed).integers(0, 2**31, size=(self.n_steps, len(self.layers)))
        return np.concatenate([L.initial_parameters(int(s), **options)
                               for row in seeds for L, s in zip(self.layers, row)])
