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

# newton_cg's options that only its trust-region globalization takes (trust_region_newton_cg's,
# and the classifier-block preconditioner's p_scale)
TRUST_REGION_OPTIONS = ("ftol", "radius0", "max_radius", "eta", "radius_tol", "preconditioner", "p_scale")

# Defaults for this non-convex problem, found on Peaks (benchmarks/peaks_single_layer.py):
# a fixed CG tolerance, since the gradient never becomes small enough for Newton-CG's
# sqrt(||g||) forcing term to ask for more than one or two CG steps.
METHOD_DEFAULTS = {
    # VarPro's inner solve only as exact as the outer step needs (VarProObjective):
    # ||grad_W J|| <= max(1e-6, 0.01 ||grad J_red||) for gradients, 0.001 ||grad J_red|| for values
    "varpro": dict(rtol=1e-10, cg_rtol=0.1, cg_maxiter=50, inner_atol=1e-6, inner_eta=1e-2,
                   inner_eta_value=1e-3),
    # Newton-CG in a trust region (Steihaug-CG), preconditioned by the exact classifier block of
    # the Gauss-Newton Hessian; it stops when a step lowers J by less than ftol (relative). On
    # Peaks it reaches the reference's 3.30% validation error in a median 0.6 s (the Armijo line
    # search: not on every seed within 800 iterations).
    "newton_cg": dict(rtol=1e-10, cg_rtol=1e-2, cg_maxiter=50, globalization="trust_region",
                      preconditioner="classifier_block", ftol=1e-4),
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
    eliminated), 'newton_cg' (on [p; W], block Gauss-Newton, by default in a trust region with
    Steihaug-CG preconditioned by the exact classifier block; globalization="line_search" gives
    the Armijo line search, without the defaults' trust-region-only options), 'sgd' (with
    momentum), 'adam', or 'elm' (p fixed at its start, W only).
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
    defaults = dict(METHOD_DEFAULTS[method])
    if method == "newton_cg" and options.get("globalization", defaults.get("globalization")) != "trust_region":
        # a caller who asks for the line search gets it: the trust-region-only options that came
        # from the defaults (not from the caller) do not apply to it, and newton_cg rejects them
        for key in TRUST_REGION_OPTIONS:
            defaults.pop(key, None)
    options = {**defaults, **options}
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
