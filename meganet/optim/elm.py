"""Extreme learning machines: a random layer, then only the classifier is trained."""
from __future__ import annotations

import time

import numpy as np

from ..linalg import vec
from .result import History, OptimizationResult
from .varpro import VarProObjective

__all__ = ["extreme_learning_machine"]


def extreme_learning_machine(full, *, scale: float = 1.0, seed: int = 0, p=None,
                             inner_atol: float = 1e-8):
    """Random layer parameters p, then W = argmin_W J(p, W): VarPro's inner problem, once.

    full: a SingleLayerObjective (its loss and alpha_W define the classifier problem).
    p: the layer parameters; by default full.network.initial_parameters(seed, scale) (fan-in
    scaled, as train_single_layer starts).
    Returns an OptimizationResult with x = [p; vec(W)] (a point of `full`), p and W.
    """
    start = time.perf_counter()
    p = full.network.initial_parameters(seed, scale) if p is None else np.asarray(p, dtype=float)
    W = VarProObjective(full, inner_atol=inner_atol).solve_W(p)
    x = np.concatenate([p, vec(W)])
    history = History()
    history.record(fun=full(x), time=time.perf_counter() - start, work=full.work)
    return OptimizationResult(x=x, p=p, W=W, fun=history["fun"][-1], status=0, success=True,
                              message="ELM: classifier solved for a random layer", nit=1,
                              history=history, time=time.perf_counter() - start)
