"""Reading runs at a budget (at_budget, keep_iterates, cpu_time), and SAA against SA."""
import numpy as np
import pytest

from meganet.data import peaks_data
from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.optim import (History, OptimizationResult, at_budget, constant_rate,
                           sample_average_approximation, stochastic_approximation, train,
                           train_single_layer)

NETWORK = SingleLayer(dense_kernel(4, 2), "tanh")


def sample(n, seed):
    return peaks_data(n, 3, seed=seed)


def _result(**columns):
    history = History()
    for row in zip(*columns.values()):
        history.record(**dict(zip(columns, row)))
    return OptimizationResult(x=np.zeros(1), history=history)


def test_at_budget_reads_the_last_record_within_and_the_best_before_it():
    run = _result(work=[0, 3, 6, 9, 12], val_error=[0.5, 0.2, 0.3, 0.1, 0.05], fun=[5, 4, 3, 2, 1])
    out = at_budget(run, 10)
    assert out["last"]["index"] == 3 and out["last"]["work"] == 9 and out["last"]["fun"] == 2
    assert out["best"]["index"] == 3 and out["best"]["val_error"] == 0.1
    out = at_budget(run, 8)            # the best is among the records within the budget only
    assert out["last"]["index"] == 2 and out["best"]["index"] == 1
    assert at_budget(run, np.inf)["last"]["index"] == 4
    assert at_budget(_result(work=[0, 1], fun=[2, 1]), 1)["best"] is None   # no val_error
    tied = _result(work=[0, 1, 2], val_error=[0.3, 0.1, 0.1])
    assert at_budget(tied, 2)["best"]["index"] == 1                         # the first of equals
    assert at_budget(run, 7.5, key="fun")["last"]["index"] == 4


def test_at_budget_refuses_budgets_it_cannot_read():
    run = _result(work=[2, 3], val_error=[0.5, 0.2])
    with pytest.raises(ValueError, match="no record has work <= 1"):
        at_budget(run, 1)
    with pytest.raises(ValueError, match="no column 'cpu_time'"):
        at_budget(run, 1, key="cpu_time")
    with pytest.raises(ValueError, match="nan"):
        at_budget(run, np.nan)


@pytest.mark.parametrize("method, options", [("newton_cg", dict(maxiter=50, cg_maxiter=5)),
                                             ("varpro", dict(maxiter=50, cg_maxiter=5))])
def test_a_run_over_max_work_is_read_within_it(method, options):
    Y, C = sample(60, 0)
    budget = 100                        # between two records of either method
    run = train_single_layer(Y, C, Y, C, method=method, width=4, max_work=budget,
                             keep_iterates=True, **options)
    work = np.array(run.history["work"])
    assert work[-1] >= budget and work[-2] < budget        # stopped at the first record over
    last = at_budget(run, budget)["last"]
    assert last["index"] == len(work) - 2 and last["work"] <= budget
    # the kept iterate is the point the record describes
    assert np.isclose(last["val_error"], 1 - run.objective.accuracy(last["x"], Y, C))
    assert np.isclose(last["fun"], run.objective(last["x"]), rtol=1e-10)


def test_keep_iterates_and_cpu_time_are_recorded_for_every_row():
    Y, C = sample(50, 0)
    run = train_single_layer(Y, C, Y, C, method="sgd", width=4, epochs=3, keep_iterates=True)
    assert len(run.history["x"]) == len(run.history["fun"]) == 4
    assert np.array_equal(run.history["x"][-1], run.x)
    assert not np.array_equal(run.history["x"][0], run.history["x"][-1])   # copies, not one array
    cpu = np.array(run.history["cpu_time"])
    assert cpu[0] >= 0 and np.all(np.diff(cpu) >= 0)
    plain = train_single_layer(Y, C, Y, C, method="sgd", width=4, epochs=3)
    assert "x" not in plain.history and np.array_equal(plain.x, run.x)      # nothing else changes


