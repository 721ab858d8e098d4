"""ResNets as ODEs: helpers for lecture 10 (stability region, ODE references, trajectories).

A ResNet with N steps over [0, T] (h = T/N) is forward Euler for dY/dt = f(theta(t), Y):
    Y_{j+1} = Y_j + h f(theta_j, Y_j),      theta_j = theta(t_j),  t_j = j h.
Forward Euler on the test equation y' = lambda y gives y_{j+1} = (1 + h lambda) y_j, which does
not grow iff z = h lambda lies in the stability region |1 + z| <= 1 (the disc of radius 1 about
-1 in the complex plane).

Shapes follow meganet: examples are columns, Y is (n_features, n_examples); `lin.states` of a
network's linearisation is the list Y_0, ..., Y_N (pairs (Y_j, Z_j) for a HamiltonianNet).
matplotlib is imported only when something is drawn.
"""
from __future__ import annotations

import numpy as np

from ..linalg import mat, vec
from ..networks import HamiltonianNet, ResNet

__all__ = ["plot_euler_stability_region", "solve_ode", "observed_orders", "plot_trajectories",
           "kernel_family",
           "example_jacobians"]


def plot_euler_stability_region(ax=None, extent: float = 2.5, color: str = "0.85"):
    """Shade forward Euler's stability region {z : |1 + z| <= 1} on axes of z = h lambda.

    Draws the disc, its boundary circle and the coordinate axes, sets an equal aspect ratio and
    the labels Re(h lambda), Im(h lambda); `extent` is the half-width of the window around
    z = -1 + 0i (the window is [-1 - extent, -1 + extent] x [-extent, extent]).
    Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.add_patch(Circle((-1.0, 0.0), 1.0, facecolor=color, edgecolor="k", lw=1,
                        label=r"$|1 + h\lambda| \leq 1$", zorder=0))
    ax.axhline(0, color="k", lw=0.5, zorder=0)
    ax.axvline(0, color="k", lw=0.5, zorder=0)
    ax.set_xlim(-1 - extent, -1 + extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel(r"Re$(h\lambda)$")
    ax.set_ylabel(r"Im$(h\lambda)$")
    return ax


def solve_ode(f, Y0, T: float, rtol: float = 1e-11, atol: float = 1e-12) -> np.ndarray:
    """Y(T) of the matrix ODE dY/dt = f(t, Y), Y(0) = Y0, by scipy.integrate.solve_ivp (DOP853).

    f(t, Y) -> array of Y's shape; Y0: (n_features, n_examples). The ODE is integrated on vec(Y)
    (column stacking) with the given tolerances, so the result is a reference for forward Euler.
    Raises RuntimeError if solve_ivp fails.
    """
    from scipy.integrate import solve_ivp

    Y0 = np.asarray(Y0, dtype=float)
    sol = solve_ivp(lambda t, y: vec(f(t, mat(y, Y0.shape))), (0.0, float(T)), vec(Y0),
                    method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return mat(sol.y[:, -1], Y0.shape)


def observed_orders(n_steps, errors) -> np.ndarray:
    """Observed orders of convergence log(e_k / e_{k+1}) / log(N_{k+1} / N_k) between neighbours.

    An error e = C h^q = C (T/N)^q gives q for every pair. Returns an array of len(errors) - 1.
    """
    n_steps, errors = np.asarray(n_steps, dtype=float), np.asarray(errors, dtype=float)
    return np.log(errors[:-1] / errors[1:]) / np.log(n_steps[1:] / n_steps[:-1])


def plot_trajectories(states, C=None, ax=None, n_show: int | None = None, dims=(0, 1),
                      seed: int = 0, lw: float = 0.6, alpha: float = 0.5):
    """Draw the paths of examples through the layers in the plane of two features.

    states: the list Y_0, ..., Y_N (each (n_features, n_examples)), e.g. lin.states of a ResNet;
    pairs (Y_j, Z_j) are reduced to Y_j. C: one-hot labels (n_classes, n_examples) to colour the
    paths by class (tab10 colours, as plot_decision_regions). n_show: draw a random (seeded) subset
    of that many examples. dims: the two feature indices plotted. The start Y_0 is a small dot,
    the end Y_N a larger one. Returns the axes.
    """
    import matplotlib.pyplot as plt

    S = np.stack([s[0] if isinstance(s, tuple) else s for s in states])   # (N + 1, n_f, n)
    n = S.shape[2]
    keep = np.arange(n) if n_show is None or n_show >= n else \
        np.sort(np.random.default_rng(seed).choice(n, n_show, replace=False))
    labels = np.zeros(n, dtype=int) if C is None else np.argmax(C, axis=0)
    colors = plt.get_cmap("tab10").colors
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    a, b = dims
    for i in keep:
        c = colors[labels[i] % len(colors)]
        ax.plot(S[:, a, i], S[:, b, i], "-", color=c, lw=lw, alpha=alpha)
    ax.scatter(S[0, a, keep], S[0, b, keep], s=3, c=[colors[k % 10] for k in labels[keep]], zorder=3)
    ax.scatter(S[-1, a, keep], S[-1, b, keep], s=14, c=[colors[k % 10] for k in labels[keep]],
               edgecolors="k", linewidths=0.3, zorder=4)
    ax.set_xlabel(f"feature {a + 1}")
    ax.set_ylabel(f"feature {b + 1}")
    return ax


def kernel_family(K, b, n_steps: int, T: float, sigma="tanh", gamma: float = 0.5) -> dict:
    """Four time-stepping networks built from ONE square matrix K (n x n) and bias b (n,).

    Every step uses the same parameters (an autonomous ODE, h = T / n_steps):
        "dense":          ResNet,  dY/dt = sigma(K Y + b)
        "antisymmetric":  ResNet,  dY/dt = sigma((L - L^T) Y + b),           L = tril(K, -1)
        "shifted":        ResNet,  dY/dt = sigma((L - L^T - gamma I) Y + b)
        "Hamiltonian":    HamiltonianNet, dY/dt = sigma(K Z + b), dZ/dt = -sigma(K^T Y + b), Z(0) = 0
    Returns {name: (network, p)} with p the step parameters repeated n_steps times.
    """
    from ..kernels import antisymmetric_kernel, dense_kernel, lower_triangle
    from ..layers import SingleLayer

    K, b = np.asarray(K, dtype=float), np.asarray(b, dtype=float)
    n = K.shape[0]
    if K.shape != (n, n) or b.shape != (n,):
        raise ValueError(f"K must be square (n, n) and b (n,), got {K.shape} and {b.shape}")
    theta_a = K[lower_triangle(n)]          # the lower triangle L that antisymmetric_kernel fills
    dense = SingleLayer(dense_kernel(n, n), sigma)
    return {
        "dense": (ResNet(dense, n_steps, T), np.tile(np.concatenate([vec(K), b]), n_steps)),
        "antisymmetric": (ResNet(SingleLayer(antisymmetric_kernel(n), sigma), n_steps, T),
                          np.tile(np.concatenate([theta_a, b]), n_steps)),
        "shifted": (ResNet(SingleLayer(antisymmetric_kernel(n, gamma), sigma), n_steps, T),
                    np.tile(np.concatenate([theta_a, b]), n_steps)),
        "Hamiltonian": (HamiltonianNet(dense, SingleLayer(dense_kernel(n, n), sigma), n_steps, T),
                        np.tile(np.concatenate([vec(K), b, vec(K.T), b]), n_steps)),
    }


def example_jacobians(lin) -> np.ndarray:
    """The Jacobians dY_out(i) / dY_in(i) of every example i, shape (n_examples, n_out, n_in).

    Examples do not interact, so J_Y of a network is block diagonal with one n_out x n_in block
    per example. Column k of every block is lin.JY(E_k) with E_k = e_k 1^T (unit vector e_k in
    every example), so n_in products give all blocks (instead of n_in x n_examples for to_dense).
    """
    E = np.zeros((lin.n_in, lin.n))
    cols = []
    for k in range(lin.n_in):
        E[:] = 0.0
        E[k] = 1.0
        cols.append(lin.JY(E))                      # (n_out, n): column k of each block
    return np.stack(cols, axis=-1).transpose(1, 0, 2)
