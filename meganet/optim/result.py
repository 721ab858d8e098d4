"""Result objects and iteration histories, in the habit of scipy.optimize."""
from __future__ import annotations

import time

import numpy as np
from scipy.optimize import OptimizeResult

__all__ = ["History", "OptimizationResult", "run_callback", "iteration_row", "iterations"]


class History(dict):
    """Per-iteration records: a dict of equally long lists, e.g. history["fun"][k].

    `record(fun=..., grad_norm=...)` appends one row; `as_arrays()` gives numpy arrays.
    """

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.values()))) if self else 0

    def record(self, **values) -> None:
        n = self.n_rows
        for key, value in values.items():
            # a key seen for the first time is padded so that rows stay aligned
            self.setdefault(key, [None] * n).append(value)
        for key in self.keys() - values.keys():
            self[key].append(None)

    def as_arrays(self) -> dict:
        return {k: np.array([np.nan if v is None else v for v in vals], dtype=float)
                if all(v is None or np.isscalar(v) for v in vals) else vals
                for k, vals in self.items()}


class OptimizationResult(OptimizeResult):
    """scipy's OptimizeResult with a `history` and meganet's status codes.

    Attributes: x, fun, jac, status, success, message, nit, nfev, history, time.
    status: 0 converged, 1 iteration limit, 2 line search failed, 3 stopped by callback,
            4 non-finite values, 5 singular system (direct least squares), 6 an inner solve
            did not converge (VarPro's W(p)), 7 a hidden layer is dead (ADMM: every ReLU
            unit is zero on every training example), 8 converged: the relative reduction
            of the objective fell below ftol (trust-region Newton-CG), 9 the trust-region
            radius collapsed below its tolerance.
    """

    MESSAGES = {
        0: "converged: gradient norm below tolerance",
        1: "maximum number of iterations reached",
        2: "line search failed to decrease the objective",
        3: "stopped by callback",
        4: "non-finite objective or gradient",
        6: "an inner solve did not converge (the gradient used was inexact)",
        7: "a hidden layer is dead: every ReLU unit is zero on every training example",
        8: "converged: relative reduction of the objective below ftol",
        9: "trust-region radius below its tolerance",
    }


def run_callback(callback, x) -> tuple[dict, bool]:
    """Call a user's callback(x): returns (values to record in the history, stop?).

    The callback may return None, True (stop), or a dict of values to record; a dict with
    "stop": True records its other values and stops.
    """
    out = None if callback is None else callback(x)
    if out is True:
        return {}, True
    if isinstance(out, dict):
        out = dict(out)
        return out, bool(out.pop("stop", False))
    return {}, False


def iteration_row(objective, start: float, **values) -> dict:
    """A history row of an iterative method: the values, `time` (wall seconds since `start`, a
    time.perf_counter() reading) and, if the objective counts them, `work` (passes over the data,
    for fair comparisons)."""
    row = dict(values, time=time.perf_counter() - start)
    if hasattr(objective, "work"):
        row["work"] = objective.work
    return row


def iterations(maxiter: int, progress: bool, name: str):
    """range(maxiter + 1), shown as a tqdm bar when progress is True (long runs; off in tests)."""
    steps = range(int(maxiter) + 1)
    if progress:
        from tqdm.auto import tqdm
        return tqdm(steps, desc=name)
    return steps
