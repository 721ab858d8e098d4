"""Single-layer training: the objective's bookkeeping, SGD/Adam, VarPro's elimination of W."""
import numpy as np
import pytest

from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.losses import LeastSquares, SoftmaxCrossEntropy
from meganet.linalg import to_dense
from meganet.objectives import (SingleLayerObjective, random_direction, residual_jacobian,
                                singular_values, slice_1d, slice_2d)
from meganet.optim import (VarProObjective, extreme_learning_machine, newton_cg, sgd,
                           varpro)


def _problem(n=60, seed=0, loss=SoftmaxCrossEntropy()):
    rng = np.random.default_rng(seed)
    Y = rng.uniform(-1, 1, (2, n))
    labels = (Y[0] * Y[1] > 0).astype(int)          # XOR-like: not linearly separable
    C = np.eye(2)[:, labels]
    layer = SingleLayer(dense_kernel(8, 2), "tanh")
    return SingleLayerObjective(layer, loss, Y, C, alpha_p=1e-4, alpha_W=1e-4), rng


def _least_squares_W(f, p):
    """argmin_W 1/(2n)||W Z1 - C||^2 + alpha/2 ||W||^2 by its normal equations (independent of
    the library's SVD path): W (Z1 Z1^T / n + alpha I) = C Z1^T / n."""
    Z1, n = f.features(p), f.Y.shape[1]
    M = Z1 @ Z1.T / n + f.alpha_W * np.eye(Z1.shape[0])
    return np.linalg.solve(M, Z1 @ f.C.T / n).T


def test_subset_is_the_objective_on_those_examples_and_scales_work():
    f, rng = _problem()
    x = rng.standard_normal(f.n)
    cols = np.arange(10)
    sub = f.subset(cols)
    p, W = f.split(x)
    expected = SoftmaxCrossEntropy().value(W @ f.features(p)[:, cols], f.C[:, cols])
    assert np.isclose(sub(x) - 0.5e-4 * (x @ x), expected)
    sub.derivatives(x)
    assert np.isclose(sub.work, (1 + 2) * 10 / 60)  # one forward pass, then forward and backward


def test_varpro_W_is_the_minimiser_for_least_squares():
    f, rng = _problem(loss=LeastSquares())
    p = rng.standard_normal(f.n_p)
    W = VarProObjective(f).solve_W(p)
    assert np.allclose(W, _least_squares_W(f, p))
    assert np.linalg.norm(f.linearize(p, W)[2]) < 1e-10   # grad_W J(p, W(p)) = 0


def test_varpro_W_is_the_minimiser_for_softmax():
    f, rng = _problem()
    p = rng.standard_normal(f.n_p)
    reduced = VarProObjective(f, inner_atol=1e-10)
    W = reduced.solve_W(p)
    assert np.linalg.norm(f.linearize(p, W)[2]) < 1e-9   # grad_W J(p, W(p)) = 0


def test_varpro_reduced_gradient_equals_full_gradient_in_p():
    f, rng = _problem()
    p = rng.standard_normal(f.n_p)
    reduced = VarProObjective(f, inner_atol=1e-12)
    J, g, _ = reduced.derivatives(p)
    Jf, gf, _ = f.derivatives(reduced.x_full(p))
    assert np.isclose(J, Jf) and np.allclose(g, gf[:f.n_p])


def test_training_methods_reduce_the_objective_and_record_work():
    f, rng = _problem()
    p0 = rng.standard_normal(f.n_p)
    x0 = np.concatenate([p0, np.zeros(f.n - f.n_p)])
    start = f(x0)
    results = {
        "varpro": varpro(f, p0, maxiter=15),
        "newton": newton_cg(f, x0, maxiter=15),
        "sgd": sgd(f, x0, epochs=15, batch_size=10, learning_rate=0.1, momentum=0.9),
        "adam": sgd(f, x0, epochs=15, batch_size=10, learning_rate=0.02, method="adam"),
    }
    for name, res in results.items():
        assert f(res.x) < start, name
        work = np.array(res.history["work"], dtype=float)
        assert np.all(np.diff(work) > 0), name
    # SGD does exactly one pass of gradients (two passes: forward, backward) per epoch
    assert np.allclose(np.diff(results["sgd"].history["work"]), 2.0)


