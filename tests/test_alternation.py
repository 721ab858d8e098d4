"""Positive hard thresholding, fixed support and alternation between weights and support.

The Taylor and adjoint tests of PHT, the masked layers and masked networks are in the derivative
families (support_cases in tests/derivative_cases.py); here: what is special to fixed supports.
"""
import numpy as np
import pytest

from meganet.data import peaks_data
from meganet.kernels import ConvZero, average_pooling, dense_kernel
from meganet.layers import (LinearMap, MaskedLayer, SingleLayer, fix_support, forward_with_support, pht,
                            support_masks, threshold_of, thresholding_layers)
from meganet.losses import SoftmaxCrossEntropy
from meganet.networks import Chain, ResNet
from meganet.objectives import NetworkObjective
from meganet.optim import FixedSupportObjective, alternation, sgd



def _mlp(tau=0.0, bias="feature", widths=(6, 5)):
    return Chain([SingleLayer(dense_kernel(widths[0], 2), pht(tau), bias),
                  SingleLayer(dense_kernel(widths[1], widths[0]), pht(tau), bias),
                  SingleLayer(dense_kernel(3, widths[1]), "identity", bias)])


def _cnn(tau=0.0):
    """conv 1 -> 2 channels (PHT), 2x2 average pooling, conv 2 -> 3 channels (ReLU): 6x6 images."""
    return Chain([SingleLayer(ConvZero((6, 6), (3, 3), 1, 2), pht(tau), "channel"),
                  LinearMap(average_pooling((6, 6), 2, 2)),
                  SingleLayer(ConvZero((3, 3), (3, 3), 2, 3), "relu", "channel")])


def _random_masks(network, n, rng, density=0.6):
    return [rng.random((network.elements[k].n_out, n)) < density for k in thresholding_layers(network)]


# --- PHT --------------------------------------------------------------------------------------

def test_pht_is_x_times_the_indicator_and_relu_for_tau_zero():
    x = np.array([-1.0, 0.0, 0.05, 0.1, 0.1000001, 2.0])
    assert np.array_equal(pht(0.1)(x), [0.0, 0.0, 0.0, 0.0, 0.1000001, 2.0])
    assert np.array_equal(pht(0.1).df(x), [0, 0, 0, 0, 1, 1])
    assert np.array_equal(pht(0.0)(x), np.maximum(x, 0)) and pht().tau == 0.0
    assert threshold_of(pht(0.3)) == 0.3 and threshold_of("relu") == 0.0 and threshold_of("tanh") is None


@pytest.mark.parametrize("tau", [-0.1, np.nan, np.inf, "a", None])
def test_pht_refuses_a_bad_threshold(tau):
    with pytest.raises(ValueError, match="tau"):
        pht(tau)


# --- fixed support: the masked network -------------------------------------------------------

@pytest.mark.parametrize("make", [_mlp, _cnn], ids=["MLP", "CNN"])
@pytest.mark.parametrize("tau", [0.0, 0.2])
def test_masked_network_at_the_support_is_the_pht_network(make, tau):
    """masks = 1[A_l > tau] at the current p: the same output bit for bit, the same derivatives."""
    rng = np.random.default_rng(0)
    net = make(tau)
    p, Y = net.initial_parameters(seed=2), rng.standard_normal((net.n_in, 7))
    masks = support_masks(net, p, Y)
    masked = fix_support(net, masks)
    Z, lin = net.linearize(p, Y)
    Zm, lin_m = masked.linearize(p, Y)
    assert np.array_equal(Zm, Z) and np.array_equal(forward_with_support(net, p, Y)[0], Z)
    assert 0 < np.mean(np.concatenate([m.ravel() for m in masks])) < 1      # a real support
    v, W, V = rng.standard_normal(net.n_params), rng.standard_normal(Z.shape), rng.standard_normal(Y.shape)
    assert np.allclose(lin_m.Jtheta(v), lin.Jtheta(v), rtol=1e-13, atol=1e-13)
    assert np.allclose(lin_m.JthetaT(W), lin.JthetaT(W), rtol=1e-13, atol=1e-13)
    assert np.allclose(lin_m.JYT(W), lin.JYT(W), rtol=1e-13, atol=1e-13)
    assert np.allclose(lin_m.JY(V), lin.JY(V), rtol=1e-13, atol=1e-13)


