"""Softmax regression on the MNIST sample: meganet's Newton-CG against scikit-learn's L-BFGS.

What it measures
----------------
Both methods minimise the same objective over the training part (60 %, 3000 images) of
meganet.data.mnist_sample(), split by meganet.data.split_data(seed=0):

    J(W) = 1/n sum_j softmax cross-entropy(W y_j, c_j) + alpha/2 ||W||_F^2,   W (10 x 784), no bias,

ours as LinearModelObjective(SoftmaxCrossEntropy(), Y, C, Tikhonov(alpha)) solved by
meganet.optim.newton_cg, scikit-learn's as LogisticRegression(solver="lbfgs",
fit_intercept=False, C=1/(n alpha)) (its objective 1/2 ||W||^2 + C sum_j loss_j is ours times
1/alpha). For each alpha:

1. Reference optimum: sklearn with tol=1e-10 (max_iter large) and newton_cg with
   ||grad J|| <= 1e-8 ||grad J(0)||; J* = the smaller of the two objectives, both evaluated with OUR
   objective on the returned W.
2. Target: J <= J* (1 + 1e-6).  For each method the smallest iteration count that reaches it
   (both methods are deterministic and a run with max_iter = k stops at the k-th iterate of the
   full run: for sklearn found by a bracketed search on max_iter, for ours read off the history).
3. Timing: a fresh end-to-end run with exactly that iteration count (sklearn: constructor and
   fit; ours: building the objective and newton_cg), timed with time.perf_counter, repeated
   `--repeats` times (default 3); the table shows the median. Data are laid out for each method
   (X = Y^T C-contiguous, integer labels for sklearn) before timing.
4. The objective reached (our J on that run's W) and the validation accuracy of that W on the
   validation part (20 %, 1000 images).

By default every BLAS/OpenMP pool is limited to one thread (threadpoolctl) for both methods, so
the comparison is not at the mercy of other processes on a shared machine; `--threads 0`
leaves the libraries' defaults.  Timings are wall-clock and vary between runs and machines;
only the ratio printed on the last line is meant to be compared, and only within one run.

How to run (from the repository root, about a minute):

    .venv/bin/python benchmarks/softmax_mnist.py
    .venv/bin/python benchmarks/softmax_mnist.py --alphas 1e-2 1e-3 --repeats 5 --threads 2
"""
from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from meganet import vec
from meganet.data import class_labels, mnist_sample, split_data
from meganet.losses import SoftmaxCrossEntropy
from meganet.objectives import LinearModelObjective
from meganet.optim import newton_cg
from meganet.regularizers import Tikhonov

REL_TARGET = 1e-6  # reach J <= J* (1 + REL_TARGET)


def fit_sklearn(X, labels, alpha, max_iter, tol=1e-10):
    """W (10 x 784) and iteration count of sklearn's L-BFGS softmax regression."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    n = X.shape[0]
    model = LogisticRegression(C=1.0 / (n * alpha), solver="lbfgs", fit_intercept=False,
                               tol=tol, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a stop at max_iter is intended
        model.fit(X, labels)
    return model.coef_, int(np.max(model.n_iter_))


def fit_ours(Y, C, alpha, maxiter):
    """(x = vec(W), result) of newton_cg run for exactly `maxiter` iterations (or until stalled)."""
    objective = LinearModelObjective(SoftmaxCrossEntropy(), Y, C, Tikhonov(alpha))
    result = newton_cg(objective, np.zeros(objective.n), maxiter=maxiter, atol=0.0, rtol=0.0)
    return result.x, result


def timed(run, repeats):
    """(median wall time over `repeats` calls of run(), the last return value)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def sklearn_iterations_to_target(J_of_W, X, labels, alpha, J_star, target, n_tight, J_tight):
    """Smallest max_iter whose sklearn run reaches J <= target (None if the tight run does not).

    A bracketed search on k: J(k) is non-increasing along the L-BFGS run, and its gap
    J(k) - J* decays roughly geometrically, so the next k interpolates log(gap) linearly
    between the bracket ends (safeguarded by bisection when one end does not move).
    """
    def log_gap(k):
        J = J_of_W(fit_sklearn(X, labels, alpha, max_iter=k)[0]) if k else float(np.log(10.0))
        return np.log(max(J - J_star, 1e-16 * J_star)), J <= target

    log_target = np.log(target - J_star)
    lo, hi = 0, n_tight
    if J_tight > target:
        return None
    g_lo, g_hi = log_gap(lo)[0], np.log(max(J_tight - J_star, 1e-16 * J_star))
    last = None
    while hi - lo > 1:
        if last is not None and last[0] == last[1]:  # the same end moved twice: bisect
            k = (lo + hi) // 2
        else:
            k = lo + int(round((hi - lo) * (g_lo - log_target) / max(g_lo - g_hi, 1e-12)))
        k = min(max(k, lo + 1), hi - 1)
        g, reached = log_gap(k)
        side = "hi" if reached else "lo"
        if reached:
            hi, g_hi = k, g
        else:
            lo, g_lo = k, g
        last = (side, None if last is None else last[0])
    return hi


