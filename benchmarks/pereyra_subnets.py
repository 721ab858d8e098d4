"""Pereyra et al.'s parallel sub-networks: executors, and quadratic units against baselines.

What it measures
----------------
Table 1 (executors). One sub-network training, meganet.optim.train_subnetworks with G
QuadraticScalarization(28, m) sub-networks (VarPro least squares, max_nfev steps each, from
seed 0) on the training split of the MNIST sample (meganet.data.mnist_sample(0) split by
split_data 60/20/20, seed 0: 3000 / 1000 / 1000 images), run with executor "sequential",
"joblib" (n_workers=2) and "dask" (a LocalCluster of 2 worker processes, 1 thread each,
started and closed inside train_subnetworks). Columns: the wall time around the call, its
time_train and time_glue, the speed-up of the wall time over the sequential run, the test
accuracy, and whether p and W equal the sequential run's bit for bit (np.array_equal).
Default size 8 sub-networks x 50 units x 1000 examples (the groups overlap: 8 x 1000 > 3000),
max_nfev 30: about 2 s per sub-network on this machine, so the sequential run takes ~20 s.
Start-up is part of every parallel wall time and is measured on its own under the table:
  - Dask: LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) started and
    closed, nothing run on it;
  - joblib: a trivial Parallel(n_jobs=2) call on cold workers;
  - the import of meganet.optim by a fresh Python process (each worker pays it once, both
    executors alike, the two workers in parallel).
Fairness of the order: before every joblib timing (start-up or training) the script shuts
loky's reusable worker pool down, so joblib starts cold each time, as Dask starts a new
cluster for each call (otherwise joblib would reuse warm workers from an earlier call). The
start-up measurements run first in every repeat (they also warm the file cache for both), and
the repeats alternate the order: sequential, joblib, dask, then sequential, dask, joblib.
--table1-repeats (default 2) repeats the whole table: the machine is shared, so compare
speed-ups within one repeat. Target of the issue: speed-up >= 1.7 on 2 cores.

Table 2 (methods at about equal parameter count). Parameters = nonlinear ones + output
weights, counted from the fitted models (Stack.n_params + W.size; sklearn's coefs_ and
intercepts_). Methods:
  - qs-varpro:  train_subnetworks(QuadraticScalarization(28, m), ..., executor="joblib",
                n_workers=2), G sub-networks of m units and E examples each, glued by one
                least-squares solve on all training images;
  - sigmoid:    the same machinery with SingleLayer(dense_kernel(u, 784), "sigmoid")
                sub-networks (ordinary vectorised units sigmoid(K y + b)); u = the number of
                units per sub-network that best matches QS's count with G groups (2 for m = 50),
                then G_s = round(P_QS / (u (784 + 1 + 10))) groups so the totals match;
  - mlp:        sklearn MLPClassifier, one hidden layer of h = round((P_QS - 10) / 795) relu
                units, adam, max_iter fixed, early_stopping off, random_state = seed;
  - logreg:     sklearn LogisticRegression (lbfgs, C = 1, max_iter fixed; 7850 parameters,
                printed as they are). Deterministic, so it is fitted once, not per seed.
Data:
  - "MNIST sample": split 60/20/20 (seed 0), seeds --seeds (default 0 1 2) for the
    methods (initial units, groups of examples, MLP initialisation and batches). G = 16
    sub-networks x 50 units x 750 examples, max_nfev 15: like the paper's protocol, each
    training image is used about 4 times (paper 104 x 2000 / 50,000 = 4.2; here 16 x 750 /
    3000 = 4.0), and the 800 features stay well below the 3000 training images.
  - "Fashion-MNIST" (when meganet.data.fashion_mnist_available() and not --no-fashion): the
    60,000 training images shuffled with seed 0, the first 50,000 for training, the last 10,000
    for validation (as the paper splits MNIST's; ours is a seeded random split), the 10,000 test
    images for testing. The paper's protocol sizes: 104 sub-networks x 50 units x 2000 examples
    (random, overlapping groups), max_nfev 15. Seeds --fashion-seeds (default only 0): the glue
    of this size is one SVD of a 50,000 x 5,200 matrix, which alone takes minutes (see time_glue).
The paper's figures (90.15% before bootstrapping, 99.88% after, 0.151M parameters) are for
MNIST with 50,000 training images; we have only the 5,000-image MNIST sample, and Fashion-MNIST
is a harder data set, so neither row is directly comparable with them.
Hyper-parameters are fixed beforehand (the values above; train_subnetworks' defaults
init_scale 1, Kaufman Jacobian, lsmr_maxiter 25, rcond 1e-10; sklearn's defaults otherwise;
MLP max_iter 50, logreg max_iter 200). None was tuned, on test data or otherwise; the
validation accuracies are printed only for information.
--bootstrap also runs bootstrap_subnetworks for qs-varpro (margin 0.2, the first training
reused, retrained with the same G, E and max_nfev) on the TEST images and scores the retrained
network against the true test labels: a transductive score (the network was fitted to these
images with guessed labels), not a test accuracy. On Fashion-MNIST this is one more glue on
60,000 images, i.e. minutes more.

All times are wall seconds (time.perf_counter); OMP_NUM_THREADS should be left unset: the
sub-networks run with one BLAS thread each (train_subnetworks sets it), the glue and the sklearn
fits use the machine's default BLAS threads. The machine line at the top gives the load average.

Run (from the repository root):
    .venv/bin/python benchmarks/pereyra_subnets.py [--quick] [--no-fashion] [--bootstrap]
        [--seeds 0 1 2] [--fashion-seeds 0] [--fashion-groups 104] [--table1-repeats 2]
        [--tables 1 2]
--quick: small sizes for a smoke run (under a minute; Fashion-MNIST then trains on 10,000
images only). The default run took 24 and 31 minutes (two runs on a shared 2-core machine,
2026-12-01, load average 2-5); most of it Fashion-MNIST's qs-varpro, 10-16 min, of which the
glue 6-8 min (one run's MLP took 11 min under load, the other's 1.2 min).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
import warnings

import numpy as np

PAPER = dict(before=0.9015, after=0.9988, groups=104, units=50, examples=2000, n_train=50_000,
             stated_params=0.151e6)
N_WORKERS = 2
SIZES = {
    "full": dict(
        table1=dict(groups=8, units=50, examples=1000, max_nfev=30),
        mnist=dict(groups=16, units=50, examples=750, max_nfev=15),
        fashion=dict(groups=104, units=50, examples=2000, max_nfev=15, n_train=50_000),
        mlp_max_iter=50, logreg_max_iter=200),
    "quick": dict(
        table1=dict(groups=4, units=20, examples=300, max_nfev=10),
        mnist=dict(groups=4, units=20, examples=750, max_nfev=5),
        fashion=dict(groups=4, units=20, examples=1000, max_nfev=5, n_train=10_000),
        mlp_max_iter=5, logreg_max_iter=20),
}


# ----------------------------------------------------------------------------- helpers

def machine_line() -> str:
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    blas = sorted({f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()
                   if i["user_api"] == "blas"})
    load = os.getloadavg() if hasattr(os, "getloadavg") else (np.nan,) * 3
    import dask
    import joblib
    import scipy
    import sklearn
    return (f"{datetime.datetime.now().astimezone().isoformat(timespec='seconds')}; "
            f"{platform.platform()}, {cpu or 'unknown CPU'}, {os.cpu_count()} CPUs "
            f"({len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'} usable); "
            f"BLAS threads: {', '.join(blas)}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
            f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"scikit-learn {sklearn.__version__}, joblib {joblib.__version__}, dask {dask.__version__}")


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else np.nan


def accuracy(result, Y, C) -> float:
    return float(np.mean((result.W @ result.network.forward(result.p, Y)).argmax(0) == C.argmax(0)))


def n_params(result) -> tuple[int, int]:
    """(nonlinear parameters, output weights) of a train_subnetworks result."""
    return int(result.network.n_params), int(result.W.size)


def pm(values) -> str:
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return f"{values[0]:.2%} (1 run)"
    return f"{values.mean():.2%} ± {values.std(ddof=1):.2%}"


def table(head, rows, left=(0, 1)):
    """Plain-text table; the columns in `left` are left-aligned, the others right-aligned."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]

    def fmt(cells):
        return "  ".join(f"{str(c):<{w}}" if i in left else f"{str(c):>{w}}"
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    line = fmt(head)
    return "\n".join([line, "-" * len(line)] + [fmt(r) for r in rows])


def say(text=""):
    print(text, flush=True)


def shutdown_joblib_workers():
    """Stop loky's reusable worker pool, so the next joblib call starts its workers cold."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


# ----------------------------------------------------------------------------- table 1

def _spin(n: int) -> float:
    """A CPU-bound pure-Python loop (no memory traffic, no BLAS); its own wall time."""
    start, total = time.perf_counter(), 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def parallel_capacity(n: int = 20_000_000) -> float:
    """How many times one process's work N_WORKERS processes get done in the same time, measured:
    N_WORKERS x (time of the loop alone) / (its mean time when N_WORKERS copies run at once).
    N_WORKERS on free cores; about 1 when the 'cores' share one physical core (or are taken)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(N_WORKERS) as pool:
        list(pool.map(_spin, [1000] * N_WORKERS))           # start the processes first
        alone = min(pool.submit(_spin, n).result() for _ in range(2))
        together = np.mean(list(pool.map(_spin, [n] * N_WORKERS)))
    return N_WORKERS * alone / together


def startup_costs() -> dict:
    from distributed import LocalCluster
    from joblib import Parallel, delayed

    out = {}
    shutdown_joblib_workers()
    start = time.perf_counter()
    Parallel(n_jobs=N_WORKERS)(delayed(abs)(-i) for i in range(2 * N_WORKERS))
    out["joblib"] = time.perf_counter() - start
    shutdown_joblib_workers()

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=N_WORKERS, threads_per_worker=1, dashboard_address=None)
    out["dask_start"] = time.perf_counter() - start
    cluster.close()
    out["dask"] = time.perf_counter() - start

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import meganet.optim, meganet.layers"], check=True)
    out["import"] = time.perf_counter() - start
    out["capacity"] = parallel_capacity()
    return out