def test_masked_network_is_affine_in_each_layer_exactly():
    """With the masks fixed and the other layers fixed, Z(p_l + s q) = Z(p_l) + s J_{p_l} q for
    every s (no second-order term), for each layer l of an MLP and of a CNN with pooling."""
    rng = np.random.default_rng(1)
    for net in (_mlp(0.1), _cnn(0.1)):
        masked = fix_support(net, _random_masks(net, 5, rng))
        p, Y = net.initial_parameters(seed=3), rng.standard_normal((net.n_in, 5))
        Z, lin = masked.linearize(p, Y)
        for i, j in masked.slices:
            if j == i:
                continue
            q = np.zeros_like(p)
            q[i:j] = rng.standard_normal(j - i)
            Jq = lin.Jtheta(q)
            for s in (-3.0, 0.5, 10.0):
                assert np.allclose(masked.forward(p + s * q, Y), Z + s * Jq, rtol=1e-12, atol=1e-12 * np.abs(Z).max())
        # ... but jointly in two layers it is not affine (bilinear cross term)
        q = rng.standard_normal(p.size)
        assert not np.allclose(masked.forward(p + 3 * q, Y), Z + 3 * lin.Jtheta(q), atol=1e-6)


def test_masked_network_scales_with_a_layer_and_the_later_biases():
    """Masks fixed: Z(.., c p_l, c b_{l+1}, .., c b_L) = c Z, for any real c (also c < 0).
    The last layer alone, and any layer of a network without biases, scales Z by itself;
    without biases Z(c_1 p_1, .., c_L p_L) = c_1 ... c_L Z (multilinear)."""
    rng = np.random.default_rng(2)
    net = _mlp(0.1)
    masked = fix_support(net, _random_masks(net, 6, rng))
    p, Y = net.initial_parameters(seed=4), rng.standard_normal((2, 6))
    Z = masked.forward(p, Y)
    layers = [net.elements[k] for k in range(3)]
    for l, (i, j) in enumerate(masked.slices):
        for c in (2.0, -3.0):
            q = p.copy()
            q[i:j] *= c
            for k in range(l + 1, 3):                   # the biases of the later layers
                a, b = masked.slices[k]
                q[a + layers[k].kernel.n_theta:b] *= c
            assert np.allclose(masked.forward(q, Y), c * Z, rtol=1e-13, atol=1e-13)
    i, j = masked.slices[-1]
    q = p.copy()
    q[i:j] *= 2
    assert np.allclose(masked.forward(q, Y), 2 * Z, rtol=1e-13, atol=1e-13)
    q = p.copy()
    q[slice(*masked.slices[0])] *= 2                    # doubling a first layer alone: not 2 Z
    assert not np.allclose(masked.forward(q, Y), 2 * Z)

    free = _mlp(0.1, bias=None)
    masked = fix_support(free, _random_masks(free, 6, rng))
    p = free.initial_parameters(seed=5)
    Z = masked.forward(p, Y)
    c = np.array([2.0, -0.5, 3.0])
    q = np.concatenate([ck * pk for ck, pk in zip(c, masked.split(p))])
    assert np.allclose(masked.forward(q, Y), c.prod() * Z, rtol=1e-13, atol=1e-13)


def test_the_pht_network_is_not_multilinear():
    """Re-estimated supports break it: with tau > 0 doubling the last PHT layer's weights changes
    which units pass (the output is not 2 Z); ReLU without biases is homogeneous only for c > 0."""
    rng = np.random.default_rng(3)
    Y = rng.standard_normal((2, 50))
    net = Chain([SingleLayer(dense_kernel(6, 2), pht(0.3)), SingleLayer(dense_kernel(5, 6), pht(0.3))])
    p = net.initial_parameters(seed=6)
    i, j = net.slices[1]
    q = p.copy()
    q[i:j] *= 2
    assert not np.allclose(net.forward(q, Y), 2 * net.forward(p, Y))
    relu = Chain([SingleLayer(dense_kernel(6, 2), "relu", None), SingleLayer(dense_kernel(5, 6), "relu", None)])
    p = relu.initial_parameters(seed=6)
    Z = relu.forward(p, Y)
    i, j = relu.slices[0]
    for c, homogeneous in ((2.0, True), (-1.0, False)):
        q = p.copy()
        q[i:j] *= c
        assert np.allclose(relu.forward(q, Y), c * Z) == homogeneous