def benchmark(alpha, data, repeats):
    (Y, C), (Y_val, C_val) = data
    X, labels = np.ascontiguousarray(Y.T), class_labels(C)
    objective = LinearModelObjective(SoftmaxCrossEntropy(), Y, C, Tikhonov(alpha))
    J = lambda W: objective(vec(W))  # noqa: E731  our objective on a weight matrix

    # 1. reference optimum from tight runs of both
    W_sk, n_sk_tight = fit_sklearn(X, labels, alpha, max_iter=20000)
    res_ref = newton_cg(objective, np.zeros(objective.n), maxiter=50, atol=0.0, rtol=1e-8)
    J_star = min(J(W_sk), res_ref.fun)
    target = J_star * (1 + REL_TARGET)

    # 2. iterations to target
    fun = np.asarray(res_ref.history["fun"])
    k_ours = int(np.argmax(fun <= target)) if np.any(fun <= target) else None
    k_sk = sklearn_iterations_to_target(J, X, labels, alpha, J_star, target, n_sk_tight,
                                        J(W_sk))

    # 3./4. timed end-to-end runs with those iteration counts
    rows = []
    for method, k, run in [
        ("scikit-learn lbfgs", k_sk, lambda k: vec(fit_sklearn(X, labels, alpha, max_iter=k)[0])),
        ("meganet newton_cg", k_ours, lambda k: fit_ours(Y, C, alpha, maxiter=k)[0]),
    ]:
        if k is None:
            rows.append(dict(method=method, alpha=alpha, k=None, time=float("nan"),
                             J=float("nan"), val=float("nan")))
            continue
        t, x = timed(lambda: run(k), repeats)
        rows.append(dict(method=method, alpha=alpha, k=k, time=t, J=objective(x),
                         val=objective.accuracy(x, Y_val, C_val)))
    info = dict(alpha=alpha, J_star=J_star, J_sk=J(W_sk), J_ours=res_ref.fun,
                n_sk_tight=n_sk_tight, n_ours_tight=res_ref.nit)
    return rows, info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alphas", type=float, nargs="+", default=[1e-2, 1e-4])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for both methods (0: library defaults)")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    Y, C = mnist_sample(seed=0)
    train, val, _test = split_data(Y, C, fractions=(0.6, 0.2, 0.2), seed=0)
    n = train[0].shape[1]
    threads = "library defaults" if args.threads == 0 else str(args.threads)
    print(f"Softmax regression, MNIST sample: {n} training / {val[0].shape[1]} validation images, "
          f"784 features, 10 classes, no bias; threads: {threads}")
    print(f"target: J <= J* (1 + {REL_TARGET:g}); times are medians of {args.repeats} "
          "end-to-end runs (time.perf_counter)\n")

    all_rows, infos = [], []
    with threadpool_limits(limits=None if args.threads == 0 else args.threads):
        for alpha in args.alphas:
            rows, info = benchmark(alpha, (train, val), args.repeats)
            all_rows += rows
            infos.append(info)

    for info in infos:
        print(f"alpha={info['alpha']:g}: J* = {info['J_star']:.12f}  (sklearn tol=1e-10: "
              f"{info['J_sk']:.12f} in {info['n_sk_tight']} it; newton_cg: {info['J_ours']:.12f} "
              f"in {info['n_ours_tight']} it)")
    print()
    header = f"{'method':<20} | {'alpha':>7} | {'iterations':>10} | {'time to target (s)':>18} | " \
             f"{'objective':>16} | {'val accuracy':>12}"
    print(header)
    print("-" * len(header))
    for r in all_rows:
        k = "not reached" if r["k"] is None else str(r["k"])
        print(f"{r['method']:<20} | {r['alpha']:>7.0e} | {k:>10} | {r['time']:>18.3f} | "
              f"{r['J']:>16.12f} | {r['val']:>12.4f}")
    print("(iterations: L-BFGS iterations for scikit-learn; Newton steps for newton_cg, each with up to "
          "50 CG iterations, i.e. Hessian-vector products)")
    print()
    for alpha in args.alphas:
        t_sk, t_ours = (r["time"] for r in all_rows if r["alpha"] == alpha)
        print(f"alpha={alpha:g}: sklearn_time / ours_time = {t_sk / t_ours:.2f}")
    print(f"\n(total benchmark wall time {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
