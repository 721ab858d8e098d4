"""What a step costs beside its arithmetic: meganet's products against plain numpy doing the same.

Two networks, each with a softmax classifier W [Z; 1] (5 classes, softmax cross-entropy, 1,000
Peaks examples, x = [p; vec(W)], alpha_p = 1e-3, alpha_W = 1e-6):
  - the single layer: Z = tanh(K Y + b), width 40, p = [vec(K); b];
  - the Peaks ResNet (meganet.networks.peaks_resnet(), as benchmarks/peaks_resnet.py builds it):
    an opening layer sin(K_0 Y + b_0) to width 8, then 16 steps Y + h sin(K_j Y + b_j), T = 4.
For each product the script first checks that plain numpy computes the same numbers (to 1e-12
relative), then times both, best of 11 rounds in which they take turns, one
BLAS thread, CPU time of the process (so other jobs on a shared machine do not count):
  - a mini-batch gradient (32 examples) as SGD takes it: `objective.subset(cols).gradient(x)`;
  - a full-batch value and gradient: `objective.gradient(x)`;
  - a Gauss-Newton product at a fixed point, as CG calls it: H_pp v with H_pp from
    `objective.linearize(p, W)` (VarPro's), and H v with H from `objective.derivatives(x)`
    (Newton-CG's: the block-diagonal [H_pp, H_WW]). The linearisation is made once, outside the
    timing, for both (plain numpy keeps its forward pass's states, sigma'(A) and softmax P).
Printed: microseconds per call and the ratio to plain numpy (issue 12's targets: within 1.5x for
the mini-batch gradient, 1.3x for the full batch and for a Gauss-Newton product). The 'before'
columns time the path the optimizers took until issue 12: for the mini-batch a checked
objective per batch and `derivatives` (which also builds the Gauss-Newton operators); for the
full batch `derivatives(x)`; none for the products.

Memory: a full-batch product makes temporaries of 40 x 1000 doubles (320 KB). glibc's allocator
hands such blocks back to the system (mmap/munmap, heap trimming) by thresholds that move with
the allocation history, so how many page faults a call pays depends on the order in which its
temporaries are made and freed, not on the arithmetic. Measured here with the default
thresholds (2026-12-01): the single layer's full-batch gradient paid about 330 page faults per
call (the code before issue 12: about 440), plain numpy's none, and the page faults cost more
CPU time (sys) than the arithmetic (user): 0.9 ms against 0.26 ms. The script therefore keeps
freed memory in the heap for both sides (mallopt M_MMAP_THRESHOLD 64 MB, M_TRIM_THRESHOLD
256 MB), so the table compares the arithmetic and the Python work around it; --default-malloc
measures with the allocator's defaults (the same variables, MALLOC_MMAP_THRESHOLD_ and
MALLOC_TRIM_THRESHOLD_, can be set for a training run).

Run:  .venv/bin/python benchmarks/overhead.py [--default-malloc]
"""
from __future__ import annotations

import argparse
import ctypes
import time
import timeit

import numpy as np
from threadpoolctl import threadpool_limits

from meganet.data import peaks_data
from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.losses import SoftmaxCrossEntropy
from meganet.networks import peaks_resnet
from meganet.objectives import NetworkObjective

WIDTH, BATCH, ALPHA_P, ALPHA_W, REPEAT = 40, 32, 1e-3, 1e-6, 11
RESNET = dict(width=8, n_steps=16, T=4.0)  # peaks_resnet()'s defaults, the slides' experiment


# --- plain numpy: the softmax cross-entropy ------------------------------------------------------
def _softmax_loss(S, C):
    """E, dE/dS, and (P, top) for the Hessian product."""
    n = S.shape[1]
    top = np.argmax(S, axis=0)
    S = S - S[top, np.arange(n)]
    P = np.exp(S)
    P /= P.sum(axis=0)
    E = -np.sum(C * np.log(P)) / n
    return E, (P - C) / n, (P, top)