def test_masked_layer_and_fix_support_refuse_bad_masks():
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="5 rows"):
        MaskedLayer(dense_kernel(5, 3), np.ones((4, 2)))
    with pytest.raises(ValueError, match="only 0 and 1"):
        MaskedLayer(dense_kernel(2, 3), np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="only 0 and 1"):
        MaskedLayer(dense_kernel(2, 3), np.array([["a", "b"], ["c", "d"]]))
    layer = MaskedLayer(dense_kernel(2, 3), np.ones((2, 4)))
    with pytest.raises(ValueError, match="mask has 4 columns"):
        layer.forward(np.zeros(layer.n_params), rng.standard_normal((3, 5)))
    net = _mlp()
    with pytest.raises(ValueError, match="expected 2 masks"):
        fix_support(net, [np.ones((6, 3), bool)])
    with pytest.raises(ValueError, match="same number of columns"):
        fix_support(net, [np.ones((6, 3), bool), np.ones((5, 4), bool)])
    for bad in (Chain([SingleLayer(dense_kernel(3, 2), "tanh")]),
                ResNet(SingleLayer(dense_kernel(2, 2), "relu"), 2, 1.0)):
        with pytest.raises(ValueError, match="support"):
            thresholding_layers(bad)
    with pytest.raises(ValueError, match="shape"):
        forward_with_support(net, net.initial_parameters(), np.zeros((3, 4)))


def test_fixed_support_objective_takes_the_batch_columns_of_the_masks():
    rng = np.random.default_rng(5)
    net, n = _mlp(), 20
    Y, C = rng.standard_normal((2, n)), np.eye(3)[:, rng.integers(0, 3, n)]
    masks = _random_masks(net, n, rng)
    full = FixedSupportObjective(net, masks, SoftmaxCrossEntropy(), Y, C, 1e-3, 1e-3)
    x = rng.standard_normal(full.n)
    columns = np.array([3, 7, 11, 19])
    batch = full.subset(columns)
    alone = FixedSupportObjective(net, [M[:, columns] for M in masks], SoftmaxCrossEntropy(), Y[:, columns],
                                  C[:, columns], 1e-3, 1e-3)
    assert np.allclose(batch.derivatives(x)[1], alone.derivatives(x)[1], rtol=1e-14, atol=0)
    assert np.isclose(batch.work_scale, 4 / 20)
    with pytest.raises(ValueError, match="one column per example"):
        FixedSupportObjective(net, [M[:, :5] for M in masks], SoftmaxCrossEntropy(), Y, C)


# --- the alternation ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def peaks():
    Y, C = peaks_data(300, 3, seed=0)
    return Y[:, :200], C[:, :200], Y[:, 200:], C[:, 200:]


def _net():
    return Chain([SingleLayer(dense_kernel(8, 2), pht(0.0)), SingleLayer(dense_kernel(8, 8), pht(0.05))])


def test_b_alternation_with_one_step_per_mask_is_the_library_sgd(peaks):
    Y, C, *_ = peaks
    net = _net()
    p0 = net.initial_parameters(seed=1)
    objective = NetworkObjective(net, SoftmaxCrossEntropy(), Y, C, 1e-3, 1e-6)
    x0 = np.concatenate([p0, np.zeros(objective.n - net.n_params)])
    schedule = lambda epoch: 0.05 if epoch < 3 else 0.005
    ref = sgd(objective, x0, epochs=4, batch_size=16, learning_rate=schedule, momentum=0.9, seed=7)
    run = alternation(net, Y, C, mode="B", inner_steps=1, warm_epochs=1, maxiter=3, p0=p0, batch_size=16,
                      learning_rate=schedule, momentum=0.9, seed=7)
    assert np.array_equal(run.x, ref.x)
    assert np.allclose(run.history["work"], ref.history["work"]) and run.nfev == ref.nfev


@pytest.mark.parametrize("options", [dict(mode="I"), dict(mode="I", inner_epochs=2),
                                     dict(mode="I", solver="gauss_newton", newton_maxiter=3),
                                     dict(mode="B", inner_steps=3)],
                         ids=["I sgd", "I sgd 2 epochs", "I Gauss-Newton", "B 3 steps"])
