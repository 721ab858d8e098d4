"""What a step costs beside its arithmetic: meganet's gradient against plain numpy doing the same.

The single-layer Peaks network (width 40, tanh, 5 classes, softmax cross-entropy, 1,000 examples,
x = [vec(K); b; vec(W)]). For each product the script first checks that plain numpy computes the
same numbers (to 1e-12), then times both, best of several repeats, one BLAS thread:
  - a mini-batch gradient (32 examples) as SGD takes it: `objective.subset(cols).gradient(x)`,
    and the path SGD took before (a re-checked `NetworkObjective` per batch and `derivatives`,
    which also builds the Gauss-Newton operators);
  - a full-batch value and gradient: `objective.gradient(x)` and `objective.derivatives(x)`.
Printed: microseconds per call and the ratio to plain numpy (issue 12's targets: within 1.5x for
the mini-batch gradient, 1.3x for the full batch). Not yet here: the Gauss-Newton product and the
ResNet.

Run:  .venv/bin/python benchmarks/overhead.py
"""
from __future__ import annotations

import timeit

import numpy as np
from threadpoolctl import threadpool_limits

from meganet.data import peaks_data
from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.losses import SoftmaxCrossEntropy
from meganet.objectives import NetworkObjective

WIDTH, BATCH = 40, 32


def numpy_gradient(x, Y, C, alpha_p, alpha_W, width=WIDTH):
    """J and its gradient for S = W [tanh(K Y + b 1^T); 1^T], by hand in numpy."""
    d, n = Y.shape
    k = C.shape[0]
    n_p = width * d + width
    K, b = x[:width * d].reshape(d, width).T, x[width * d:n_p]
    W = x[n_p:].reshape(width + 1, k).T
    A = K @ Y + b[:, None]
    Z = np.tanh(A)
    S = W[:, :-1] @ Z + W[:, -1:]
    S = S - S.max(axis=0)
    P = np.exp(S)
    P /= P.sum(axis=0)
    J = -np.sum(C * np.log(P)) / n
    dS = (P - C) / n
    dA = (W[:, :-1].T @ dS) * (1 - Z * Z)
    p = x[:n_p]
    J += 0.5 * alpha_p * p @ p + 0.5 * alpha_W * np.sum(W * W)
    gK, gb = dA @ Y.T, dA.sum(axis=1)
    gW = np.hstack([dS @ Z.T, dS.sum(axis=1, keepdims=True)]) + alpha_W * W
    return J, np.concatenate([gK.T.ravel(), gb, gW.T.ravel()]) + np.concatenate(
        [alpha_p * p, np.zeros(W.size)])


def best_of(fn, number, repeat=7):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    Y, C = peaks_data(1000, 5, seed=0)
    objective = NetworkObjective(SingleLayer(dense_kernel(WIDTH, 2), "tanh"), SoftmaxCrossEntropy(), Y, C,
                                 alpha_p=1e-3, alpha_W=1e-6)
    x = np.random.default_rng(0).standard_normal(objective.n) * 0.5
    cols = np.random.default_rng(1).permutation(1000)[:BATCH]
    for ours, columns in ((objective.gradient(x), slice(None)), (objective.subset(cols).gradient(x), cols)):
        ref = numpy_gradient(x, Y[:, columns], C[:, columns], 1e-3, 1e-6)
        assert abs(ours[0] - ref[0]) <= 1e-12 * abs(ref[0]) and np.allclose(ours[1], ref[1], rtol=0, atol=1e-12), \
            "plain numpy does not compute the same gradient"

    def old_batch():  # SGD's step before: a checked objective per batch, then derivatives
        NetworkObjective(objective.network, objective.loss, Y[:, cols], C[:, cols], 1e-3, 1e-6).derivatives(x)

    rows = [
        ("mini-batch gradient (32)", lambda: objective.subset(cols).gradient(x), old_batch,
         lambda: numpy_gradient(x, Y[:, cols], C[:, cols], 1e-3, 1e-6), 2000),
        ("full-batch value and gradient (1000)", lambda: objective.gradient(x), lambda: objective.derivatives(x),
         lambda: numpy_gradient(x, Y, C, 1e-3, 1e-6), 300),
    ]
    print("single layer, Peaks: width 40, tanh, 5 classes; one BLAS thread; microseconds per call, best of 7")
    head = f"{'product':<38} {'numpy us':>9} {'ours us':>9} {'ours/numpy':>10} {'before us':>10} {'before/numpy':>12}"
    print(head + "\n" + "-" * len(head))
    with threadpool_limits(1):
        for name, ours, before, numpy_fn, number in rows:
            t_np, t_ours, t_before = (best_of(f, number) for f in (numpy_fn, ours, before))
            print(f"{name:<38} {t_np:9.1f} {t_ours:9.1f} {t_ours / t_np:10.2f} {t_before:10.1f} {t_before / t_np:12.2f}")
    print("\nbefore: the path SGD took until now (a checked objective per mini-batch, derivatives with the "
          "Hessian operators);\nfull batch 'before' is derivatives(x), which Newton-CG needs and SGD's "
          "monitoring used.")


if __name__ == "__main__":
    main()
