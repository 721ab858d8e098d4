"""Sub-networks trained apart and glued (Pereyra et al.): every executor, the same network.

The executors run for real: joblib with two worker processes and a Dask LocalCluster of two
workers. A failing sub-network, or a worker that dies, must stop the run with its name.
"""
import os

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from meganet.kernels import dense_kernel
from meganet.layers import QuadraticScalarization, SingleLayer
from meganet.networks import Stack
from meganet.optim import (EXECUTORS, SubnetworkError, bootstrap_subnetworks, guess_labels,
                           train_subnetworks, varpro_least_squares)

MARK = 7.0   # a pixel value no image has: the element below fails on the group that holds it


def _data(n=120, seed=0):
    from meganet.data import digits_data
    Y, C = digits_data(seed=seed)
    return Y[:, :n], C[:, :n]


def _group_of(index, n, n_groups, seed):
    order = np.random.default_rng(seed).permutation(n)
    return int(np.flatnonzero(order == index)[0] // (n // n_groups))


class FailsOnMark(QuadraticScalarization):
    """Raises (or, with die=True, kills its process) when its batch holds the marked example."""

    def __init__(self, L, m, die=False):
        super().__init__(L, m)
        self.die = die

    def _forward(self, p, Y):
        if np.any(Y == MARK):
            if self.die:
                os._exit(3)
            raise FloatingPointError("marked example")
        return super()._forward(p, Y)


@pytest.fixture(scope="module")
def trained():
    """The same training with every executor (two workers where parallel)."""
    Y, C = _data()
    element = QuadraticScalarization(8, 4)
    return Y, C, element, {ex: train_subnetworks(element, Y, C, 4, executor=ex, n_workers=2, seed=3,
                                                 max_nfev=8)
                           for ex in EXECUTORS}


def test_every_executor_gives_the_same_network_bit_for_bit(trained):
    *_, results = trained
    ref = results["sequential"]
    for executor, result in results.items():
        assert result.executor == executor
        assert np.array_equal(result.p, ref.p), executor
        assert np.array_equal(result.W, ref.W), executor


def test_the_glued_network_is_the_stack_of_the_sub_networks(trained):
    Y, C, element, results = trained
    result = results["joblib"]
    assert isinstance(result.network, Stack) and result.network.n_out == 16
    # each sub-network is the VarPro fit on its own group, from its own seed
    subs = result.subnetworks
    groups = [s["examples"] for s in subs]
    assert sorted(np.concatenate(groups).tolist()) == list(range(120))      # disjoint, all used
    seed_g = int(np.random.SeedSequence(3).spawn(4)[1].generate_state(1)[0])
    # as in the workers: one BLAS thread and C-ordered data (BLAS rounds differently with
    # more threads or the other memory order, and LM steps magnify the difference)
    Y1, C1 = np.ascontiguousarray(Y[:, groups[1]]), np.ascontiguousarray(C[:, groups[1]])
    with threadpool_limits(1):
        alone = varpro_least_squares(element, Y1, C1, element.initial_parameters(seed=seed_g), max_nfev=8)
    assert np.array_equal(result.network.split(result.p)[1], alone.p)
    # the glue: one least-squares solve for all output weights on all the data
    Z = result.network.forward(result.p, Y)
    np.testing.assert_allclose(result.W, np.linalg.lstsq(Z.T, C.T, rcond=None)[0].T, atol=1e-8)
    assert result.fun == pytest.approx(0.5 * np.sum((result.W @ Z - C) ** 2))


def test_the_glued_network_fits_better_than_any_sub_network_alone(trained):
    Y, C, element, results = trained
    result = results["sequential"]
    for p_g in result.network.split(result.p):
        Z = element.forward(p_g, Y)
        W = np.linalg.lstsq(Z.T, C.T, rcond=None)[0].T
        assert 0.5 * np.sum((W @ Z - C) ** 2) > result.fun


def test_overlapping_groups_when_they_cannot_be_disjoint():
    Y, C = _data(60)
    result = train_subnetworks(QuadraticScalarization(8, 2), Y, C, 4, examples_per_group=40,
                               executor="sequential", max_nfev=3)
    assert not result.disjoint
    for sub in result.subnetworks:
        assert len(set(sub["examples"].tolist())) == 40


def test_works_with_vectorised_units_too():
    Y, C = _data()
    result = train_subnetworks(SingleLayer(dense_kernel(3, 64), "sigmoid"), Y, C, 2,
                               executor="sequential", max_nfev=5)
    assert result.network.n_params == 2 * (64 * 3 + 3)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_failing_sub_network_is_named_and_nothing_is_glued(executor):
    Y, C = _data()
    Y = Y.copy()
    Y[0, 17] = MARK
    g = _group_of(17, 120, 4, seed=5)
    with pytest.raises(SubnetworkError, match=f"sub-network {g} .*FloatingPointError: marked example") as err:
        train_subnetworks(FailsOnMark(8, 2), Y, C, 4, executor=executor, seed=5, max_nfev=3)
    assert err.value.group == g


@pytest.mark.parametrize("executor", ["joblib", "dask"])
def test_a_worker_that_dies_stops_the_run_with_a_clear_error(executor):
    Y, C = _data()
    Y = Y.copy()
    Y[0, 17] = MARK
    g = _group_of(17, 120, 4, seed=5)
    with pytest.raises(SubnetworkError) as err:
        train_subnetworks(FailsOnMark(8, 2, die=True), Y, C, 4, executor=executor, seed=5, max_nfev=3)
    message = str(err.value)
    # neither executor knows which task killed the worker: both name the sub-networks lost with it
    assert "worker died" in message and str(g) in message and "no network was glued" in message


def test_bad_arguments_are_named():
    Y, C = _data()
    element = QuadraticScalarization(8, 2)
    with pytest.raises(ValueError, match="executor must be one of"):
        train_subnetworks(element, Y, C, 2, executor="threads")
    with pytest.raises(ValueError, match="n_groups must be an integer between 1 and"):
        train_subnetworks(element, Y, C, 0)
    with pytest.raises(ValueError, match="examples_per_group must be an integer between 1 and 120"):
        train_subnetworks(element, Y, C, 2, examples_per_group=500)
    with pytest.raises(ValueError, match="Y .*shape"):
        train_subnetworks(element, Y[:10], C, 2)


def test_guess_labels_follows_the_margin_rule():
    S = np.array([[0.9, 0.50, 0.40, 0.1],
                  [0.1, 0.45, 0.35, 0.0],
                  [0.0, 0.00, 0.30, 0.9]])
    C_guess, ambiguous = guess_labels(S, margin=0.2, seed=0)
    assert ambiguous.tolist() == [False, True, True, False]
    labels = C_guess.argmax(0)
    assert labels[0] == 0 and labels[3] == 2
    assert labels[1] in (0, 1) and labels[2] in (0, 1, 2)      # a class within the margin
    # random among the candidates: over many seeds, each candidate is drawn
    drawn = {int(guess_labels(S, 0.2, seed=s)[0][:, 2].argmax()) for s in range(40)}
    assert drawn == {0, 1, 2}
    assert np.all(C_guess.sum(0) == 1)


def test_bootstrapping_never_sees_the_true_labels_and_retrains_on_the_guesses():
    Y, C = _data(200)
    element = QuadraticScalarization(8, 3)
    Y_train, C_train, Y_test = Y[:, :120], C[:, :120], Y[:, 120:]
    result = bootstrap_subnetworks(element, Y_train, C_train, Y_test, 2, executor="sequential",
                                   max_nfev=5)
    assert result.guessed.shape == (10, 80) and result.ambiguous.shape == (80,)
    first = result.first
    S = first.W @ first.network.forward(first.p, Y_test)
    confident = ~result.ambiguous
    assert np.array_equal(result.guessed[:, confident].argmax(0), S[:, confident].argmax(0))
    # the retraining used train + test images: each of its two groups has 100 examples
    assert [len(s["examples"]) for s in result.subnetworks] == [100, 100]