def run_executor(executor, element, Y, C, cfg):
    from meganet.optim import train_subnetworks

    if executor == "joblib":
        shutdown_joblib_workers()
    start = time.perf_counter()
    res = train_subnetworks(element, Y, C, cfg["groups"], examples_per_group=cfg["examples"],
                            seed=0, executor=executor, n_workers=N_WORKERS, max_nfev=cfg["max_nfev"])
    wall = time.perf_counter() - start
    if executor == "joblib":
        shutdown_joblib_workers()
    return res, wall


def table1(cfg, repeats, data):
    from meganet.layers import QuadraticScalarization

    (Ytr, Ctr), _, (Yte, Cte) = data
    element = QuadraticScalarization(28, cfg["units"])
    say(f"TABLE 1 - executors. {cfg['groups']} x QuadraticScalarization(28, {cfg['units']}) "
        f"sub-networks x {cfg['examples']} examples, max_nfev {cfg['max_nfev']}, seed 0, on the MNIST "
        f"sample's training split ({Ytr.shape[1]} images; test {Yte.shape[1]}); n_workers = {N_WORKERS}")
    say("joblib's worker pool is shut down before each joblib timing (cold start, like Dask's new "
        "LocalCluster per call); start-up measured first; executor order alternates between repeats.")
    orders = [("sequential", "joblib", "dask"), ("sequential", "dask", "joblib")]
    repeats_out = []
    for r in range(repeats):
        order = orders[r % 2]
        load0 = load_average()
        costs = startup_costs()
        runs = {ex: run_executor(ex, element, Ytr, Ctr, cfg) for ex in order}
        load1 = load_average()
        ref, ref_wall = runs["sequential"]
        rows, summary = [], {}
        for ex in ("sequential", "joblib", "dask"):
            res, wall = runs[ex]
            same = bool(np.array_equal(res.p, ref.p) and np.array_equal(res.W, ref.W))
            speed = ref_wall / wall
            sub = np.array([s["time"] for s in res.subnetworks])
            summary[ex] = dict(wall=wall, speedup=speed, identical=same, acc=accuracy(res, Yte, Cte),
                               time_train=res.time_train, time_glue=res.time_glue, sum_sub=sub.sum())
            rows.append([ex, f"{order.index(ex) + 1}", f"{wall:.2f}", f"{res.time_train:.2f}",
                         f"{res.time_glue:.2f}", f"{sub.sum():.1f}", f"{speed:.2f}x",
                         f"{summary[ex]['acc']:.2%}", "yes" if same else "NO"])
        say(f"\nrepeat {r + 1} of {repeats} (order {', '.join(order)}; load average {load0:.1f} "
            f"before, {load1:.1f} after)")
        say(table(["executor", "run #", "wall s", "time_train s", "time_glue s", "sum sub s",
                   "speed-up", "test acc", "identical to sequential"], rows))
        say("(wall: around the call; sum sub: the sub-networks' own times added up, the work to "
            "share out; speed-up: sequential wall / wall)")
        say(f"start-up alone: Dask LocalCluster start {costs['dask_start']:.2f} s + shutdown "
            f"{costs['dask'] - costs['dask_start']:.2f} s = {costs['dask']:.2f} s; joblib cold "
            f"workers (trivial Parallel call) {costs['joblib']:.2f} s; a fresh Python importing "
            f"meganet.optim {costs['import']:.2f} s (each worker pays it once)")
        say(f"machine: {N_WORKERS} processes running a CPU-bound loop at once got {costs['capacity']:.2f}x "
            f"the work of one done in the same time (measured now; {N_WORKERS:.2f}x on {N_WORKERS} free "
            "cores): no executor can beat that")
        for ex in ("joblib", "dask"):
            summary[ex]["startup"] = costs[ex]
        repeats_out.append(dict(order=order, summary=summary, costs=costs, load=(load0, load1)))
    return repeats_out


