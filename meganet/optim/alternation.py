"""Alternation between the weights and the support of a PHT network (Huang, Kong and Lucey).

A network of PHT layers Y_l = PHT(A_l), A_l = K_l Y_{l-1} + B_l b_l, is, at its support
M_l = 1[A_l > tau], the masked network Y_l = M_l * A_l (meganet.layers.support). With the masks
fixed the scores S = W [Z; 1] are multilinear in (p_1, ..., p_L, W), so the weights can be
trained on a problem without switching nonlinearities; then the masks are re-estimated at the
new weights, and so on:

    I-alternation (mode "I"): the masks of every training example are stored. Repeat:
        train the weights with the masks fixed (inner_epochs of momentum SGD on mini-batches,
        or newton_maxiter Gauss-Newton/Newton-CG steps on all examples), then re-estimate
        all masks by one forward pass (counted as one pass over the data).
    B-alternation (mode "B"): no masks are stored. Each mini-batch, when drawn, gets its masks
        at the current weights (from the forward pass of its first gradient, which is the PHT
        network's gradient there); inner_steps momentum steps on that batch use these masks,
        then they are discarded (one mask set per mini-batch at a time).
        With inner_steps = 1 this is exactly SGD with momentum on the PHT network (the same
        iterates as meganet.optim.sgd for the same seed).

Both start from warm_epochs epochs of SGD with momentum on the PHT network, as the paper does.
The history records the jumps: the training loss with the old masks just before a
re-estimation (fun_before) and with the new ones just after (fun_after, the PHT network's loss
at the same weights), and the masks' stability (mask_change, the fraction of mask entries that
changed; per layer in mask_change_layers). For B these are averaged over the batches of an
epoch: each batch's loss with its masks after its inner steps against the loss with masks
re-estimated on the same batch (a monitoring pass, optional: record_jumps).
Bookkeeping: `work` counts passes through the network over the data as NetworkObjective does
(a gradient 2, a value or a mask estimate 1, scaled by the fraction of examples); `time` is the
wall time of training only: monitoring (losses, errors, jumps) is neither timed nor counted.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

from ..layers import Element, fix_support, forward_with_support, thresholding_layers
from ..linalg import vec
from ..losses import SoftmaxCrossEntropy
from ..objectives import NetworkObjective
from ..validation import as_matrix
from .newton_cg import newton_cg
from .result import History, OptimizationResult, run_callback

__all__ = ["alternation", "FixedSupportObjective", "ALTERNATION_MODES"]

ALTERNATION_MODES = ("I", "B")


class FixedSupportObjective(NetworkObjective):
    """J(p, W) of the masked network fix_support(network, masks); a mini-batch keeps its columns
    of the masks, so meganet.optim's mini-batch loops and Newton-CG take it unchanged.

    masks: one bool (n_l, n) per PHT layer, column j the support of example j (column j of Y).
    """

    def __init__(self, network, masks, loss, Y, C, alpha_p: float = 0.0, alpha_W: float = 0.0,
                 classifier_bias: bool = True, work_scale: float = 1.0):
        self.pht_network, self.masks = network, list(masks)
        n = np.shape(Y)[1] if np.ndim(Y) == 2 else None
        for l, M in enumerate(self.masks):
            if np.ndim(M) != 2 or M.shape[1] != n:
                raise ValueError(f"masks[{l}] must have one column per example ({n}), got shape {np.shape(M)}")
        super().__init__(fix_support(network, self.masks), loss, Y, C, alpha_p, alpha_W,
                         classifier_bias, work_scale)

    def subset(self, columns) -> "FixedSupportObjective":
        fraction = len(np.atleast_1d(columns)) / self.Y.shape[1]
        return FixedSupportObjective(self.pht_network, [M[:, columns] for M in self.masks], self.loss,
                                     self.Y[:, columns], self.C[:, columns], self.alpha_p, self.alpha_W,
                                     self.classifier_bias, work_scale=self.work_scale * fraction)


class _KeepLinearization(Element):
    """The network, keeping the linearisation of its last `linearize` (the support is read from
    it: sigma'(A_l) = 1[A_l > tau]), so B-alternation gets a batch's masks from the forward pass
    of its first gradient instead of paying for another one. Private to this module."""

    def __init__(self, network):
        self.network, self.lin = network, None
        self.n_params, self.n_in, self.n_out = network.n_params, network.n_in, network.n_out
        self.positions = thresholding_layers(network)

    def _forward(self, p, Y):
        return self.network._forward(p, Y)

    def _linearize(self, p, Y):
        Z, self.lin = self.network._linearize(p, Y)
        return Z, self.lin

    def masks(self):
        lins = getattr(self.lin, "lins", [self.lin])   # a Chain's steps, or one layer
        return [lins[k].dsigma > 0 for k in self.positions]


class _Clock:
    """Wall time of training: monitoring blocks are excluded."""

    def __init__(self):
        self.start, self.excluded = time.perf_counter(), 0.0

    @contextmanager
    def monitoring(self):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.excluded += time.perf_counter() - t

    def training(self) -> float:
        return time.perf_counter() - self.start - self.excluded


class _Diverged(Exception):
    """The weights overflowed: the loss refused non-finite scores, or a gradient was not finite."""


def _gradient(objective, x) -> np.ndarray:
    try:
        with np.errstate(over="ignore", invalid="ignore"):   # overflow is reported as divergence
            g = objective.derivatives(x)[1]
    except ValueError as error:
        if "finite" in str(error):
            raise _Diverged from error
        raise
    if not np.all(np.isfinite(g)):
        raise _Diverged
    return g


CHUNK = 128   # columns per forward pass over a whole data set: 2000 images at once are ~9x slower (cache)


def _chunks(n: int):
    return [np.arange(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)]


def _loss_and_error(objective, x) -> tuple[float, float]:
    """(J(x), classification error) on all of the objective's examples, forward in chunks, not
    counted as work (monitoring); (inf, nan) where the scores overflowed."""
    p, W = objective.split(x)
    with np.errstate(all="ignore"):
        S = np.hstack([W @ objective.subset(cols).features(p) for cols in _chunks(objective.Y.shape[1])])
    if not np.all(np.isfinite(S)):
        return np.inf, np.nan
    regularizer = 0.5 * objective.alpha_p * float(p @ p) + 0.5 * objective.alpha_W * float(np.sum(W * W))
    return (objective.loss.value(S, objective.C) + regularizer,
            1.0 - objective.loss.accuracy(S, objective.C))


def _support_in_chunks(network, p, Y):
    """support_masks(network, p, Y), computed a chunk of columns at a time."""
    with np.errstate(over="ignore", invalid="ignore"):   # overflowing weights show up as divergence
        parts = [forward_with_support(network, p, Y[:, cols])[1] for cols in _chunks(Y.shape[1])]
    return [np.hstack(layer) for layer in zip(*parts)]


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and bool(np.isfinite(value))


def _check_positive_int(value, name, minimum=1):
    if not _is_real(value) or not float(value).is_integer() or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _changes(old, new):
    """(fraction of all mask entries that differ, the fraction per layer)."""
    per_layer = [float(np.mean(a != b)) for a, b in zip(old, new)]
    changed = sum(int(np.count_nonzero(a != b)) for a, b in zip(old, new))
    return changed / max(sum(a.size for a in old), 1), per_layer


def alternation(network, Y, C, Y_val=None, C_val=None, *, mode: str = "I", solver: str = "sgd",
                loss=None, alpha_p: float = 1e-3, alpha_W: float = 1e-6, seed: int = 0,
                init_scale: float = 1.0, bias_scale: float = 1.0, p0=None, W0=None,
                warm_epochs: int = 1, maxiter: int = 10, inner_epochs: int = 1, inner_steps: int = 1,
                learning_rate=0.05, momentum: float = 0.9, batch_size: int = 32,
                newton_maxiter: int = 5, cg_maxiter: int = 20, max_work: float | None = None,
                record_jumps: bool = True, monitor_training: bool = True, callback=None):
    """Train S = W [Z; 1], Z = network(p, Y) (PHT/ReLU layers), alternating weights and support.

    network: a Chain of SingleLayers with PHT or ReLU activations (pht(tau) from meganet.layers),
    LinearMaps (pooling) and identity layers, or one such layer. Objective as meganet.optim.train:
    E(W [Z; 1], C) + alpha_p/2 |p|^2 + alpha_W/2 |W|^2 (loss default softmax cross-entropy),
    p0 default network.initial_parameters(seed, scale=init_scale, bias_scale=bias_scale), W0 zero.
    mode: "I" (per-example masks stored, re-estimated after each round of weight training) or
          "B" (the masks of each mini-batch, used for its inner_steps steps); see the module notes.
    solver (mode "I"): "sgd" (inner_epochs epochs of momentum SGD, mini-batches of batch_size)
          or "gauss_newton" (newton_maxiter Newton-CG steps with the block Gauss-Newton Hessian
          of NetworkObjective, at most cg_maxiter CG steps each, on all examples; small networks).
    maxiter: rounds of re-estimation ("I") or epochs ("B") after the warm start.
    learning_rate: a number or a function epoch -> rate; epochs are counted from 1 over the warm
          start and all later epochs (one schedule for the whole run). Momentum is kept across
          rounds. Mini-batch orders come from default_rng(seed), one permutation per epoch.
    max_work: stop at the first record whose work (passes over the data) reaches it.
    record_jumps (mode "B"): measure each batch's jump and mask change (two extra batch forwards).
    monitor_training: False skips the training loss and error in the rows (None) where they are
          not needed (the rows of I-alternation's rounds keep the loss: it is fun_after); monitoring
          costs wall time, not training time. result.fun is computed at the end in any case.
    callback(x): may return values to record, True or {"stop": True} to stop (status 3).

    Returns an OptimizationResult: x = [p; vec(W)], fun (the PHT objective), status (0: the
    support did not change at a re-estimation, a fixed point (mode "B": in a whole epoch, seen
    only with record_jumps); 1: maxiter or max_work reached; 3: callback; 4: non-finite loss),
    nit (rounds), nfev (weight updates), time (training only), history (one row at the start,
    one per warm epoch, one per round: round (0 for the start and the warm start), epoch, steps,
    work, time, fun, train_error, val_error, and for rounds fun_before, fun_after,
    jump = fun_after - fun_before, mask_change, mask_change_layers); also objective (the PHT
    NetworkObjective), p, W, masks (the stored masks, mode "I").
    """
    if mode not in ALTERNATION_MODES:
        raise ValueError(f"mode must be one of {ALTERNATION_MODES} (I-alternation: per-example masks "
                         f"stored; B-alternation: masks per mini-batch), got {mode!r}")
    if solver not in ("sgd", "gauss_newton"):
        raise ValueError(f"solver must be 'sgd' or 'gauss_newton', got {solver!r}")
    if solver == "gauss_newton" and mode != "I":
        raise ValueError("solver='gauss_newton' solves with all masks fixed: it needs mode='I'")
    warm_epochs = _check_positive_int(warm_epochs, "warm_epochs", 0)
    maxiter = _check_positive_int(maxiter, "maxiter", 0)
    inner_epochs = _check_positive_int(inner_epochs, "inner_epochs")
    inner_steps = _check_positive_int(inner_steps, "inner_steps")
    newton_maxiter = _check_positive_int(newton_maxiter, "newton_maxiter")
    if not (_is_real(momentum) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if max_work is not None and not (_is_real(max_work) and max_work > 0):
        raise ValueError(f"max_work must be a number of passes > 0, got {max_work!r}")
    positions = thresholding_layers(network)   # refuses networks without a defined support
    if not positions:
        raise ValueError(f"{network!r} has no PHT/ReLU layer: there is no support to alternate with")
    rate = learning_rate if callable(learning_rate) else (lambda epoch: learning_rate)
    if not callable(learning_rate) and not (_is_real(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a number > 0 or a function epoch -> rate, got {learning_rate!r}")

    loss = loss or SoftmaxCrossEntropy()
    objective = NetworkObjective(network, loss, Y, C, alpha_p, alpha_W)
    Y, C = objective.Y, objective.C
    n = Y.shape[1]
    batch_size = _check_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size must be between 1 and the number of examples {n}, got {batch_size}")
    has_val = Y_val is not None and C_val is not None
    if has_val:
        Y_val = as_matrix(Y_val, "Y_val")
        if Y_val.shape[0] != network.n_in:
            raise ValueError(f"Y_val must have {network.n_in} rows like Y, got {Y_val.shape}")
    p0 = network.initial_parameters(seed, scale=init_scale, bias_scale=bias_scale) if p0 is None \
        else network.check_parameters(p0)
    W0 = np.zeros(objective.shape_W) if W0 is None else np.asarray(W0, dtype=float)
    if W0.shape != objective.shape_W:
        raise ValueError(f"W0 must have shape {objective.shape_W} (classes, features + bias), got {W0.shape}")

    val_objective = NetworkObjective(network, loss, Y_val, C_val) if has_val else None
    keeper = _KeepLinearization(network)
    tapped = NetworkObjective(keeper, loss, Y, C, alpha_p, alpha_W)   # PHT objective, support kept
    x = np.concatenate([p0, vec(W0)])
    v = np.zeros_like(x)
    rng = np.random.default_rng(seed)
    clock, history = _Clock(), History()
    state = dict(epoch=0, steps=0, status=None, nit=0, masks=None)

    def fixed_objective(masks, columns=None, scale=1.0):
        if columns is None:
            return FixedSupportObjective(network, masks, loss, Y, C, alpha_p, alpha_W)
        return FixedSupportObjective(network, masks, loss, Y[:, columns], C[:, columns], alpha_p, alpha_W,
                                     work_scale=scale)

    def step(x, v, g):
        v = momentum * v - rate(state["epoch"]) * g
        return x + v, v

    def record(round_, jumps=None):
        """One history row (monitoring: not timed, not counted as work); returns True to stop.
        jumps: (fun_before, fun_after or None for the row's fun, mask change, per layer)."""
        elapsed = clock.training()
        with clock.monitoring():
            fun, error = None, None
            if monitor_training or (jumps is not None and jumps[1] is None):
                fun, error = _loss_and_error(objective, x)
            row = dict(round=round_, epoch=state["epoch"], steps=state["steps"], work=objective.work,
                       time=elapsed, fun=fun, train_error=error)
            finite = fun is None or np.isfinite(fun)
            if has_val:
                val_loss, row["val_error"] = _loss_and_error(val_objective, x)
                finite = finite and np.isfinite(val_loss)
            if round_ > 0:
                before, after, change, per_layer = jumps if jumps is not None else (None, None, None, None)
                after = fun if jumps is not None and after is None else after
                row.update(fun_before=before, fun_after=after, mask_change=change, mask_change_layers=per_layer,
                           jump=None if jumps is None else after - before)
            extra, stop = run_callback(callback, x)
            row.update(extra)
            history.record(**row)
        if not finite:
            state["status"] = 4
        elif stop:
            state["status"] = 3
        elif max_work is not None and objective.work >= max_work:
            state["status"], state["budget"] = 1, True
        return state["status"] is not None

    def b_epoch(steps_per_mask, jumps):
        """One epoch of B-alternation (steps_per_mask = 1: SGD with momentum on the PHT network).
        Returns (loss before, loss after, mask change, per layer), batch averages, if jumps."""
        nonlocal x, v
        state["epoch"] += 1
        order = rng.permutation(n)
        sums = np.zeros(2)
        changed, sizes = np.zeros(len(positions)), np.zeros(len(positions))
        for first in range(0, n, batch_size):
            columns = order[first:first + batch_size]
            batch = tapped.subset(columns)
            g = _gradient(batch, x)                # the PHT gradient = the masked one at the support
            objective.work += batch.work
            masks = keeper.masks()
            x, v = step(x, v, g)
            state["steps"] += 1
            if steps_per_mask > 1:
                fixed = fixed_objective(masks, columns, batch.work_scale)
                for _ in range(steps_per_mask - 1):
                    x, v = step(x, v, _gradient(fixed, x))
                    state["steps"] += 1
                objective.work += fixed.work
            if jumps:
                with clock.monitoring():
                    if steps_per_mask == 1:   # SGD: the masked objective is needed only to measure the jump
                        fixed = fixed_objective(masks, columns, batch.work_scale)
                    with np.errstate(over="ignore", invalid="ignore"):
                        new = forward_with_support(network, x[:network.n_params], Y[:, columns])[1]
                    sums += len(columns) * np.array([_loss_and_error(fixed, x)[0], _loss_and_error(batch, x)[0]])
                    changed += [np.count_nonzero(a != b) for a, b in zip(masks, new)]
                    sizes += [a.size for a in masks]
        if not jumps:
            return None
        before, after = sums / n
        return before, after, changed.sum() / sizes.sum(), list(changed / sizes)

    def i_round():
        """One round of I-alternation: weights with all masks fixed, then all masks re-estimated."""
        nonlocal x, v
        fixed = fixed_objective(state["masks"])
        if solver == "sgd":
            for _ in range(inner_epochs):
                state["epoch"] += 1
                order = rng.permutation(n)
                for first in range(0, n, batch_size):
                    batch = fixed.subset(order[first:first + batch_size])
                    x, v = step(x, v, _gradient(batch, x))
                    objective.work += batch.work
                    state["steps"] += 1
        else:
            inner = newton_cg(fixed, x, maxiter=newton_maxiter, cg_maxiter=cg_maxiter, rtol=0.0, atol=0.0)
            x = inner.x
            objective.work += fixed.work
            state["steps"] += inner.nit
        with clock.monitoring():
            before = _loss_and_error(fixed, x)[0]
        new = _support_in_chunks(network, x[:network.n_params], Y)     # re-estimate: one pass
        objective.work += 1.0
        change, per_layer = _changes(state["masks"], new)
        state["masks"] = new
        return before, None, change, per_layer                         # after: the PHT loss of the row

    def run():
        if record(0):
            return
        for _ in range(warm_epochs):
            b_epoch(1, False)
            if record(0):
                return
        if mode == "I" and maxiter > 0:
            state["masks"] = _support_in_chunks(network, x[:network.n_params], Y)   # the first support
            objective.work += 1.0
        while state["nit"] < maxiter:
            state["nit"] += 1
            jumps = i_round() if mode == "I" else b_epoch(inner_steps, record_jumps)
            if record(state["nit"], jumps):
                return
            if jumps is not None and jumps[2] == 0.0:
                state["status"] = 0
                return

    try:
        run()
    except _Diverged:
        state["status"] = 4
        record(state["nit"])
    nit, masks = state["nit"], state["masks"]
    status = 1 if state["status"] is None else state["status"]
    messages = {0: "converged: the support did not change at re-estimation (a fixed point)",
                1: "work budget (max_work) reached" if state.get("budget") else
                   f"maximum number of alternations reached ({maxiter})",
                3: "stopped by callback", 4: "non-finite objective"}
    name = f"{mode}-alternation" + (" (Gauss-Newton)" if solver == "gauss_newton" else "")
    fun = history["fun"][-1]
    if fun is None:
        with clock.monitoring():
            fun = _loss_and_error(objective, x)[0]
    result = OptimizationResult(x=x, fun=fun, status=status, success=status == 0,
                                message=f"{name}: {messages[status]}", nit=nit, nfev=state["steps"],
                                history=history, time=clock.training())
    result.objective = objective
    result.p, result.W = objective.split(x)
    result.masks = masks
    return result