def test_saa_solves_each_sample_within_a_shared_budget_of_example_evaluations():
    Yv, Cv = sample(200, 1)
    rows = sample_average_approximation(sample, [40, 80], [10, 11], Yv, Cv, network=NETWORK,
                                        evaluations=4000, maxiter=100, cg_maxiter=5)
    assert [row["n"] for row in rows] == [40, 80] and [row["seed"] for row in rows] == [10, 11]
    for row in rows:
        run = row["result"]
        assert run.objective.Y.shape[1] == row["n"]
        assert np.array_equal(run.objective.Y, sample(row["n"], row["seed"])[0])
        assert row["evaluations"] == row["passes"] * row["n"] <= 4000
        assert row["passes"] == at_budget(run, 4000 / row["n"])["last"]["work"]
        assert row["gap"] == pytest.approx(row["val_error"] - row["train_error"])
    # without a budget a row is the run's last record
    row, = sample_average_approximation(sample, [40], [10], Yv, Cv, network=NETWORK,
                                        method="newton_cg", maxiter=3)
    run = row["result"]
    assert row["val_error"] == pytest.approx(1 - run.objective.accuracy(run.x, Yv, Cv))
    assert row["passes"] == run.history["work"][-1]


def test_sa_streams_fresh_chunks_each_used_once():
    Yv, Cv = sample(100, 1)
    calls, rates = [], []

    def recording_sample(n, seed):
        calls.append((n, seed))
        return sample(n, seed)

    def schedule(k):
        rates.append(k)
        return 0.05

    run = stochastic_approximation(recording_sample, 250, Yv, Cv, network=NETWORK,
                                   chunk_size=100, first_seed=500, learning_rate=schedule,
                                   batch_size=10)
    assert calls == [(100, 500), (100, 501), (50, 502)] and rates == [1, 2, 3]
    assert run.history["examples"] == [100, 200, 250]
    assert run.history["evaluations"] == [200, 400, 500]       # forward and backward per example
    assert run.history["val_error"][-1] == pytest.approx(1 - run.objective.accuracy(run.x, Yv, Cv))
    assert run.nit == 3 and run.success


def test_sa_with_one_chunk_is_one_epoch_of_sgd_on_that_sample():
    Yv, Cv = sample(100, 1)
    run = stochastic_approximation(sample, 80, Yv, Cv, network=NETWORK, chunk_size=100,
                                   first_seed=7, learning_rate=constant_rate(0.05), seed=3)
    Y, C = sample(80, 7)
    direct = train(NETWORK, Y, C, method="sgd", epochs=1, learning_rate=0.05, seed=3)
    assert np.array_equal(run.x, direct.x)


@pytest.mark.parametrize("call, match", [
    (lambda Yv, Cv: sample_average_approximation("peaks", [10], [1], Yv, Cv, network=NETWORK), "sample must be a function"),
    (lambda Yv, Cv: sample_average_approximation(sample, [10, 20], [1], Yv, Cv, network=NETWORK), "one seed per sample size"),
    (lambda Yv, Cv: sample_average_approximation(sample, [10, 20], [1, 1], Yv, Cv, network=NETWORK), "seeds must differ"),
    (lambda Yv, Cv: sample_average_approximation(sample, [0], [1], Yv, Cv, network=NETWORK), "sample size"),
    (lambda Yv, Cv: sample_average_approximation(sample, [10], [1], Yv, Cv, network=NETWORK, evaluations=-5), "evaluations"),
    (lambda Yv, Cv: stochastic_approximation(sample, 0, Yv, Cv, network=NETWORK), "n_examples"),
    (lambda Yv, Cv: stochastic_approximation(sample, 10, Yv, Cv, network=NETWORK, method="varpro"), "'sgd' or 'adam'"),
    (lambda Yv, Cv: stochastic_approximation(sample, 10, Yv, Cv, network=NETWORK, chunk_size=2.5), "chunk_size"),
    (lambda Yv, Cv: stochastic_approximation(sample, 10, Yv, Cv, network=NETWORK, batch_size=0), "batch_size"),
])
def test_saa_and_sa_refuse_bad_input(call, match):
    Yv, Cv = sample(20, 1)
    with pytest.raises(ValueError, match=match):
        call(Yv, Cv)