# ----------------------------------------------------------------------------- table 2

def load_fashion(cfg):
    from meganet.data import fashion_mnist

    Y, C = fashion_mnist("train", seed=0)
    Yte, Cte = fashion_mnist("test", seed=0)
    n_val = 10_000
    Ytr, Ctr = Y[:, :Y.shape[1] - n_val], C[:, :C.shape[1] - n_val]
    Yva, Cva = Y[:, Y.shape[1] - n_val:], C[:, C.shape[1] - n_val:]
    n = min(cfg["n_train"], Ytr.shape[1])
    return (np.ascontiguousarray(Ytr[:, :n]), np.ascontiguousarray(Ctr[:, :n])), (Yva, Cva), (Yte, Cte)


def fit_subnetworks(element, groups, data, cfg, seed):
    from meganet.optim import train_subnetworks

    (Ytr, Ctr), (Yva, Cva), (Yte, Cte) = data
    start = time.perf_counter()
    res = train_subnetworks(element, Ytr, Ctr, groups, examples_per_group=cfg["examples"], seed=seed,
                            executor="joblib", n_workers=N_WORKERS, max_nfev=cfg["max_nfev"])
    wall = time.perf_counter() - start
    return dict(result=res, time=wall, glue=res.time_glue, params=n_params(res),
                val=accuracy(res, Yva, Cva), test=accuracy(res, Yte, Cte))


