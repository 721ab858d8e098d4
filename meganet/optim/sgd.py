"""Stochastic gradient descent with mini-batches, momentum or Adam, and learning-rate schedules."""
from __future__ import annotations

import time

import numpy as np

from ..validation import as_vector
from .result import History, OptimizationResult, run_callback

__all__ = ["sgd"]


def sgd(objective, x0, *, epochs: int = 20, batch_size: int = 32, learning_rate=0.1,
        momentum: float = 0.0, method: str = "sgd", betas=(0.9, 0.999), eps: float = 1e-8,
        seed: int = 0, callback=None, progress: bool = False):
    """Minimise the average loss over examples by steps on mini-batch gradients.

    objective: has `subset(columns)` (the same objective on some examples), `derivatives(x)`,
    `__call__(x)`, `Y` (examples in columns) and `work` (passes over the data).
    method "sgd":  v <- momentum v - lr g,  x <- x + v
    method "adam": m <- b1 m + (1-b1) g,  s <- b2 s + (1-b2) g^2,
                   x <- x - lr (m / (1-b1^k)) / (sqrt(s / (1-b2^k)) + eps)
    learning_rate: a number, or a function epoch -> rate (a schedule).
    Each epoch visits every example once in a random order (seeded). The history has one row
    per epoch (and one for x0): objective and gradient norm on all training data, time, work,
    and what the
    callback returns (see `run_callback`: values to record, e.g. validation accuracy, or stop).
    Monitoring evaluations are not counted as work.
    """
    if method not in ("sgd", "adam"):
        raise ValueError(f"method must be 'sgd' or 'adam', got {method!r}")
    x = as_vector(x0, "x0", size=objective.n).copy()
    n = objective.Y.shape[1]
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and the number of examples {n}, got {batch_size}")
    rate = learning_rate if callable(learning_rate) else (lambda epoch: learning_rate)
    rng = np.random.default_rng(seed)
    v, m, s, k = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), 0
    history, start, status = History(), time.perf_counter(), 0

    def record(epoch):
        work = objective.work
        f, g, _ = objective.derivatives(x)
        objective.work = work  # monitoring (objective and gradient on all data) is free
        extra, stop = run_callback(callback, x)
        history.record(epoch=epoch, fun=f, grad_norm=float(np.linalg.norm(g)),
                       time=time.perf_counter() - start, work=work, **extra)
        return f, stop

    epochs_iter = range(1, epochs + 1)
    if progress:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc=method)
    f, stop = record(0)
    for epoch in epochs_iter:
        lr = rate(epoch)
        order = rng.permutation(n)
        for first in range(0, n, batch_size):
            batch = objective.subset(order[first:first + batch_size])
            g = batch.derivatives(x)[1]
            objective.work += batch.work
            k += 1
            if method == "sgd":
                v = momentum * v - lr * g
                x = x + v
            else:
                m = betas[0] * m + (1 - betas[0]) * g
                s = betas[1] * s + (1 - betas[1]) * g * g
                x = x - lr * (m / (1 - betas[0] ** k)) / (np.sqrt(s / (1 - betas[1] ** k)) + eps)
        f, stop = record(epoch)
        if not np.isfinite(f):
            status = 4
            break
        if stop:
            status = 3
            break
    messages = {0: f"completed {epochs} epochs", 3: "stopped by callback", 4: "non-finite objective"}
    return OptimizationResult(x=x, fun=f, status=status, success=status == 0,
                              message=f"{method.upper()}: {messages[status]}",
                              nit=history.n_rows - 1, nfev=k, history=history,
                              time=time.perf_counter() - start)