def test_alternation_records_the_jumps_and_stops_at_maxiter(peaks, options):
    Y, C, Y_val, C_val = peaks
    net = _net()
    run = alternation(net, Y, C, Y_val, C_val, warm_epochs=2, maxiter=4, learning_rate=0.02, seed=0, **options)
    h = run.history.as_arrays()
    assert run.status == 1 and run.nit == 4 and not run.success and "maximum number" in run.message
    assert len(h["fun"]) == 1 + 2 + 4 and np.array_equal(h["round"], [0, 0, 0, 1, 2, 3, 4])
    rounds = h["round"] > 0
    assert np.all(np.isnan(h["jump"][~rounds])) and np.all(np.isfinite(h["jump"][rounds]))
    assert np.allclose(h["jump"][rounds], h["fun_after"][rounds] - h["fun_before"][rounds])
    assert np.all((0 <= h["mask_change"][rounds]) & (h["mask_change"][rounds] <= 1))
    assert all(len(c) == 2 for c in run.history["mask_change_layers"][3:])
    assert np.all(np.diff(h["work"]) > 0) and np.all(np.diff(h["time"]) >= 0)
    assert np.all(np.isfinite(h["val_error"])) and h["fun"][-1] < h["fun"][0]
    if options["mode"] == "I":
        # fun_after is the PHT objective at the final weights of the round: the row's fun
        assert np.allclose(h["fun_after"][rounds], h["fun"][rounds], rtol=1e-12)
        objective = NetworkObjective(net, SoftmaxCrossEntropy(), Y, C, 1e-3, 1e-6)
        assert np.isclose(objective(run.x), run.fun, rtol=1e-12)
        assert [m.shape for m in run.masks] == [(8, 200), (8, 200)]
        assert all(np.array_equal(a, b) for a, b in zip(run.masks, support_masks(net, run.p, Y)))
        # fun_before is the masked objective with the masks of the round, at its final weights
        fixed = FixedSupportObjective(net, run.masks, SoftmaxCrossEntropy(), Y, C, 1e-3, 1e-6)
        assert np.isclose(fixed(run.x), run.fun, rtol=1e-12)
    else:
        assert run.masks is None


def test_gauss_newton_rounds_decrease_the_fixed_support_objective(peaks):
    """Each round starts where the masked objective equals the PHT objective (masks = support)
    and Newton-CG with Armijo only decreases it: fun_before(r) <= fun(r - 1). What happens at
    the re-estimation (the jump) is not controlled."""
    Y, C, *_ = peaks
    run = alternation(_net(), Y, C, mode="I", solver="gauss_newton", warm_epochs=1, maxiter=5, newton_maxiter=3)
    h = run.history.as_arrays()
    assert np.all(h["fun_before"][2:] <= h["fun"][1:-1] * (1 + 1e-12))
    assert np.any(h["jump"][2:] != 0)


def test_alternation_stops_at_a_fixed_support_with_status_0(peaks):
    Y, C, *_ = peaks
    run = alternation(_net(), Y, C, mode="I", warm_epochs=0, maxiter=50, learning_rate=1e-14, momentum=0.0)
    assert run.status == 0 and run.success and run.nit == 1 and run.history["mask_change"][-1] == 0.0


def test_alternation_budget_and_callback_stop_it(peaks):
    Y, C, *_ = peaks
    run = alternation(_net(), Y, C, mode="I", warm_epochs=1, maxiter=100, max_work=9.0)
    assert run.status == 1 and "budget" in run.message
    work = run.history["work"]
    assert work[-1] >= 9.0 and work[-2] < 9.0
    calls = []
    run = alternation(_net(), Y, C, mode="B", warm_epochs=1, maxiter=100,
                      callback=lambda x: calls.append(1) or {"marker": len(calls), "stop": len(calls) == 4})
    assert run.status == 3 and run.nit == 2 and run.history["marker"] == [1, 2, 3, 4]


def test_alternation_reports_a_diverging_run(peaks):
    Y, C, *_ = peaks
    with np.errstate(all="ignore"):
        run = alternation(_net(), Y, C, mode="I", warm_epochs=0, maxiter=20, learning_rate=1e8)
    assert run.status == 4 and not run.success and run.nit < 20


