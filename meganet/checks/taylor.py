"""The Taylor test: a derivative is right when the linearisation error decays at order 2.

For f and a direction v,

    E0(h) = || f(x + h v) - f(x) ||            = O(h)
    E1(h) = || f(x + h v) - f(x) - h J(x) v || = O(h^2)

Halving h should halve E0 and quarter E1, i.e. observed orders log2(E(h) / E(h/2)) of 1 and 2.
A wrong derivative leaves E1 decaying at order 1 (or not at all).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.linalg import LinearOperator

__all__ = ["check_derivative", "DerivativeCheck", "directional_derivative"]


def directional_derivative(df, v: np.ndarray, f0) -> np.ndarray:
    """J v from whatever a function returned as its derivative.

    df may be: a gradient of a scalar f (same size as x; J v = <df, v>), a Jacobian matrix
    (f.size x x.size), a LinearOperator, or a callable v -> J v.
    """
    if isinstance(df, LinearOperator):
        return df.matvec(v)
    if callable(df):
        return np.asarray(df(v))
    df = np.asarray(df)
    if np.ndim(f0) == 0 or np.size(f0) == 1:
        if df.size != v.size:
            raise ValueError(f"the gradient of a scalar function must have {v.size} entries "
                             f"(one per unknown), got shape {df.shape}")
        return np.vdot(df.reshape(-1, order="F"), v)  # v is vec(V): columns first
    if df.ndim != 2 or df.shape != (np.size(f0), v.size):
        raise ValueError(f"the Jacobian must have shape ({np.size(f0)}, {v.size}) "
                         f"(f.size, x.size), got {df.shape}")
    return df @ v


@dataclass
class DerivativeCheck:
    """Result of a Taylor test: the table, the observed orders and the verdict."""

    h: np.ndarray
    E0: np.ndarray
    E1: np.ndarray
    order0: np.ndarray
    order1: np.ndarray
    passed: bool
    message: str
    floor: float = field(repr=False, default=0.0)

    def __bool__(self) -> bool:
        return bool(self.passed)

    def table(self) -> str:
        """The table of h, E0, E1 and observed orders, one row per step size."""
        rows = [f"{'h':>10} {'E0':>12} {'E1':>12} {'order E0':>9} {'order E1':>9}"]
        for k, (h, e0, e1) in enumerate(zip(self.h, self.E0, self.E1)):
            o0 = f"{self.order0[k - 1]:9.2f}" if k else " " * 9
            o1 = f"{self.order1[k - 1]:9.2f}" if k else " " * 9
            rows.append(f"{h:10.3e} {e0:12.4e} {e1:12.4e} {o0} {o1}")
        rows.append(("PASSED: " if self.passed else "FAILED: ") + self.message)
        return "\n".join(rows)

    def __str__(self) -> str:
        return self.table()

    def plot(self, ax=None, title: str | None = None):
        """E0 and E1 against h on log-log axes, with reference slopes 1 and 2."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.loglog(self.h, self.E0, "o-", label="$E_0(h)$ (zeroth order)")
        ax.loglog(self.h, np.maximum(self.E1, 1e-300), "s-", label="$E_1(h)$ (first order)")
        ref = self.E0[0] if self.E0[0] > 0 else 1.0
        ax.loglog(self.h, ref * (self.h / self.h[0]), "k:", label="slope 1")
        ax.loglog(self.h, ref * (self.h / self.h[0]) ** 2, "k--", label="slope 2")
        ax.set_xlabel("step size $h$")
        ax.set_ylabel("error")
        verdict = "passed" if self.passed else "FAILED"
        ax.set_title(title or f"Taylor test {verdict}")
        ax.legend(fontsize=8)
        return ax


def check_derivative(fun, x, v=None, *, n_steps: int = 14, h0: float = 1.0, seed: int = 0,
                     min_order: float = 1.8) -> DerivativeCheck:
    """Taylor test of `fun` at `x` along `v` (random unit direction by default).

    Parameters
    ----------
    fun : callable x -> (f, df)
        f is a scalar or an array; df its derivative at x in any form accepted by
        `directional_derivative` (gradient, Jacobian matrix, LinearOperator, callable v -> Jv).
    x : array of unknowns (any shape); a matrix x is flattened by vec (columns first) for the
        product J v, as the element interface's J_theta and J_Y expect.
    n_steps : number of step sizes h = h0, h0/2, ..., h0 / 2**(n_steps-1).
    min_order : the smallest median observed order of E1 accepted as "order 2".

    The verdict ignores steps where E1 has reached round-off (below a floor set by the size of
    f). It passes when E1 is at round-off for every h (f is linear along v), or when at least
    three orders are resolved, their median is >= `min_order` and the last one is > 1.5 (so a
    small error in J, which shows only at small h, is still caught).
    """
    x = np.asarray(x, dtype=float)
    rng = np.random.default_rng(seed)
    if v is None:
        v = rng.standard_normal(x.shape)
        v /= np.linalg.norm(v)
    v = np.asarray(v, dtype=float)
    v = v if v.shape == x.shape else v.reshape(x.shape, order="F")
    f0, df = fun(x)
    f0 = np.asarray(f0, dtype=float)
    # J v comes as vec(f)'s derivative when f is a matrix: refill columns first, like vec
    Jv = np.asarray(directional_derivative(df, v.reshape(-1, order="F"), f0), dtype=float).reshape(f0.shape, order="F")

    h = h0 * 0.5 ** np.arange(n_steps)
    E0 = np.empty(n_steps)
    E1 = np.empty(n_steps)
    for k, hk in enumerate(h):
        fk = np.asarray(fun(x + hk * v)[0], dtype=float)
        E0[k] = np.linalg.norm(fk - f0)
        E1[k] = np.linalg.norm(fk - f0 - hk * Jv)
    with np.errstate(divide="ignore", invalid="ignore"):
        order0 = np.log2(E0[:-1] / E0[1:])
        order1 = np.log2(E1[:-1] / E1[1:])

    scale = max(np.linalg.norm(f0), float(np.max(E0)), 1e-300)
    floor = 1e3 * np.finfo(float).eps * scale
    resolved = (E1[:-1] > floor) & (E1[1:] > floor)
    orders = order1[resolved]
    if not np.any(E1 > floor):
        passed, message = True, "E1 is at round-off for every h (f is linear along v)"
    elif orders.size < 3:
        passed = False
        message = (f"only {orders.size} orders resolved above round-off; choose a larger h0 or "
                   "more steps")
    else:
        median, last = float(np.median(orders)), float(orders[-1])
        passed = median >= min_order and last > 1.5
        message = (f"E1 decays at order {median:.2f} (median; last {last:.2f}); "
                   + ("derivative consistent" if passed else "expected order 2: the derivative is wrong"))
    return DerivativeCheck(h, E0, E1, order0, order1, bool(passed), message, floor)