def test_sgd_is_seeded_and_takes_a_schedule():
    f, rng = _problem()
    x0 = rng.standard_normal(f.n)
    a = sgd(f, x0, epochs=3, batch_size=7, learning_rate=lambda epoch: 0.1 / epoch, seed=3)
    b = sgd(f, x0, epochs=3, batch_size=7, learning_rate=lambda epoch: 0.1 / epoch, seed=3)
    assert np.array_equal(a.x, b.x) and a.success and a.nit == 3


def test_sgd_refuses_bad_options():
    f, rng = _problem()
    with pytest.raises(ValueError, match="batch_size"):
        sgd(f, np.zeros(f.n), batch_size=0)
    with pytest.raises(ValueError, match="'sgd' or 'adam'"):
        sgd(f, np.zeros(f.n), method="rmsprop")
    with pytest.raises(ValueError, match="method must be one of"):
        varpro(f, np.zeros(f.n_p), method="bfgs")


def test_single_layer_objective_refuses_bad_data():
    layer = SingleLayer(dense_kernel(4, 2), "tanh")
    with pytest.raises(ValueError, match="2 rows"):
        SingleLayerObjective(layer, SoftmaxCrossEntropy(), np.ones((3, 5)), np.eye(2)[:, [0, 1, 0, 1, 0]])
    with pytest.raises(ValueError, match="one-hot"):
        SingleLayerObjective(layer, SoftmaxCrossEntropy(), np.ones((2, 5)), np.ones((2, 5)))
    with pytest.raises(ValueError, match="unknown activation"):
        SingleLayer(dense_kernel(4, 2), "swish")


def test_elm_solves_only_the_classifier():
    f, _ = _problem(loss=LeastSquares())
    res = extreme_learning_machine(f, seed=4)
    p, W = f.split(res.x)
    assert np.allclose(p, res.p)
    assert np.allclose(W, _least_squares_W(f, p))


def test_landscape_slices_pass_through_the_point():
    f, rng = _problem()
    x = rng.standard_normal(f.n)
    d1 = random_direction(x, blocks=[f.n_p, f.n - f.n_p], seed=1)
    d2 = random_direction(x, seed=2)
    assert np.isclose(np.linalg.norm(d1[:f.n_p]), np.linalg.norm(x[:f.n_p]))
    t = np.linspace(-1, 1, 5)
    assert np.isclose(slice_1d(f, x, d1, t)[2], f(x))
    grid = slice_2d(f, x, d1, d2, t, t[:3])
    assert grid.shape == (3, 5) and np.isclose(grid[2, 2], f(x)) and np.isclose(grid[0, 2], f(x - d2))


def test_conditioning_singular_values_match_numpy():
    f, rng = _problem(n=20, loss=LeastSquares())
    x = rng.standard_normal(f.n)
    J = residual_jacobian(f, x)
    assert np.allclose(singular_values(J), np.linalg.svd(to_dense(J), compute_uv=False))
    assert J.shape == (2 * 20, f.n)


def test_callback_values_are_recorded_and_stop_ends_the_run():
    f, rng = _problem()
    calls = []

    def callback(x):
        calls.append(x.size)
        return {"n_calls": len(calls), "stop": len(calls) == 3}

    res = varpro(f, rng.standard_normal(f.n_p), maxiter=10, callback=callback)
    assert res.status == 3 and res.history["n_calls"] == [1, 2, 3]
    assert calls == [f.n] * 3       # VarPro's callback sees the full point [p; vec(W(p))]


@pytest.mark.parametrize("method", ["varpro", "newton_cg", "sgd", "adam", "elm"])
def test_train_single_layer_records_errors_for_every_method(method):
    from meganet.data import peaks_data
    from meganet.optim import train_single_layer

    Y, C = peaks_data(100, 3, seed=0)
    Yv, Cv = peaks_data(100, 3, seed=1)
    options = {"elm": {}, "sgd": {"epochs": 3}, "adam": {"epochs": 3}}.get(method, {"maxiter": 3})
    res = train_single_layer(Y, C, Yv, Cv, method=method, width=6, **options)
    assert 0 <= res.history["val_error"][-1] <= 1 and "train_error" in res.history
    assert np.isclose(res.history["val_error"][-1], 1 - res.objective.accuracy(res.x, Yv, Cv))


