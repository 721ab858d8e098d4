"""One entry point to train a single-layer classifier by any of the course's methods.

Lecture 08, the training-race widget and the Peaks benchmark run the same experiment, so they
share this function: the same objective, the same initial layer, the same record of training
and validation error against iterations, passes over the data and wall time.
"""
from __future__ import annotations

import numpy as np

from ..kernels import dense_kernel
from ..layers import SingleLayer
from ..losses import SoftmaxCrossEntropy
from ..objectives import SingleLayerObjective
from .elm import extreme_learning_machine
from .newton_cg import newton_cg
from .sgd import sgd
from .varpro import varpro

__all__ = ["train_single_layer", "METHODS", "METHOD_DEFAULTS"]

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


def train_single_layer(Y, C, Y_val=None, C_val=None, *, method: str = "varpro", width: int = 40,
                       sigma="tanh", loss=None, alpha_p: float = 1e-3, alpha_W: float = 1e-6,
                       seed: int = 0, init_scale: float = 1.0, target_error: float | None = None,
                       max_work: float | None = None, **options):
    """Train Z = sigma(K Y + b), S = W [Z; 1] on (Y, C); return the method's OptimizationResult.

    method: 'varpro' (Newton-CG on the layer, W eliminated), 'newton_cg' (on [p; W], block
    Gauss-Newton), 'sgd' (with momentum), 'adam', or 'elm' (random layer, W only).
    options go to the method (maxiter, cg_maxiter, epochs, batch_size, learning_rate, ...);
    METHOD_DEFAULTS[method] fills in the ones not given.
    Every history row records train_error, and val_error if (Y_val, C_val) are given;
    target_error stops a run once the validation error is at or below it (time to target);
    max_work stops it at the first record whose work (passes over the data) reaches max_work,
    so a run overshoots a budget by at most one iteration.
    The result carries `objective`, the SingleLayerObjective, for predictions and plots.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    options = {**METHOD_DEFAULTS[method], **options}
    layer = SingleLayer(dense_kernel(width, np.shape(Y)[0]), sigma)
    full = SingleLayerObjective(layer, loss or SoftmaxCrossEntropy(), Y, C, alpha_p, alpha_W)
    p0 = layer.initial_parameters(seed, scale=init_scale)
    has_val = Y_val is not None and C_val is not None

    def monitor(x):
        row = {"train_error": 1.0 - full.accuracy(x)}
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
        x0 = np.concatenate([p0, np.zeros(full.n - full.n_p)])
        if method == "newton_cg":
            result = newton_cg(full, x0, callback=monitor, **options)
        else:
            result = sgd(full, x0, method=method, seed=seed, callback=monitor, **options)
    result.objective = full
    return result