def _softmax_hess(P, top, dS):
    """d2E/dS2 [dS] = P * (r - P^T r) / n with r = dS - dS[top] (the Hessian ignores shifts)."""
    n = dS.shape[1]
    r = dS - dS[top, np.arange(n)]
    return P * (r - np.sum(P * r, axis=0)) / n


def _classifier(x, n_p, n_f, k):
    return x[:n_p], x[n_p:].reshape(n_f + 1, k).T  # p, W (k, n_f + 1)


# --- plain numpy: the single layer -------------------------------------------------------------
def single_state(x, Y, C, width=WIDTH):
    """The forward pass of S = W [tanh(K Y + b 1^T); 1^T] and what its derivatives need."""
    d = Y.shape[0]
    n_p = width * d + width
    p, W = _classifier(x, n_p, width, C.shape[0])
    K, b = p[:width * d].reshape(d, width).T, p[width * d:]
    Z = np.tanh(K @ Y + b[:, None])
    S = W[:, :-1] @ Z + W[:, -1:]
    E, dS, (P, top) = _softmax_loss(S, C)
    return dict(Y=Y, p=p, W=W, Z=Z, dsigma=1 - Z * Z, E=E, dS=dS, P=P, top=top)


def single_gradient(x, Y, C):
    """J and its gradient, by hand."""
    s = single_state(x, Y, C)
    p, W, Z, dS = s["p"], s["W"], s["Z"], s["dS"]
    J = s["E"] + 0.5 * ALPHA_P * p @ p + 0.5 * ALPHA_W * np.sum(W * W)
    dA = (W[:, :-1].T @ dS) * s["dsigma"]
    gW = np.hstack([dS @ Z.T, dS.sum(axis=1, keepdims=True)]) + ALPHA_W * W
    return J, np.concatenate([(dA @ Y.T).T.ravel() + ALPHA_P * p[:dA.shape[0] * Y.shape[0]],
                              dA.sum(axis=1) + ALPHA_P * p[dA.shape[0] * Y.shape[0]:], gW.T.ravel()])


def _classifier_hv(s, vW):
    """H_WW v_W = vec(H_S[V_W Z1] Z1^T + alpha_W V_W), Z1 = [Z; 1], for either network."""
    VW = vW.reshape(s["Z"].shape[0] + 1, -1).T
    HS = _softmax_hess(s["P"], s["top"], VW[:, :-1] @ s["Z"] + VW[:, -1:])
    return (np.hstack([HS @ s["Z"].T, HS.sum(axis=1, keepdims=True)]) + ALPHA_W * VW).T.ravel()


def single_hv(s, v, full=True):
    """H_pp v_p (and H_WW v_W): J_p^T W_0^T H_S[W_0 J_p v_p] + alpha_p v_p, H_S[V_W Z1] Z1^T."""
    Y, W, P, top, dsigma = s["Y"], s["W"], s["P"], s["top"], s["dsigma"]
    width, d = dsigma.shape[0], Y.shape[0]
    n_p = width * d + width
    vp = v[:n_p]
    dZ = dsigma * (vp[:width * d].reshape(d, width).T @ Y + vp[width * d:, None])
    G = dsigma * (W[:, :-1].T @ _softmax_hess(P, top, W[:, :-1] @ dZ))
    out = np.concatenate([(G @ Y.T).T.ravel(), G.sum(axis=1)]) + ALPHA_P * vp
    if not full:
        return out
    return np.concatenate([out, _classifier_hv(s, v[n_p:])])


# --- plain numpy: the Peaks ResNet ---------------------------------------------------------------
def _resnet_params(p, d, width, N):
    K0, b0 = p[:width * d].reshape(d, width).T, p[width * d:width * d + width]
    Theta = p[width * d + width:].reshape(N, width * width + width)  # row j: [vec(K_j); b_j]
    return K0, b0, Theta[:, :width * width].reshape(N, width, width).transpose(0, 2, 1), Theta[:, width * width:]


