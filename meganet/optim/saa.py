"""Sample average approximation (SAA) against stochastic approximation (SA).

The problem behind training is the expected loss over the data distribution,

    min_x  F(x) = E_(y, c) [ loss(x; y, c) ] + regulariser.

SAA fixes a sample of n examples and solves the deterministic problem J_n(x) = (1/n) sum_j
loss(x; y_j, c_j) + regulariser, here by any `train` method (VarPro or Newton-CG, to
convergence or a pass budget). SA never fixes a sample: SGD takes each step on fresh examples
drawn from the distribution, so it follows F itself, one mini-batch at a time.

Both are charged in the same currency as `train`'s work: example evaluations, a forward or a
backward pass of one example through the network. A deterministic run of P passes over n
examples costs P n; SGD's one gradient per fresh example costs 2 per example.
"""
from __future__ import annotations

import time

import numpy as np

from .result import History, OptimizationResult
from .train import at_budget, train

__all__ = ["sample_average_approximation", "stochastic_approximation"]


def _check_sample(sample):
    if not callable(sample):
        raise ValueError(f"sample must be a function (n, seed) -> (Y, C), got {type(sample).__name__}")


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def sample_average_approximation(sample, sizes, seeds, Y_val, C_val, *, network,
                                 evaluations: float | None = None, method: str = "varpro",
                                 **options) -> list:
    """Solve the SAA problem on a fresh sample of each size; one row per size.

    sample: a function (n, seed) -> (Y, C), e.g. meganet.data.peaks_data with its classes fixed;
    sizes: sample sizes n; seeds: one seed per size (the samples are independent when the
    seeds differ, also from the seeds of the validation data); network, method, options: as
    for `train` (the same start p0 for every n, from train's `seed`).
    evaluations: None (each run as its options say), or a budget of example evaluations shared
    by all sizes: the run on n examples gets max_work = evaluations / n passes and is read at
    its last record within them (`at_budget`; the run may overshoot by one iteration).
    Returns a list of dicts, one per size: n, seed, passes (work at the record read),
    evaluations (passes * n), fun, train_error (on its own sample), val_error (on Y_val,
    C_val), gap (val_error - train_error, the generalisation gap) and result (the
    OptimizationResult).
    """
    _check_sample(sample)
    sizes = [_positive_int(n, "every sample size") for n in sizes]
    seeds = list(seeds)
    if len(seeds) != len(sizes):
        raise ValueError(f"give one seed per sample size: {len(sizes)} sizes, {len(seeds)} seeds")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"the seeds must differ (independent samples), got {seeds}")
    if evaluations is not None:
        evaluations = float(evaluations)
        if not np.isfinite(evaluations) or evaluations <= 0:
            raise ValueError(f"evaluations must be a finite number > 0, got {evaluations}")
    rows = []
    for n, seed in zip(sizes, seeds):
        Y, C = sample(n, seed)
        budget = {} if evaluations is None else {"max_work": evaluations / n}
        result = train(network, Y, C, Y_val, C_val, method=method, **budget, **options)
        row = at_budget(result, evaluations / n if evaluations is not None else np.inf)["last"]
        passes = float(row["work"])
        train_error, val_error = float(row["train_error"]), float(row["val_error"])
        rows.append(dict(n=n, seed=seed, passes=passes, evaluations=passes * n,
                         fun=float(row["fun"]), train_error=train_error, val_error=val_error,
                         gap=val_error - train_error, result=result))
    return rows


def stochastic_approximation(sample, n_examples: int, Y_val, C_val, *, network,
                             chunk_size: int = 1000, first_seed: int = 1000, learning_rate=0.05,
                             method: str = "sgd", seed: int = 0, **options) -> OptimizationResult:
    """SGD on a stream of n_examples fresh examples, each used once (stochastic approximation).

    The stream arrives in chunks of chunk_size examples, chunk k = 1, 2, ... drawn by
    sample(size, first_seed + k - 1) (choose first_seed apart from the seeds of the other data
    sets); each chunk is one epoch of `train(..., method=method, epochs=1)` from where the last
    one stopped, so an example is seen exactly once. learning_rate: a number or a schedule
    k -> rate over the chunks (meganet.optim.schedules). The momentum (Adam's moments) restarts
    at zero with each chunk. network, seed and options (batch_size, momentum, alpha_p, alpha_W,
    init_scale, ...) are those of `train`; the start p0 is train's, from `seed`.
    Returns an OptimizationResult: x, p, W, objective (the last chunk's, for predictions), and a
    history with one row per chunk: examples (seen so far),
    evaluations (2 per example: forward and backward), val_error, time and cpu_time (seconds).
    """
    _check_sample(sample)
    if method not in ("sgd", "adam"):
        raise ValueError(f"method must be 'sgd' or 'adam' (a stochastic method), got {method!r}")
    n_examples = _positive_int(n_examples, "n_examples")
    chunk_size = _positive_int(chunk_size, "chunk_size")
    batch_size = _positive_int(options.pop("batch_size", 32), "batch_size")
    rate = learning_rate if callable(learning_rate) else (lambda k: learning_rate)
    history, wall, cpu = History(), time.perf_counter(), time.process_time()
    p, W, seen, k, result = None, None, 0, 0, None
    while seen < n_examples:
        k += 1
        size = min(chunk_size, n_examples - seen)
        Y, C = sample(size, first_seed + k - 1)
        result = train(network, Y, C, method=method, p0=p, W0=W, epochs=1,
                       batch_size=min(batch_size, size), learning_rate=rate(k),
                       seed=seed + k - 1, **options)
        if not result.success:
            raise RuntimeError(f"stochastic approximation: chunk {k} failed: {result.message}")
        p, W, seen = result.p, result.W, seen + size
        history.record(examples=seen, evaluations=2 * seen,
                       val_error=1.0 - result.objective.accuracy(result.x, Y_val, C_val),
                       time=time.perf_counter() - wall, cpu_time=time.process_time() - cpu)
    out = OptimizationResult(x=result.x, fun=result.fun, status=0, success=True,
                             message=f"{method.upper()} on a stream of {seen} fresh examples "
                                     f"({k} chunks)", nit=k, nfev=k, history=history,
                             time=time.perf_counter() - wall)
    out.objective, out.p, out.W = result.objective, p, W
    return out