def fit_sklearn(model, data):
    (Ytr, Ctr), (Yva, Cva), (Yte, Cte) = data
    from sklearn.exceptions import ConvergenceWarning

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(Ytr.T, Ctr.argmax(0))
    wall = time.perf_counter() - start
    coefs = model.coefs_ if hasattr(model, "coefs_") else [model.coef_]
    biases = model.intercepts_ if hasattr(model, "intercepts_") else [model.intercept_]
    nonlinear = int(sum(c.size + b.size for c, b in zip(coefs[:-1], biases[:-1])))
    output = int(coefs[-1].size + biases[-1].size)
    return dict(model=model, time=wall, glue=np.nan, params=(nonlinear, output),
                val=float(model.score(Yva.T, Cva.argmax(0))), test=float(model.score(Yte.T, Cte.argmax(0))),
                n_iter=int(np.max(model.n_iter_)))


def table2_dataset(name, data, cfg, seeds, sizes, bootstrap):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from meganet.kernels import dense_kernel
    from meganet.layers import QuadraticScalarization, SingleLayer
    from meganet.networks import Stack
    from meganet.optim import bootstrap_subnetworks

    (Ytr, Ctr), (Yva, _), (Yte, Cte) = data
    n_in, k = Ytr.shape[0], Ctr.shape[0]
    G, m = cfg["groups"], cfg["units"]
    qs = QuadraticScalarization(28, m)
    p_qs = Stack([qs] * G).n_params + k * G * m
    u = max(1, round(p_qs / (G * (n_in + 1 + k))))
    G_s = max(1, round(p_qs / (u * (n_in + 1 + k))))
    sig = SingleLayer(dense_kernel(u, n_in), "sigmoid")
    h = max(1, round((p_qs - k) / (n_in + 1 + k)))
    say(f"\n{name}: train {Ytr.shape[1]}, validation {Yva.shape[1]}, test {Yte.shape[1]} images; "
        f"seeds {seeds}")

    runs = {"qs-varpro": [], "sigmoid": [], "mlp": [], "logreg": []}
    setups = {
        "qs-varpro": f"{G} x QS(28,{m}) x {cfg['examples']} ex, max_nfev {cfg['max_nfev']}",
        "sigmoid": f"{G_s} x sigmoid({u}) x {cfg['examples']} ex, max_nfev {cfg['max_nfev']}",
        "mlp": f"784-{h}-10 relu, adam, max_iter {sizes['mlp_max_iter']}",
        "logreg": f"lbfgs, C=1, max_iter {sizes['logreg_max_iter']}",
    }
    for seed in seeds:
        runs["qs-varpro"].append(fit_subnetworks(qs, G, data, cfg, seed))
        say(f"  seed {seed}: qs-varpro {runs['qs-varpro'][-1]['time']:.1f} s "
            f"(glue {runs['qs-varpro'][-1]['glue']:.1f} s)")
        runs["sigmoid"].append(fit_subnetworks(sig, G_s, data, cfg, seed))
        mlp = MLPClassifier(hidden_layer_sizes=(h,), max_iter=sizes["mlp_max_iter"], early_stopping=False,
                            random_state=seed)
        runs["mlp"].append(fit_sklearn(mlp, data))
        say(f"  seed {seed}: sigmoid {runs['sigmoid'][-1]['time']:.1f} s, "
            f"mlp {runs['mlp'][-1]['time']:.1f} s ({runs['mlp'][-1]['n_iter']} epochs)")
    runs["logreg"].append(fit_sklearn(LogisticRegression(max_iter=sizes["logreg_max_iter"]), data))
    setups["mlp"] += f" (ran {'/'.join(str(r['n_iter']) for r in runs['mlp'])} epochs)"
    setups["logreg"] += f" (ran {runs['logreg'][0]['n_iter']}; deterministic, fitted once)"

    rows = []
    for method, rs in runs.items():
        nl, out = rs[0]["params"]
        glue = np.mean([r["glue"] for r in rs])
        rows.append([name, method, f"{nl:,} + {out:,} = {nl + out:,}",
                     f"{np.mean([r['time'] for r in rs]):.1f}", "-" if np.isnan(glue) else f"{glue:.1f}",
                     pm([r["val"] for r in rs]), pm([r["test"] for r in rs]), setups[method]])
    boot = []
    if bootstrap:
        for seed, first in zip(seeds, runs["qs-varpro"]):
            start = time.perf_counter()
            res = bootstrap_subnetworks(qs, Ytr, Ctr, Yte, G, margin=0.2, seed=seed, first=first["result"],
                                        examples_per_group=cfg["examples"], executor="joblib",
                                        n_workers=N_WORKERS, max_nfev=cfg["max_nfev"])
            boot.append(dict(seed=seed, time=time.perf_counter() - start, before=first["test"],
                             guessed=float(np.mean(res.guessed.argmax(0) == Cte.argmax(0))),
                             ambiguous=int(res.ambiguous.sum()), transductive=accuracy(res, Yte, Cte)))
    return dict(name=name, rows=rows, runs=runs, boot=boot, p_qs=p_qs, n_train=Ytr.shape[1])