@pytest.mark.parametrize("kwargs, match", [
    (dict(mode="A"), "mode must be one of"),
    (dict(solver="lbfgs"), "solver must be"),
    (dict(mode="B", solver="gauss_newton"), "needs mode='I'"),
    (dict(maxiter=-1), "maxiter must be an integer"),
    (dict(maxiter=2.5), "maxiter must be an integer"),
    (dict(inner_epochs=0), "inner_epochs"),
    (dict(inner_steps=True), "inner_steps"),
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=10_000), "batch_size must be between 1 and the number of examples"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(learning_rate=np.nan), "learning_rate"),
    (dict(momentum=1.0), "momentum"),
    (dict(momentum="0.9"), "momentum"),
    (dict(learning_rate="fast"), "learning_rate"),
    (dict(maxiter=None), "maxiter"),
    (dict(max_work=0), "max_work"),
    (dict(W0=np.zeros((3, 3))), "W0 must have shape"),
    (dict(p0=np.zeros(3)), "parameters"),
])
def test_alternation_refuses_bad_options(peaks, kwargs, match):
    Y, C, *_ = peaks
    with pytest.raises(ValueError, match=match):
        alternation(_net(), Y, C, **kwargs)


def test_alternation_refuses_bad_data_and_networks(peaks):
    Y, C, Y_val, C_val = peaks
    with pytest.raises(ValueError, match="rows"):
        alternation(_net(), Y[:1], C)
    with pytest.raises(ValueError):
        alternation(_net(), np.where(np.arange(Y.size).reshape(Y.shape) == 5, np.nan, Y), C)
    with pytest.raises(ValueError, match="one-hot"):
        alternation(_net(), Y, 2 * C)
    with pytest.raises(ValueError, match="Y_val must have 2 rows"):
        alternation(_net(), Y, C, Y_val[:1], C_val)
    with pytest.raises(ValueError, match="no PHT/ReLU layer"):
        alternation(Chain([SingleLayer(dense_kernel(3, 2), "identity")]), Y, C)
    with pytest.raises(ValueError, match="support"):
        alternation(Chain([SingleLayer(dense_kernel(3, 2), "tanh")]), Y, C)


def test_monitor_training_false_keeps_what_the_jumps_need(peaks):
    Y, C, Y_val, C_val = peaks
    full = alternation(_net(), Y, C, Y_val, C_val, mode="I", warm_epochs=1, maxiter=2)
    lean = alternation(_net(), Y, C, Y_val, C_val, mode="I", warm_epochs=1, maxiter=2, monitor_training=False)
    assert np.array_equal(full.x, lean.x) and np.isclose(full.fun, lean.fun, rtol=1e-14)
    assert lean.history["fun"][:2] == [None, None] and lean.history["train_error"][:2] == [None, None]
    assert np.allclose(lean.history["fun_after"][2:], full.history["fun_after"][2:], rtol=1e-14)
    sgd_like = alternation(_net(), Y, C, Y_val, C_val, mode="B", warm_epochs=0, maxiter=2, monitor_training=False)
    assert all(f is None for f in sgd_like.history["fun"]) and np.isfinite(sgd_like.fun)
    assert np.all(np.isfinite(sgd_like.history.as_arrays()["val_error"]))


def test_one_layer_and_a_cnn_with_pooling_alternate_too():
    """A single PHT layer (fix_support gives its MaskedLayer) and a CNN with pooling, both modes."""
    rng = np.random.default_rng(6)
    layer = SingleLayer(dense_kernel(6, 2), pht(0.1))
    assert isinstance(fix_support(layer, [np.ones((6, 3), bool)]), MaskedLayer)
    Y = rng.standard_normal((2, 150))
    C = np.eye(2)[:, (Y[0] * Y[1] > 0).astype(int)]
    for mode in ("I", "B"):
        run = alternation(layer, Y, C, mode=mode, warm_epochs=1, maxiter=3, inner_steps=2, learning_rate=0.1)
        assert run.status in (0, 1) and run.fun < run.history["fun"][0]
    net = _cnn()
    Y = rng.random((36, 140))
    C = np.eye(3)[:, rng.integers(0, 3, 140)]
    run = alternation(net, Y, C, mode="I", warm_epochs=1, maxiter=2, bias_scale=0.1)
    assert [m.shape for m in run.masks] == [(72, 140), (27, 140)]    # two chunks of columns, stitched
    assert all(np.array_equal(a, b) for a, b in zip(run.masks, support_masks(net, run.p, Y)))