def test_train_single_layer_stops_at_the_target():
    from meganet.data import peaks_data
    from meganet.optim import train_single_layer

    Y, C = peaks_data(100, 2, seed=0)
    res = train_single_layer(Y, C, Y, C, method="newton_cg", width=6, maxiter=50, target_error=0.5)
    assert res.status == 3 and res.history["val_error"][-1] <= 0.5


def test_gauss_newton_operator_becomes_a_dense_symmetric_matrix():
    f, rng = _problem(n=20)
    H = to_dense(f.derivatives(rng.standard_normal(f.n))[2])   # matmat passes (n, 1) columns
    assert H.shape == (f.n, f.n) and np.allclose(H, H.T)


def test_varpro_least_squares_W_exists_without_regularisation():
    """alpha_W = 0 with more hidden features than examples: the pseudo-inverse still answers."""
    f, rng = _problem(n=5, loss=LeastSquares())
    f.alpha_W = 0.0
    W = VarProObjective(f).solve_W(rng.standard_normal(f.n_p))
    assert np.all(np.isfinite(W))


def test_gradient_alone_equals_the_gradient_of_derivatives_and_a_mini_batch_is_the_same_objective():
    """SGD's step calls `gradient` on a `subset`: the same numbers as `derivatives` on an objective
    built from those columns, without the Hessian operators or a second check of the data."""
    import numpy as np

    from meganet.data import peaks_data
    from meganet.kernels import dense_kernel
    from meganet.layers import SingleLayer
    from meganet.losses import SoftmaxCrossEntropy
    from meganet.networks import peaks_resnet
    from meganet.objectives import NetworkObjective

    Y, C = peaks_data(200, 5, seed=0)
    columns = np.random.default_rng(0).permutation(200)[:32]
    for network in (SingleLayer(dense_kernel(12, 2), "tanh"), peaks_resnet()):
        full = NetworkObjective(network, SoftmaxCrossEntropy(), Y, C, alpha_p=1e-3, alpha_W=1e-4)
        x = np.random.default_rng(1).standard_normal(full.n) * 0.3
        J, g, _ = full.derivatives(x)
        J2, g2 = full.gradient(x)
        assert J2 == J and np.array_equal(g2, g)
        batch = full.subset(columns)
        built = NetworkObjective(network, SoftmaxCrossEntropy(), Y[:, columns], C[:, columns],
                                 alpha_p=1e-3, alpha_W=1e-4)
        Jb, gb = batch.gradient(x)
        assert Jb == built.derivatives(x)[0] and np.array_equal(gb, built.derivatives(x)[1])
        assert batch.work == 2 * 32 / 200 and full.work == 4  # the meter: a gradient costs 2 passes


def test_train_newton_cg_defaults_to_the_trust_region_and_still_runs_the_line_search():
    """METHOD_DEFAULTS["newton_cg"] is the preconditioned trust region; a caller's
    globalization="line_search" drops the defaults' trust-region-only options (not the caller's)."""
    from meganet.data import peaks_data
    from meganet.optim import METHOD_DEFAULTS, train_single_layer
    from meganet.optim.train import TRUST_REGION_OPTIONS

    Y, C = peaks_data(100, 3, seed=0)
    defaults = dict(METHOD_DEFAULTS["newton_cg"])
    assert defaults["globalization"] == "trust_region"
    tr = train_single_layer(Y, C, method="newton_cg", width=6, maxiter=3)
    assert "radius" in tr.history and "Newton-CG (trust region)" in tr.message

    ls = train_single_layer(Y, C, method="newton_cg", width=6, maxiter=3, globalization="line_search")
    assert "radius" not in ls.history and tr.message != ls.message
    # the same run as newton_cg's line search with the defaults that apply to it
    x0 = np.concatenate([ls.objective.network.initial_parameters(0), np.zeros(ls.objective.n - ls.objective.n_p)])
    kept = {k: v for k, v in defaults.items() if k not in TRUST_REGION_OPTIONS and k != "globalization"}
    direct = newton_cg(ls.objective, x0, maxiter=3, **kept)
    np.testing.assert_array_equal(ls.x, direct.x)
    assert METHOD_DEFAULTS["newton_cg"] == defaults          # the defaults themselves are unchanged
    # a trust-region option the caller gives is kept, and the line search refuses it
    with pytest.raises(TypeError, match="ftol"):
        train_single_layer(Y, C, method="newton_cg", width=6, maxiter=3, globalization="line_search", ftol=1e-3)