def print_table2(results, quick=False):
    head = ["data", "method", "parameters (nonlinear + output)", "fit s (mean)", "glue s",
            "val acc", "test acc (mean ± std over seeds)", "setup"]
    say("\n" + table(head, [r for res in results for r in res["rows"]], left=(0, 1, 7)))
    say("(fit s: wall time of the whole fit, 2 worker processes for the sub-networks then the glue "
        "with the default BLAS threads; sklearn with the default BLAS threads; glue s: "
        "train_subnetworks' time_glue, included in fit s)")
    from meganet.layers import QuadraticScalarization
    from meganet.networks import Stack

    net = Stack([QuadraticScalarization(28, PAPER["units"])] * PAPER["groups"])
    nl, out = net.n_params, 10 * net.n_out
    say(f"paper (Pereyra et al. 2019; MNIST, {PAPER['n_train']:,} training images, NOT these data): "
        f"{PAPER['groups']} x QS(28,{PAPER['units']}) x {PAPER['examples']} ex: test "
        f"{PAPER['before']:.2%} before bootstrapping, {PAPER['after']:.2%} after (transductive); "
        f"library count of that network {nl:,} + {out:,} = {nl + out:,} parameters, the paper states "
        f"{PAPER['stated_params'] / 1e6:.3f}M ({nl / 1e6:.3f}M are the w's alone)")
    if any(res["name"] == "Fashion-MNIST" for res in results):
        say(f"Fashion-MNIST {'uses the paper' if not quick else 'uses --quick sizes, not the paper'}'s "
            "protocol sizes, but the paper's figures are for MNIST: not directly comparable.")
    say("Hyper-parameters fixed beforehand, none tuned on test (or validation) data.")
    boot = [(res["name"], b) for res in results for b in res["boot"]]
    if boot:
        say("\nbootstrapping (qs-varpro, margin 0.2, retrained on training + TEST images with guessed "
            "labels): accuracy on the test images against their true labels is TRANSDUCTIVE, not a "
            "test accuracy")
        say(table(["data", "seed", "test acc before", "guessed labels correct", "ambiguous",
                   "transductive acc after", "time s"],
                  [[name, b["seed"], f"{b['before']:.2%}", f"{b['guessed']:.2%}", b["ambiguous"],
                    f"{b['transductive']:.2%}", f"{b['time']:.1f}"] for name, b in boot]))
        say(f"(paper, MNIST: {PAPER['after']:.2%} after bootstrapping)")