def resnet_state(x, Y, C, width=RESNET["width"], N=RESNET["n_steps"], T=RESNET["T"]):
    """Y_0 = sin(K_0 Y + b_0), Y_{j+1} = Y_j + h sin(K_j Y_j + b_j), S = W [Y_N; 1]."""
    d, h = Y.shape[0], T / N
    n_p = width * d + width + N * (width * width + width)
    p, W = _classifier(x, n_p, width, C.shape[0])
    K0, b0, K, b = _resnet_params(p, d, width, N)
    A = K0 @ Y + b0[:, None]
    states, dsigmas = [np.sin(A)], [np.cos(A)]
    for j in range(N):
        A = K[j] @ states[-1] + b[j][:, None]
        dsigmas.append(np.cos(A))
        states.append(states[-1] + h * np.sin(A))
    S = W[:, :-1] @ states[-1] + W[:, -1:]
    E, dS, (P, top) = _softmax_loss(S, C)
    return dict(Y=Y, p=p, W=W, K0=K0, K=K, states=states, dsigmas=dsigmas, E=E, dS=dS, P=P, top=top,
                h=h, N=N, width=width, Z=states[-1])


def _resnet_backward(s, WN):
    """J_p^T vec(WN): back-propagation through the steps and the opening layer."""
    Y, K, h, N, width = s["Y"], s["K"], s["h"], s["N"], s["width"]
    g = np.empty(s["p"].size)
    n0 = width * Y.shape[0] + width
    G = g[n0:].reshape(N, width * width + width)
    Wj = WN
    for j in range(N - 1, -1, -1):
        D = s["dsigmas"][j + 1] * Wj
        G[j, :width * width] = h * (D @ s["states"][j].T).T.ravel()
        G[j, width * width:] = h * D.sum(axis=1)
        Wj = Wj + h * (K[j].T @ D)
    D = s["dsigmas"][0] * Wj
    g[:width * Y.shape[0]] = (D @ Y.T).T.ravel()
    g[width * Y.shape[0]:n0] = D.sum(axis=1)
    return g


def resnet_gradient(x, Y, C):
    s = resnet_state(x, Y, C)
    p, W, dS = s["p"], s["W"], s["dS"]
    J = s["E"] + 0.5 * ALPHA_P * p @ p + 0.5 * ALPHA_W * np.sum(W * W)
    gW = np.hstack([dS @ s["Z"].T, dS.sum(axis=1, keepdims=True)]) + ALPHA_W * W
    return J, np.concatenate([_resnet_backward(s, W[:, :-1].T @ dS) + ALPHA_P * p, gW.T.ravel()])


def resnet_hv(s, v, full=True):
    """H_pp v_p by a forward tangent sweep and a backward sweep (and H_WW v_W)."""
    Y, W, K, h, N, width, P, top = (s[k] for k in ("Y", "W", "K", "h", "N", "width", "P", "top"))
    d = Y.shape[0]
    n_p = s["p"].size
    vp = v[:n_p]
    V0, vb0, VK, vb = _resnet_params(vp, d, width, N)
    dY = s["dsigmas"][0] * (V0 @ Y + vb0[:, None])
    for j in range(N):
        dY = dY + h * (s["dsigmas"][j + 1] * (K[j] @ dY + VK[j] @ s["states"][j] + vb[j][:, None]))
    W0 = W[:, :-1]
    out = _resnet_backward(s, W0.T @ _softmax_hess(P, top, W0 @ dY)) + ALPHA_P * vp
    if not full:
        return out
    return np.concatenate([out, _classifier_hv(s, v[n_p:])])


# --- the benchmark -----------------------------------------------------------------------------
def best_of(fns, number, repeat=REPEAT):
    """CPU microseconds per call of each function, best of `repeat` rounds. CPU time of this
    process (one BLAS thread), not wall time: other jobs on a shared machine do not count; and
    the functions take turns in every round, so what load remains (caches) touches them alike."""
    best = [np.inf] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timeit.Timer(fn, timer=time.process_time).timeit(number) / number * 1e6)
    return best


def _same(ours, ref, what):
    ours, ref = np.atleast_1d(ours), np.atleast_1d(ref)
    assert np.linalg.norm(ours - ref) <= 1e-12 * np.linalg.norm(ref), f"plain numpy does not compute the same {what}"


