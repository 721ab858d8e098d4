"""Train a wide network as G independent sub-networks, in parallel, then glue (Pereyra et al.).

    1. split the training examples into G disjoint groups (a seeded permutation), or draw G
       random groups when G groups of the requested size do not fit (the paper's protocol);
    2. train sub-network g (its own units theta_g) on group g by VarPro least squares, each
       from its own seed: these G fits are independent, so they run in parallel;
    3. assemble theta = [theta_1; ...; theta_G], the network Stack([f] * G) (all units side by
       side), and solve ONE least-squares problem for all output weights W on all the data.

Executors: "sequential" (a loop), "joblib" (worker processes on this machine; the default),
"dask" (a dask.distributed cluster: a LocalCluster started and closed here when no `address`
is given, or the scheduler at `address`, e.g. "tcp://10.0.0.5:8786", for a real cluster).
Every sub-network runs with one BLAS thread whatever the executor, so the same seeds give
the same network bit for bit. A sub-network that raises, or a worker that dies, stops the run
with a SubnetworkError naming the sub-network; a partial network is never glued.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from ..linalg import vec
from ..networks.stack import Stack
from ..objectives.separable_least_squares import VarProResidual
from ..validation import as_matrix, check_columns_match
from .nonlinear_least_squares import varpro_least_squares
from .result import OptimizationResult

__all__ = ["train_subnetworks", "SubnetworkError", "EXECUTORS"]

EXECUTORS = ("sequential", "joblib", "dask")


class SubnetworkError(RuntimeError):
    """A sub-network failed (its code raised, or its worker died); `.group` is its index
    (-1 when a joblib worker died with several sub-networks unfinished: the message lists them)."""

    def __init__(self, group: int, message: str):
        super().__init__(message)
        self.group = group


def _train_one(g, element, Y, C, seed, init_scale, options):
    """Sub-network g on its examples (Y, C): VarPro least squares from its own seed, one BLAS thread."""
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    # fresh, aligned C-ordered copies: data deserialised by an executor may be laid out
    # differently, and BLAS kernels may then round differently
    Y, C = np.array(Y, order="C", copy=True), np.array(C, order="C", copy=True)
    with threadpool_limits(1):  # same arithmetic (and bits) in every executor
        p0 = element.initial_parameters(seed=seed, scale=init_scale)
        res = varpro_least_squares(element, Y, C, p0, **options)
    return dict(group=g, p=res.p, fun=res.fun, nit=res.nit, nfev=res.nfev, status=res.status,
                message=res.message, time=time.perf_counter() - start)


def _describe(g, groups):
    return f"sub-network {g} (examples {len(groups[g])}, group {g + 1} of {len(groups)})"


def _run_sequential(tasks, groups, progress):
    for g, args in tasks:
        try:
            out = _train_one(*args)
        except Exception as err:
            raise SubnetworkError(g, f"{_describe(g, groups)} failed: {type(err).__name__}: {err}") from err
        progress.update()
        yield out


def _run_joblib(tasks, groups, progress, n_workers):
    from joblib import Parallel, delayed

    def guarded(g, args):
        # the exception is returned, not raised, so the failing sub-network is known by name
        try:
            return _train_one(*args)
        except Exception as err:  # noqa: BLE001 - reported with its group below
            return dict(group=g, error=f"{type(err).__name__}: {err}")

    finished = set()
    outputs = Parallel(n_jobs=n_workers, return_as="generator_unordered")(
        delayed(guarded)(g, args) for g, args in tasks)
    try:
        for out in outputs:
            if "error" in out:
                g = out["group"]
                with warnings.catch_warnings():  # joblib warns that it cancels the others: we asked it to
                    warnings.simplefilter("ignore", UserWarning)
                    outputs.close()
                raise SubnetworkError(g, f"{_describe(g, groups)} failed: {out['error']}")
            finished.add(out["group"])
            progress.update()
            yield out
    except SubnetworkError:
        raise
    except Exception as err:  # a worker died (TerminatedWorkerError) or could not start
        # joblib does not say which task was on the dead worker: name the unfinished ones
        unfinished = sorted({g for g, _ in tasks} - finished)
        raise SubnetworkError(unfinished[0] if len(unfinished) == 1 else -1,
                              f"a joblib worker died while training the sub-networks "
                              f"({type(err).__name__}); unfinished sub-networks {unfinished}, one of "
                              f"which it was running; no network was glued") from err


def _run_dask(tasks, groups, progress, n_workers, address):
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as err:
        raise ImportError("executor='dask' needs dask.distributed: pip install 'meganet[parallel]' "
                          "(or pip install distributed)") from err
    # a task on a worker that dies is not retried elsewhere (it would likely kill that one too):
    # the scheduler fails it at the first death (LocalCluster; a remote scheduler keeps its own
    # setting) and the run stops
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = None if address is not None else LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        try:
            with Client(address if address is not None else cluster) as client:
                # the examples travel as scattered data, not inside the task graph; all of it
                # is scattered before any task starts
                data = client.scatter([a for _, args in tasks for a in args[2:4]], hash=False)
                futures = {client.submit(_train_one, g, args[1], data[2 * k], data[2 * k + 1], *args[4:],
                                         key=f"subnetwork-{g}", pure=False): g
                           for k, (g, args) in enumerate(tasks)}
                try:
                    for future in as_completed(futures):
                        if future.status == "finished":
                            progress.update()
                            yield future.result()
                            continue
                        failed = sorted(g for f, g in futures.items() if f.status == "error")
                        g, err = futures[future], future.exception()
                        if type(err).__name__ == "KilledWorker":
                            raise SubnetworkError(
                                g if len(failed) == 1 else -1,
                                f"a Dask worker died while training the sub-networks ({err}); "
                                f"sub-networks lost with it: {failed}; no network was glued")
                        raise SubnetworkError(g, f"{_describe(g, groups)} failed on the Dask cluster: "
                                                 f"{type(err).__name__}: {err}")
                finally:
                    client.cancel(list(futures))
        finally:
            if cluster is not None:
                cluster.close()


def train_subnetworks(element, Y, C, n_groups: int, *, examples_per_group: int | None = None,
                      seed: int = 0, init_scale: float = 1.0, executor: str = "joblib",
                      n_workers: int = 2, address: str | None = None, rcond: float = 1e-10,
                      progress: bool = False, **options):
    """Train Stack([element] * n_groups) as independent sub-networks, then glue W.

    element: one sub-network (e.g. QuadraticScalarization(28, 50)); Y (n_in, n), C (k, n)
    training data (one-hot C for classification). Sub-network g gets examples_per_group
    examples (default n // n_groups): disjoint groups when n_groups * examples_per_group <= n,
    otherwise each group is its own random sample (groups overlap; `disjoint` says which);
    it starts from the seed SeedSequence(seed)'s g-th child; **options go to varpro_least_squares (jacobian, max_nfev, lsmr_maxiter, ...).
    executor: "sequential", "joblib" (n_workers processes) or "dask" (a LocalCluster of
    n_workers processes, or the scheduler at `address`). progress: a tqdm bar over finished
    sub-networks.

    Returns an OptimizationResult with network (the Stack), p (all sub-networks' parameters;
    network.split(p) gives sub-network g's), W (k x n_groups*m, W = C Z^+ by one truncated SVD
    of the features Z of all of Y, cut-off rcond as in the sub-networks), fun
    (1/2 ||W Z - C||^2 on all of Y), subnetworks (one dict per sub-network: fun, nit, nfev,
    status, time, examples), time_train (wall time of step 2), time_glue (step 3), executor,
    disjoint.
    status 0 when every sub-network converged, 1 when some stopped at their iteration limit.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    Y = as_matrix(Y, f"Y (inputs of {element!r})", shape=(element.n_in, None))
    C = as_matrix(C, "C (targets)")
    check_columns_match(Y, C, ("Y", "C"))
    n = Y.shape[1]
    if isinstance(n_groups, bool) or int(n_groups) != n_groups or not 1 <= n_groups <= n:
        raise ValueError(f"n_groups must be an integer between 1 and the number of examples ({n}), "
                         f"got {n_groups!r}")
    n_groups = int(n_groups)
    per = n // n_groups if examples_per_group is None else examples_per_group
    if isinstance(per, bool) or int(per) != per or not 1 <= per <= n:
        raise ValueError(f"examples_per_group must be an integer between 1 and {n} (the number of "
                         f"examples), got {examples_per_group!r}")
    per = int(per)
    if not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers must be an integer >= 1, got {n_workers!r}")

    rng = np.random.default_rng(seed)
    disjoint = per * n_groups <= n
    if disjoint:  # consecutive blocks of one permutation
        order = rng.permutation(n)
        groups = [order[g * per:(g + 1) * per] for g in range(n_groups)]
    else:  # more examples wanted than there are (the paper's 104 x 2000 of 50,000): one sample each
        groups = [np.sort(rng.choice(n, per, replace=False)) for _ in range(n_groups)]
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n_groups)]
    options = dict(options, rcond=rcond)
    tasks = [(g, (g, element, Y[:, groups[g]], C[:, groups[g]], seeds[g], init_scale, options))
             for g in range(n_groups)]

    from tqdm.auto import tqdm

    start = time.perf_counter()
    with tqdm(total=n_groups, desc=f"sub-networks ({executor})", disable=not progress) as bar:
        if executor == "sequential":
            runs = _run_sequential(tasks, groups, bar)
        elif executor == "joblib":
            runs = _run_joblib(tasks, groups, bar, n_workers)
        else:
            runs = _run_dask(tasks, groups, bar, n_workers, address)
        done = {out["group"]: out for out in runs}
    time_train = time.perf_counter() - start
    missing = sorted(set(range(n_groups)) - done.keys())
    if missing:  # pragma: no cover - every executor raises first; never glue a partial network
        raise SubnetworkError(missing[0], f"sub-networks {missing} returned no result; nothing was glued")

    start = time.perf_counter()
    network = Stack([element] * n_groups)
    p = np.concatenate([done[g]["p"] for g in range(n_groups)])
    glue = VarProResidual(network, Y, C, rcond=rcond)   # W = C Z^+, the same truncation as the sub-networks'
    W, fun = glue.weights(p), glue.value(p)
    time_glue = time.perf_counter() - start

    subnetworks = [dict(done[g], examples=groups[g]) for g in range(n_groups)]
    for sub in subnetworks:
        del sub["p"]
    converged = all(s["status"] == 0 for s in subnetworks)
    n_limit = sum(s["status"] == 1 for s in subnetworks)
    return OptimizationResult(
        x=np.concatenate([p, vec(W)]), p=p, W=W, network=network, fun=fun,
        status=0 if converged else 1, success=converged,
        message=(f"{n_groups} sub-networks trained ({executor}) and glued by one least-squares "
                 f"solve; " + ("all converged" if converged else
                               f"{n_limit} stopped at their iteration limit")),
        subnetworks=subnetworks, time_train=time_train, time_glue=time_glue,
        time=time_train + time_glue, executor=executor, disjoint=disjoint, nit=max(s["nit"] for s in subnetworks),
        nfev=sum(s["nfev"] for s in subnetworks))