# ----------------------------------------------------------------------------- verdict

def verdict(t1, results):
    say("\nVERDICT (computed from the numbers above)")
    for r, rep in enumerate(t1):
        seq = rep["summary"]["sequential"]["sum_sub"]
        for ex in ("joblib", "dask"):
            s = rep["summary"][ex]
            say(f"  table 1, repeat {r + 1}, {ex}: speed-up {s['speedup']:.2f}x -> target >= 1.7x "
                f"{'MET' if s['speedup'] >= 1.7 else 'NOT met'}; identical to sequential: "
                f"{'yes' if s['identical'] else 'NO'}; its start-up alone ({s['startup']:.2f} s) is "
                f"{s['startup'] / s['wall']:.0%} of its wall time; its sub-networks took "
                f"x{s['sum_sub'] / seq:.2f} their sequential time (1 = no contention for the cores)")
            # what the run would take if its sub-networks kept their sequential speed on N_WORKERS
            # free cores: start-up + the sequential work shared out + the glue (a model, not a measurement)
            ideal = rep["summary"]["sequential"]["wall"] / (
                s["startup"] + seq / N_WORKERS + rep["summary"]["sequential"]["time_glue"])
            say(f"    (estimate, not a measurement: with {N_WORKERS} free cores and this start-up the "
                f"speed-up would be about {ideal:.2f}x; this machine's measured capacity was "
                f"{rep['costs']['capacity']:.2f}x)")
        load, cpus = max(rep["load"]), os.cpu_count() or 1
        if load > cpus:
            say(f"  table 1, repeat {r + 1}: load average up to {load:.1f} on {cpus} CPUs - other "
                f"processes competed for the cores, so this repeat's times are not a clean measurement")
    for res in results:
        qs = res["runs"]["qs-varpro"]
        qs_test = np.array([r["test"] for r in qs])
        for method in ("sigmoid", "mlp", "logreg"):
            other = res["runs"][method]
            o_test = np.array([r["test"] for r in other])
            diff = qs_test.mean() - o_test.mean()
            spread = max(qs_test.std(ddof=1) if qs_test.size > 1 else 0.0,
                         o_test.std(ddof=1) if o_test.size > 1 else 0.0)
            word = "higher" if diff > 0 else "lower"
            sure = ("beyond" if abs(diff) > 2 * spread else "within") + " 2 std of the seeds"
            if spread == 0:
                sure = "single runs, no spread to compare with"
            p_q, p_o = sum(qs[0]["params"]), sum(other[0]["params"])
            t_q, t_o = np.mean([r["time"] for r in qs]), np.mean([r["time"] for r in other])
            say(f"  {res['name']}: qs-varpro {qs_test.mean():.2%} vs {method} {o_test.mean():.2%}: "
                f"QS {abs(diff) * 100:.2f} points {word} ({sure}); parameters {p_q:,} vs {p_o:,} "
                f"(x{p_q / p_o:.2f}); fit time {t_q:.1f} s vs {t_o:.1f} s (x{t_q / t_o:.2f})")
        gap = PAPER["before"] - qs_test.mean()
        if res["name"] != "MNIST sample":
            say(f"  {res['name']}: the paper's figures are for MNIST, so no comparison with them")
        else:
            say(f"  {res['name']}: qs-varpro {qs_test.mean():.2%} is {abs(gap) * 100:.2f} points "
                f"{'below' if gap > 0 else 'above'} the paper's {PAPER['before']:.2%} (paper: MNIST "
                f"with {PAPER['n_train']:,} training images; here {res['n_train']:,}: not the same data)")
        for b in res["boot"]:
            say(f"  {res['name']}, seed {b['seed']}: bootstrapping {b['before']:.2%} -> "
                f"{b['transductive']:.2%} transductive (paper {PAPER['after']:.2%} on MNIST)")


