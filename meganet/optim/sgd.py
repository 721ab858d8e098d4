"""Stochastic gradient descent with mini-batches, momentum or Adam, and learning-rate schedules."""
from __future__ import annotations

import time

import numpy as np

from ..validation import as_vector
from .result import History, OptimizationResult, run_callback

__all__ = ["sgd", "classifier_renormalization"]


def sgd(objective, x0, *, epochs: int = 20, batch_size: int = 32, learning_rate=0.1,
        momentum: float = 0.0, method: str = "sgd", betas=(0.9, 0.999), eps: float = 1e-8,
        seed: int = 0, callback=None, progress: bool = False, project=None):
    """Minimise the average loss over examples by steps on mini-batch gradients.

    objective: has `subset(columns)` (the same objective on some examples), `derivatives(x)`,
    `__call__(x)`, `Y` (examples in columns) and `work` (passes over the data).
    method "sgd":  v <- momentum v - lr g,  x <- x + v
    method "adam": m <- b1 m + (1-b1) g,  s <- b2 s + (1-b2) g^2,
                   x <- x - lr (m / (1-b1^k)) / (sqrt(s / (1-b2^k)) + eps)
    learning_rate: a number, or a function epoch -> rate (a schedule).
    project: None, or a function x -> x applied after every step (x <- project(x)), e.g. a
    projection onto a constraint set or `classifier_renormalization` (||W||_F = sqrt(rows) for
    the scale-invariant loss); x0 is used as given. The velocity/moments are not projected.
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
    if project is not None and not callable(project):
        raise ValueError(f"project must be None or a function x -> x, got {type(project).__name__}")
    rate = learning_rate if callable(learning_rate) else (lambda epoch: learning_rate)
    rng = np.random.default_rng(seed)
    v, m, s, k = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), 0
    history, start, status = History(), time.perf_counter(), 0

    def record(epoch):
        work = objective.work
        f, g = objective.gradient(x) if hasattr(objective, "gradient") else objective.derivatives(x)[:2]
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
        diverged = False
        for first in range(0, n, batch_size):
            batch = objective.subset(order[first:first + batch_size])
            # the gradient alone where the objective offers it (no Hessian operators per step)
            g = batch.gradient(x)[1] if hasattr(batch, "gradient") else batch.derivatives(x)[1]
            objective.work += batch.work
            k += 1
            if method == "sgd":
                v = momentum * v - lr * g
                x_new = x + v
            else:
                m = betas[0] * m + (1 - betas[0]) * g
                s = betas[1] * s + (1 - betas[1]) * g * g
                x_new = x - lr * (m / (1 - betas[0] ** k)) / (np.sqrt(s / (1 - betas[1] ** k)) + eps)
            if not np.all(np.isfinite(x_new)):  # diverged: keep the last finite iterate and stop
                diverged = True
                break
            x = x_new if project is None else _projected(project, x_new)
        if diverged:
            status = 4
            break
        f, stop = record(epoch)
        if not np.isfinite(f):
            status = 4
            break
        if stop:
            status = 3
            break
    messages = {0: f"completed {epochs} epochs", 3: "stopped by callback", 4: "non-finite objective or iterate (diverged: x is the last finite iterate; lower the learning rate)"}
    return OptimizationResult(x=x, fun=f, status=status, success=status == 0,
                              message=f"{method.upper()}: {messages[status]}",
                              nit=history.n_rows - 1, nfev=k, history=history,
                              time=time.perf_counter() - start)


def _projected(project, x):
    y = np.asarray(project(x), dtype=float)
    if y.shape != x.shape:
        raise ValueError(f"project must return a vector of the shape of x {x.shape}, got {y.shape}")
    return y


def classifier_renormalization(n_p: int, shape_W, norm: float | None = None):
    """The map x = [p; vec(W)] -> [p; vec(W) * norm / ||W||_F], for sgd's `project`.

    Tygert et al. renormalise the classifier A (our W) after every step of SGD so that
    ||W||_F = sqrt(rows) (the default `norm`; rows = shape_W[0]). With the scale-invariant loss
    E(c W Z) = E(W Z) for c > 0, so the rescaling leaves the loss unchanged, while it fixes the
    length that a step of size lr * ||g|| is measured against: the gradient is orthogonal to W,
    so without it ||W|| grows at every step and the effective learning rate decays.
    n_p: the number of network parameters before W in x (objective.n_p); shape_W: (rows, cols)
    (objective.shape_W; a bias column is part of W and is rescaled with it). p is not changed.
    W = 0 cannot be rescaled, nor a W with NaN or Inf entries (a diverged run): a ValueError
    says which.
    """
    n_p = int(n_p)
    rows, cols = (int(d) for d in shape_W)
    if n_p < 0 or rows < 1 or cols < 1:
        raise ValueError(f"need n_p >= 0 and a shape_W of positive sizes, got n_p={n_p}, shape_W={tuple(shape_W)}")
    target = float(np.sqrt(rows)) if norm is None else float(norm)
    if not np.isfinite(target) or target <= 0:
        raise ValueError(f"norm must be a finite number > 0, got {norm}")
    n = n_p + rows * cols

    def renormalize(x):
        x = np.asarray(x, dtype=float)
        if x.shape != (n,):
            raise ValueError(f"x must be [p; vec(W)] with {n_p} + {rows}*{cols} = {n} entries, got shape {x.shape}")
        w = x[n_p:]
        largest = np.max(np.abs(w))
        if not np.isfinite(largest):
            raise ValueError("cannot renormalise W: it has NaN or Inf entries (the run diverged; "
                             "lower the learning rate)")
        if largest == 0:
            raise ValueError(f"cannot renormalise W = 0 to ||W||_F = {target:g} (it has no direction); "
                             "start from a nonzero W")
        w = w / largest                      # ||W||_F without overflow for huge entries
        return np.concatenate([x[:n_p], w * (target / np.linalg.norm(w))])

    return renormalize
