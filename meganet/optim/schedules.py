"""Learning-rate schedules for `sgd`: callables epoch -> rate, epochs counted from 1.

    constant_rate(eta)                 eta_k = eta
    step_decay(eta0, factor, every)    eta_k = eta0 * factor ** floor((k - 1) / every)
    cosine_decay(eta0, epochs, eta_min) eta_k = eta_min + (eta0 - eta_min) (1 + cos(pi (k - 1) / epochs)) / 2

Each is a small frozen object: call it with an epoch k = 1, 2, ... (what `sgd` passes), print it
to see its settings (a tuning grid's table reads well); `eta0` is its initial rate. Bad settings
or an epoch below 1 raise a ValueError that names what was expected.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

__all__ = ["constant_rate", "step_decay", "cosine_decay"]


def _positive(value, name: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return v


def _count(value, name: str) -> int:
    ok = not isinstance(value, bool) and (
        isinstance(value, numbers.Integral)
        or (isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()))
    if not ok or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class _Schedule:
    def __call__(self, epoch) -> float:
        return self.rate(_count(epoch, "epoch (counted from 1)"))


@dataclass(frozen=True, repr=False)
class _Constant(_Schedule):
    eta0: float

    def rate(self, k: int) -> float:
        return self.eta0

    def __repr__(self) -> str:
        return f"constant_rate({self.eta0:g})"


@dataclass(frozen=True, repr=False)
class _StepDecay(_Schedule):
    eta0: float
    factor: float
    every: int

    def rate(self, k: int) -> float:
        return self.eta0 * self.factor ** ((k - 1) // self.every)

    def __repr__(self) -> str:
        return f"step_decay({self.eta0:g}, factor={self.factor:g}, every={self.every})"


@dataclass(frozen=True, repr=False)
class _CosineDecay(_Schedule):
    eta0: float
    epochs: int
    eta_min: float

    def rate(self, k: int) -> float:
        t = min(k - 1, self.epochs) / self.epochs
        return self.eta_min + 0.5 * (self.eta0 - self.eta_min) * (1.0 + math.cos(math.pi * t))

    def __repr__(self) -> str:
        return f"cosine_decay({self.eta0:g}, epochs={self.epochs}, eta_min={self.eta_min:g})"


def constant_rate(eta) -> _Constant:
    """The schedule eta_k = eta for every epoch k (what a number as `learning_rate` means)."""
    return _Constant(_positive(eta, "eta (the learning rate)"))


def step_decay(eta0, factor, every) -> _StepDecay:
    """eta_k = eta0 * factor ** floor((k - 1) / every), k = 1, 2, ...: eta0 for the first `every`
    epochs, then multiplied by `factor` every `every` epochs.

    eta0 > 0, 0 < factor <= 1 (a decay; 1 is the constant rate), every a positive integer.
    """
    eta0 = _positive(eta0, "eta0 (the initial learning rate)")
    given, factor = factor, _positive(factor, "factor")
    if factor > 1:
        raise ValueError(f"factor must lie in (0, 1] (a decay), got {given!r}")
    return _StepDecay(eta0, factor, _count(every, "every (epochs between decays)"))


def cosine_decay(eta0, epochs, eta_min=0.0) -> _CosineDecay:
    """eta_k = eta_min + (eta0 - eta_min) (1 + cos(pi (k - 1) / epochs)) / 2, k = 1, 2, ...

    Half a cosine from eta0 at epoch 1 down to eta_min at epoch epochs + 1 (Loshchilov and
    Hutter's annealing without restarts); later epochs keep eta_min. With `epochs` the length of
    the run, the last epoch's rate is eta_min + (eta0 - eta_min) (1 + cos(pi (epochs-1)/epochs)) / 2,
    small but not zero. eta0 > 0, epochs a positive integer, 0 <= eta_min <= eta0.
    """
    eta0 = _positive(eta0, "eta0 (the initial learning rate)")
    eta_min = _positive(eta_min, "eta_min", allow_zero=True)
    if eta_min > eta0:
        raise ValueError(f"eta_min must not exceed eta0 = {eta0:g} (a decay), got {eta_min!r}")
    return _CosineDecay(eta0, _count(epochs, "epochs (the length of the decay)"), eta_min)