def rows_for(network, state, gradient, hv, Y, C, numbers):
    objective = NetworkObjective(network, SoftmaxCrossEntropy(), Y, C, alpha_p=ALPHA_P, alpha_W=ALPHA_W)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(objective.n) * 0.5
    v = rng.standard_normal(objective.n)
    cols = np.random.default_rng(1).permutation(Y.shape[1])[:BATCH]
    for ours, columns in ((objective.gradient(x), slice(None)), (objective.subset(cols).gradient(x), cols)):
        ref = gradient(x, Y[:, columns], C[:, columns])
        _same(ours[0], ref[0], "value")
        _same(ours[1], ref[1], "gradient")
    p, W = objective.split(x)
    H_pp = objective.linearize(p, W)[3]
    H = objective.derivatives(x)[2]
    s = state(x, Y, C)
    vp = v[:objective.n_p]
    _same(H_pp.matvec(vp), hv(s, v, full=False), "Gauss-Newton product H_pp v")
    _same(H.matvec(v), hv(s, v), "Gauss-Newton product H v")

    def old_batch():  # SGD's step before: a checked objective per batch, then derivatives
        NetworkObjective(objective.network, objective.loss, Y[:, cols], C[:, cols], ALPHA_P, ALPHA_W).derivatives(x)

    return [
        (f"mini-batch gradient ({BATCH})", lambda: objective.subset(cols).gradient(x), old_batch,
         lambda: gradient(x, Y[:, cols], C[:, cols]), numbers[0]),
        (f"full-batch value and gradient ({Y.shape[1]})", lambda: objective.gradient(x),
         lambda: objective.derivatives(x), lambda: gradient(x, Y, C), numbers[1]),
        ("Gauss-Newton H_pp v (linearize)", lambda: H_pp.matvec(vp), None,
         lambda: hv(s, v, full=False), numbers[2]),
        ("Gauss-Newton H v (derivatives)", lambda: H.matvec(v), None, lambda: hv(s, v), numbers[2]),
    ]


def keep_freed_memory() -> bool:
    """glibc: serve temporaries from the heap, without page faults (see the module docstring)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_TRIM_THRESHOLD, 256 << 20)) and bool(libc.mallopt(M_MMAP_THRESHOLD, 64 << 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default-malloc", action="store_true",
                        help="the allocator's default thresholds (page faults vary from run to run)")
    args = parser.parse_args()
    warm = False if args.default_malloc else keep_freed_memory()
    Y, C = peaks_data(1000, 5, seed=0)
    models = [
        ("single layer: width 40, tanh",
         SingleLayer(dense_kernel(WIDTH, 2), "tanh"), single_state, single_gradient, single_hv, (300, 40, 40)),
        ("Peaks ResNet: opening layer to width 8, 16 steps, T = 4, sin",
         peaks_resnet(**RESNET), resnet_state, resnet_gradient, resnet_hv, (40, 4, 10)),
    ]
    print("Peaks, 5 classes, softmax; one BLAS thread; CPU microseconds per call, best of 11 rounds; "
          + ("freed memory kept in the heap" if warm else "default allocator thresholds"))
    head = f"{'product':<38} {'numpy us':>9} {'ours us':>9} {'ours/numpy':>10} {'before us':>10} {'before/numpy':>12}"
    with threadpool_limits(1):
        for title, network, state, gradient, hv, numbers in models:
            print(f"\n{title}\n{head}\n" + "-" * len(head))
            for name, ours, before, numpy_fn, number in rows_for(network, state, gradient, hv, Y, C, numbers):
                t_np, t_ours, t_b = (best_of([numpy_fn, ours] + ([before] if before else []), number) + [None])[:3]
                b = f"{t_b:10.1f} {t_b / t_np:12.2f}" if before else f"{'-':>10} {'-':>12}"
                print(f"{name:<38} {t_np:9.1f} {t_ours:9.1f} {t_ours / t_np:10.2f} {b}")
    print("\nbefore: the path the optimizers took until issue 12 (SGD: a checked objective per mini-batch "
          "and derivatives,\nwhich builds the Gauss-Newton operators; full batch: derivatives(x)).")


if __name__ == "__main__":
    main()
