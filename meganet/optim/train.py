"""One entry point to train "network features, then a linear classifier" by any course method.

Lectures 08-11, the training-race widget and the Peaks benchmarks run the same experiment, so
they share `train`: the same objective, the same initial network, the same record of training
and validation error against iterations, passes over the data and wall time.
`train_single_layer` is `train` on one dense layer of a given width.
"""
from __future__ import annotations

import time

import numpy as np

from ..kernels import dense_kernel
from ..layers import SingleLayer
from ..losses import SoftmaxCrossEntropy
from ..linalg import vec
from ..objectives import NetworkObjective
from .elm import extreme_learning_machine
from .newton_cg import newton_cg
from .sgd import sgd
from .varpro import varpro

__all__ = ["train", "train_single_layer", "at_budget", "METHODS", "METHOD_DEFAULTS"]

METHODS = ("varpro", "newton_cg", "sgd", "adam", "elm")

# Defaults for this non-convex problem, found on Peaks (benchmarks/peaks_single_layer.py):
# a fixed CG tolerance, since the gradient never becomes small enough for Newton-CG's
# sqrt(||g||) forcing term to ask for more than one or two CG steps.
METHOD_DEFAULTS = {
    "varpro": dict(rtol=1e-10, cg_rtol=0.1, cg_maxiter=50, inner_atol=1e-6),
    "newton_cg": dict(rtol=1e-10, cg_rtol=1e-2, cg_maxiter=50),
    "sgd": dict(batch_size=32, learning_rate=0.05, momentum=0.9),
    "adam": dict(batch_size=32, learning_rate=0.02),
    "elm": dict(),
}


def train(network, Y, C, Y_val=None, C_val=None, *, method: str = "varpro", loss=None,
          alpha_p: float = 1e-3, alpha_W: float = 1e-6, seed: int = 0, init_scale: float = 1.0,
          bias_scale: float = 1.0, p0=None, W0=None, target_error: float | None = None, max_work: float | None = None,
          keep_iterates: bool = False, **options):
    """Train Z = network(p, Y), S = W [Z; 1] on (Y, C); return the method's OptimizationResult.

    network: any element (a layer, Chain, ResNet, ...). method: 'varpro' (Newton-CG on p, W
    eliminated), 'newton_cg' (on [p; W], block Gauss-Newton), 'sgd' (with momentum), 'adam',
    or 'elm' (p fixed at its start, W only).
    p0: the start (default network.initial_parameters(seed, scale=init_scale, bias_scale=
    bias_scale); a small bias_scale suits convolutions, whose many pixels share one bias); W0: the
    classifier's start for 'newton_cg', 'sgd' and 'adam' (default zero).
    options go to the method (maxiter, cg_maxiter, epochs, batch_size, learning_rate, ...);
    METHOD_DEFAULTS[method] fills in the ones not given.
    Every history row records train_error, cpu_time (CPU seconds of this process since the
    start of `train`, monitoring included; `time` is the optimizer's wall time), and val_error if
    (Y_val, C_val) are given;
    target_error stops a run once the validation error is at or below it (time to target);
    max_work stops it at the first record whose work (passes over the data) reaches max_work,
    so a run overshoots a budget by at most one iteration (`at_budget` reads a history at the
    last record within a budget). keep_iterates=True also records each iterate [p; vec(W)] (a
    copy) in history["x"], e.g. to measure a test error at a chosen record.
    The result carries `objective` (the NetworkObjective, for predictions and plots), `p` and
    `W` (the network parameters and classifier weights of x = [p; vec(W)]).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    options = {**METHOD_DEFAULTS[method], **options}
    full = NetworkObjective(network, loss or SoftmaxCrossEntropy(), Y, C, alpha_p, alpha_W)
    p0 = network.initial_parameters(seed, scale=init_scale, bias_scale=bias_scale) if p0 is None \
        else network.check_parameters(p0)
    W0 = np.zeros(full.shape_W) if W0 is None else np.asarray(W0, dtype=float)
    if W0.shape != full.shape_W:
        raise ValueError(f"W0 must have shape {full.shape_W} (classes, features + bias), got {W0.shape}")
    has_val = Y_val is not None and C_val is not None

    cpu_start = time.process_time()

    def monitor(x):
        row = {"train_error": 1.0 - full.accuracy(x), "cpu_time": time.process_time() - cpu_start}
        if keep_iterates:
            row["x"] = np.array(x, dtype=float)
        stop = max_work is not None and full.work >= max_work
        if has_val:
            row["val_error"] = 1.0 - full.accuracy(x, Y_val, C_val)
            stop = stop or (target_error is not None and row["val_error"] <= target_error)
        row["stop"] = stop
        return row

    if method == "elm":
        result = extreme_learning_machine(full, p=p0)
        row = monitor(result.x)
        row.pop("stop", None)
        for key, value in row.items():
            result.history[key] = [value]
    elif method == "varpro":
        result = varpro(full, p0, callback=monitor, **options)
    else:
        x0 = np.concatenate([p0, vec(W0)])
        if method == "newton_cg":
            result = newton_cg(full, x0, callback=monitor, **options)
        else:
            result = sgd(full, x0, method=method, seed=seed, callback=monitor, **options)
    result.objective = full
    result.p, result.W = full.split(result.x)
    return result


def train_single_layer(Y, C, Y_val=None, C_val=None, *, width: int = 40, sigma="tanh", **options):
    """`train` on one dense layer Z = sigma(K Y + b) of the given width (lectures 05-08).

    Options are those of `train` (method, loss, alpha_p, alpha_W, seed, ...).
    """
    layer = SingleLayer(dense_kernel(width, np.shape(Y)[0]), sigma)
    return train(layer, Y, C, Y_val, C_val, **options)


def at_budget(result, budget: float, *, key: str = "work") -> dict:
    """A run as it stood at a budget: its last record with history[key] <= budget, and its best.

    result: an OptimizationResult of `train` (or any result whose history has `key`); budget:
    passes over the data for key="work" (or seconds for key="time" or "cpu_time").
    Returns {"last": row, "best": row}: a row is a dict of every history column at one record,
    plus "index" (the record's number). "last" is the last record within the budget (a run
    stopped by max_work may have one more, over it); "best" is the record with the lowest
    val_error among the records up to "last" (the first of equals; None without val_error).
    A budget that not even the first record meets raises a ValueError.
    """
    history = result.history
    if key not in history:
        raise ValueError(f"the history has no column {key!r}; it has {sorted(history)}")
    budget = float(budget)
    if np.isnan(budget):
        raise ValueError("budget must be a number (inf reads the whole run), got nan")
    values = np.array([np.nan if v is None else v for v in history[key]], dtype=float)
    within = np.flatnonzero(values <= budget)
    if within.size == 0:
        raise ValueError(f"no record has {key} <= {budget:g}: the first has {key} = {values[0]:g}")
    last = int(within[-1])

    def row(i):
        return {"index": i, **{name: column[i] for name, column in history.items()}}

    best = None
    if "val_error" in history:
        errors = np.array([np.inf if v is None else v for v in history["val_error"][:last + 1]])
        best = row(int(np.argmin(errors)))
    return {"last": row(last), "best": best}