# ----------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run (< 1 min)")
    parser.add_argument("--no-fashion", action="store_true", help="skip Fashion-MNIST in table 2")
    parser.add_argument("--bootstrap", action="store_true",
                        help="also bootstrap qs-varpro on the test images (transductive score)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="seeds of the methods on the MNIST sample (default 0 1 2)")
    parser.add_argument("--fashion-seeds", type=int, nargs="+", default=[0],
                        help="seeds on Fashion-MNIST (default 0: each glue takes minutes)")
    parser.add_argument("--fashion-groups", type=int, default=None,
                        help="sub-networks on Fashion-MNIST (default 104, the paper's; 4 with --quick)")
    parser.add_argument("--table1-repeats", type=int, default=2, help="repeats of table 1 (default 2)")
    parser.add_argument("--tables", type=int, nargs="+", default=[1, 2], choices=[1, 2],
                        help="which tables to run (default 1 2)")
    args = parser.parse_args(argv)
    sizes = SIZES["quick" if args.quick else "full"]
    if args.fashion_groups is not None:
        sizes["fashion"] = dict(sizes["fashion"], groups=args.fashion_groups)
    seeds = args.seeds[:1] if args.quick else args.seeds

    from meganet.data import fashion_mnist_available, mnist_sample, split_data

    start = time.perf_counter()
    say("Pereyra et al. sub-networks benchmark (benchmarks/pereyra_subnets.py"
        f"{' --quick' if args.quick else ''})")
    say(machine_line())
    say(f"options: {vars(args)}\n")

    Y, C = mnist_sample(0)
    mnist = split_data(Y, C, (0.6, 0.2, 0.2), seed=0)
    t1 = table1(sizes["table1"], args.table1_repeats, mnist) if 1 in args.tables else []

    results = []
    if 2 in args.tables:
        say("\nTABLE 2 - methods at about equal parameter count (progress lines, then the table)")
        results.append(table2_dataset("MNIST sample", mnist, sizes["mnist"], seeds, sizes, args.bootstrap))
        if args.no_fashion:
            say("Fashion-MNIST skipped (--no-fashion)")
        elif not fashion_mnist_available():
            say("Fashion-MNIST not available (meganet.data.fashion_mnist_available() is False): skipped")
        else:
            fashion = load_fashion(sizes["fashion"])
            results.append(table2_dataset("Fashion-MNIST", fashion, sizes["fashion"],
                                          args.fashion_seeds[:1] if args.quick else args.fashion_seeds,
                                          sizes, args.bootstrap))
        print_table2(results, args.quick)

    verdict(t1, results)
    say(f"\ntotal run time {time.perf_counter() - start:.0f} s; load average at the end "
        f"{load_average():.1f}")


if __name__ == "__main__":
    main()
