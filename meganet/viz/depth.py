"""Small tools for studying depth (lecture 09): dense Jacobians through a network and robust
timings (finite-difference Jacobians are in meganet.checks).

    state_jacobians              the dense per-layer (per-step) Jacobians J_Y^(k) of a network
    singular_values_through_depth  singular values of P_k = J_Y^(k) ... J_Y^(1), k = 1..L
    plot_singular_values_through_depth  those singular values against k, with a round-off floor
    median_cpu_times             interleaved, repeated CPU timings; medians per function

All of them build dense matrices or repeat calls: they are for small sizes and lectures, not
for training.
"""
from __future__ import annotations

import time

import numpy as np

from ..linalg import to_dense, vec
from ..networks import Chain, ResNet

__all__ = ["state_jacobians", "singular_values_through_depth",
           "plot_singular_values_through_depth", "median_cpu_times"]


def state_jacobians(network, lin) -> list:
    """Dense Jacobians of each layer (or time step) with respect to its input state.

    network: a Chain (J^(k) = J_Y of element k, a layer or a whole sub-network), or a ResNet
    (J^(j) = I + h J_Y of the layer at step j). lin: network.linearize(p, Y)[1] at Y (n_0, n).
    Returns the list [J^(1), ..., J^(L)], J^(k) of shape (n_k n, n_{k-1} n) acting on vec(Y_{k-1}),
    so J_Y of the network is J^(L) ... J^(1). J^(k) is block diagonal (one block per example).
    """
    if isinstance(network, ResNet):
        return [np.eye(step.n_in * step.n) + network.h * to_dense(step.J_Y) for step in lin.lins]
    if isinstance(network, Chain):
        return [to_dense(step.J_Y) for step in lin.lins]
    raise TypeError(f"state_jacobians takes a Chain of layers or a ResNet, got {network!r}")


def singular_values_through_depth(jacobians) -> np.ndarray:
    """Singular values of the partial products P_k = J^(k) ... J^(1), k = 1, ..., L.

    jacobians: list of L dense matrices (n_k x n_{k-1}) as from `state_jacobians`.
    Returns S of shape (L, min(n_L, ..., n_0)) (equal widths: (L, n_0)); row k-1 holds the
    singular values of P_k in decreasing order. Values below about eps * prod_k ||J^(k)|| are
    round-off of the product, not exact.
    """
    P = np.eye(jacobians[0].shape[1])
    rows = []
    for J in jacobians:
        P = J @ P
        rows.append(np.linalg.svd(P, compute_uv=False))
    width = min(r.size for r in rows)
    return np.array([r[:width] for r in rows])


def plot_singular_values_through_depth(S, floor=None, ax=None, title=None):
    """Plot the singular values S (L, m) of P_k = J^(k) ... J^(1) against the layer k = 1..L.

    Every singular value is a thin line, sigma_max a thick one; `floor` (L,), e.g.
    eps * prod_{j <= k} ||J^(j)||, is drawn dashed: computed values below it are round-off.
    Log scale in the singular values. Returns the axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.8))
    k = np.arange(1, S.shape[0] + 1)
    ax.semilogy(k, S, color="C0", lw=0.6, alpha=0.6)
    ax.semilogy(k, S[:, 0], color="C3", lw=2, label=r"$\sigma_{\max}$")
    if floor is not None:
        ax.semilogy(k, floor, "k--", lw=1, label=r"round-off: $\varepsilon \prod_{j \leq k} \|J^{(j)}\|$")
    ax.set_xlabel("layer $k$")
    ax.set_ylabel(r"singular values of $J^{(k)} \cdots J^{(1)}$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    ax.minorticks_off()  # (many decades: minor ticks add clutter and slow drawing)
    return ax


def median_cpu_times(functions: dict, repeats: int = 15, batch_seconds: float = 2e-3) -> dict:
    """Median CPU seconds per call of each function, timed in turns.

    functions: {name: callable()}. Each function is called in batches of about batch_seconds
    (at least one call); the batches of all functions alternate, `repeats` times, so a change
    in the machine's load affects all of them alike. CPU time (time.process_time) leaves out
    the time the process waits for a core, which makes the medians robust on a shared
    machine. Returns {name: median seconds per call}; with OMP_NUM_THREADS=1 this is also
    the wall time of an undisturbed call.
    """
    calls = {}
    for name, f in functions.items():
        start = time.process_time()
        f()
        calls[name] = max(1, int(batch_seconds / max(time.process_time() - start, 1e-6)))
    samples = {name: [] for name in functions}
    for _ in range(repeats):
        for name, f in functions.items():
            start = time.process_time()
            for _ in range(calls[name]):
                f()
            samples[name].append((time.process_time() - start) / calls[name])
    return {name: float(np.median(t)) for name, t in samples.items()}
