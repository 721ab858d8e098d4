"""ResNet flow widget: the controls set the network, and the result obeys the step's mathematics.

Independent references: plain numpy forward Euler / Verlet loops with the seeded K and b, the
closed-form spectra (antisymmetric: -h gamma +- i h theta; Verlet: mu^2 - (2 - h^2 s^2) mu + 1 = 0
for each singular value s of K), and meganet's own forward and J_Y for the whole network.
"""
import dataclasses

import ipywidgets
import numpy as np
import pytest
import traitlets

from meganet.data import peaks_data
from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.networks import HamiltonianNet, ResNet
from meganet.widgets import ResNetFlow, ResNetFlowResult, resnet_flow
from meganet.widgets.resnet_flow import KERNELS

N_POINTS = 60


@pytest.fixture
def flow():
    return resnet_flow(n_points=N_POINTS)


def seeded_K_b(seed=0, scale=2.0):
    """The widget's random K and b, drawn here from the layer's initialisation directly."""
    layer = SingleLayer(dense_kernel(2, 2), "tanh")
    theta, b = layer.split(layer.initial_parameters(seed=seed, scale=scale))
    return theta.reshape(2, 2, order="F"), b


def euler(Y, K, b, h, N):
    states = [Y]
    for _ in range(N):
        Y = Y + h * np.tanh(K @ Y + b[:, None])
        states.append(Y)
    return np.stack(states)


def verlet(Y, K, b, h, N):
    Z, states = np.zeros_like(Y), [Y]
    for _ in range(N):
        Y = Y + h * np.tanh(K @ Z + b[:, None])
        Z = Z - h * np.tanh(K.T @ Y + b[:, None])
        states.append(Y)
    return np.stack(states)


def verlet_multipliers(h, K):
    """Eigenvalues of the linear Verlet step: per singular value s of K, mu^2 - (2 - h^2 s^2) mu + 1."""
    s = np.linalg.svd(K, compute_uv=False)
    return np.sort_complex(np.concatenate([np.roots([1, -(2 - (h * si) ** 2), 1]) for si in s]))


def per_example_jacobian_norms(lin, n):
    """max_i ||dY_N/dY_0 (example i)||_2 from meganet's J_Y applied to e_1, e_2 in every column."""
    cols = [lin.JY(np.outer(e, np.ones(n))) for e in np.eye(2)]   # each (2, n)
    J = np.stack(cols, axis=-1).transpose(1, 0, 2)                   # (n, 2, 2)
    return np.linalg.norm(J, 2, axis=(1, 2)).max()


def test_the_widget_has_controls_and_a_frozen_result(flow):
    assert isinstance(flow, ipywidgets.Widget) and isinstance(flow, ResNetFlow)
    assert set(flow.controls) == {"kernel", "h", "n_steps", "gamma", "scale", "seed"}
    assert all(isinstance(c, ipywidgets.ValueWidget) for c in flow.controls.values())
    assert tuple(flow.controls["kernel"].options) == KERNELS
    r = flow.result
    assert isinstance(r, ResNetFlowResult)
    assert (r.kernel, r.h, r.n_steps, r.seed) == ("general", 0.25, 16, 0)
    assert r.states.shape == (17, 2, N_POINTS) and r.Z_states is None
    assert r.T == pytest.approx(4.0)
    Y, C = peaks_data(N_POINTS, 5, seed=0)
    np.testing.assert_array_equal(r.states[0], Y)
    np.testing.assert_array_equal(r.labels, C.argmax(axis=0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.h = 1.0
    with pytest.raises(ValueError):
        r.states[0, 0, 0] = 1.0  # read-only
    # headless: nothing drawn until asked, then three panels; nothing pushed to a missing front end
    assert flow._stale
    assert len(flow.figure.axes) == 3 and not flow._stale
    assert flow.output.outputs == ()


def test_trajectories_are_forward_euler_with_one_theta_for_every_step(flow):
    r = flow.result
    K, b = seeded_K_b()
    np.testing.assert_allclose(r.K, K, rtol=0, atol=0)
    np.testing.assert_allclose(r.states, euler(r.states[0], K, b, 0.25, 16), rtol=1e-12, atol=1e-12)
    # the same as ResNet.forward of the network it reports, and theta_j = theta for all j
    net = r.network
    assert isinstance(net, ResNet) and net.n_steps == 16 and net.h == pytest.approx(0.25)
    np.testing.assert_allclose(net.forward(r.p, r.states[0]), r.states[-1], rtol=1e-13, atol=1e-13)
    Theta = net.step_parameters(r.p)
    assert Theta.shape == (6, 16) and np.all(Theta == Theta[:, :1])
    # general kernel: z = eigenvalues of h K
    np.testing.assert_allclose(np.sort_complex(r.eigenvalues),
                               np.sort_complex(np.linalg.eigvals(0.25 * K)), atol=1e-14)
    assert r.amplification == pytest.approx(np.abs(1 + r.eigenvalues).max())
    assert r.inside == (r.amplification <= 1)


def test_depth_gives_N_plus_1_states_and_a_longer_net_extends_the_trajectory(flow):
    short = flow.result
    flow.controls["n_steps"].value = 40
    long = flow.result
    assert long.n_steps == 40 and long.states.shape == (41, 2, N_POINTS)
    assert long.T == pytest.approx(10.0) and long.spread.shape == (41,)
    # theta_j = theta: the first 16 steps are the 16-step network's
    np.testing.assert_allclose(long.states[:17], short.states, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(long.eigenvalues, short.eigenvalues)  # h K does not depend on N
    assert "N = 40" in flow.figure.axes[0].get_title()


@pytest.mark.parametrize("kernel", KERNELS)
def test_doubling_h_doubles_the_eigenvalues(flow, kernel):
    flow.controls["kernel"].value = kernel
    flow.controls["h"].value = 0.25
    before = flow.result
    flow.controls["h"].value = 0.5
    after = flow.result
    assert after.h == 0.5 and after.kernel == kernel
    np.testing.assert_allclose(after.generator_eigenvalues, 2 * before.generator_eigenvalues,
                               rtol=1e-12, atol=1e-15)
    if kernel != "Hamiltonian":  # a ResNet: z = h lambda(K) is linear in h
        np.testing.assert_allclose(after.eigenvalues, 2 * before.eigenvalues, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(after.K, before.K)  # same seeded kernel


def test_antisymmetric_eigenvalues_are_minus_h_gamma_plus_imaginary(flow):
    flow.controls["kernel"].value = "antisymmetric"
    assert not flow.controls["gamma"].disabled
    flow.controls["gamma"].value = 0.3
    flow.controls["h"].value = 0.4
    r = flow.result
    K = r.K
    theta = K[1, 0] - K[0, 1]
    np.testing.assert_allclose(r.step_kernel, K - K.T - 0.3 * np.eye(2), atol=1e-15)
    np.testing.assert_allclose(r.eigenvalues.real, -0.4 * 0.3, atol=1e-14)
    np.testing.assert_allclose(np.sort(r.eigenvalues.imag), [-0.4 * abs(theta), 0.4 * abs(theta)],
                               atol=1e-14)
    # the trajectories are forward Euler with K - K^T - gamma I, and ResNet.forward agrees
    np.testing.assert_allclose(r.states, euler(r.states[0], r.step_kernel, r.b, 0.4, 16), atol=1e-12)
    np.testing.assert_allclose(r.network.forward(r.p, r.states[0]), r.states[-1], atol=1e-13)
    # |1 + z|^2 = (1 - h gamma)^2 + h^2 theta^2: inside iff h <= 2 gamma / (gamma^2 + theta^2)
    assert r.amplification == pytest.approx(np.hypot(1 - 0.4 * 0.3, 0.4 * theta), rel=1e-13)
    h_max = 2 * 0.3 / (0.3 ** 2 + theta ** 2)
    assert 0.1 < h_max < 1.9  # the seeded kernel puts the threshold inside the slider's range
    for h, inside in ((0.95 * h_max, True), (1.05 * h_max, False)):
        flow.controls["h"].value = h
        assert flow.result.inside is inside
    # gamma = 0: on the imaginary axis, just outside the disc, for every h
    flow.controls["gamma"].value = 0.0
    r = flow.result
    np.testing.assert_allclose(r.eigenvalues.real, 0, atol=1e-15)
    assert not r.inside and r.amplification == pytest.approx(np.hypot(1, r.h * theta), rel=1e-13)
    # the local Jacobians I + h D (K - K^T) keep imaginary eigenvalues, |Im| <= h |theta|
    assert r.local_eigenvalues.shape == (16, N_POINTS, 2)
    assert np.abs(r.local_eigenvalues.real).max() < 1e-14
    assert np.abs(r.local_eigenvalues.imag).max() <= r.h * abs(theta) * (1 + 1e-12)
    assert "not all inside" in flow.figure.axes[1].get_title()


def test_gamma_is_used_by_the_antisymmetric_kernel_only(flow):
    assert flow.controls["gamma"].disabled
    before = flow.result
    flow.controls["gamma"].value = 1.5
    after = flow.result
    assert after.gamma == 1.5 and after is not before
    np.testing.assert_array_equal(after.states, before.states)
    assert "antisymmetric kernel only" in flow.status.value


def test_hamiltonian_is_verlet_with_K_and_its_transpose(flow):
    flow.controls["kernel"].value = "Hamiltonian"
    r = flow.result
    K, b = seeded_K_b()
    net = r.network
    assert isinstance(net, HamiltonianNet)
    np.testing.assert_array_equal(r.step_kernel, K)
    Theta = net.step_parameters(r.p)
    assert Theta.shape == (12, 16) and np.all(Theta == Theta[:, :1])
    np.testing.assert_allclose(net.G.kernel.dense(Theta[6:10, 0]), K.T, atol=0)
    np.testing.assert_allclose(r.states, verlet(r.states[0], K, b, 0.25, 16), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.forward(r.p, r.states[0]), r.states[-1], atol=1e-13)
    assert r.Z_states.shape == r.states.shape and np.all(r.Z_states[0] == 0)
    # the linear Verlet step: det M = prod(mu) = 1, and mu as in verlet_multipliers
    s = np.linalg.svd(K, compute_uv=False)
    mu = 1 + r.eigenvalues
    assert np.prod(mu) == pytest.approx(1, abs=1e-12)
    np.testing.assert_allclose(np.sort_complex(mu), verlet_multipliers(0.25, K), atol=1e-12)
    np.testing.assert_allclose(np.abs(mu), 1, atol=1e-12)   # h s_max <= 2: on the unit circle
    assert r.inside
    np.testing.assert_allclose(np.sort(r.generator_eigenvalues.imag), np.sort(np.r_[s, -s] * 0.25),
                               atol=1e-13)
    np.testing.assert_allclose(r.generator_eigenvalues.real, 0, atol=1e-13)
    assert "on the circle" in flow.figure.axes[1].get_title()
    # h s_max > 2: one real mu with |mu| > 1
    flow.controls["scale"].value = 6.0
    flow.controls["h"].value = 2.0
    r = flow.result
    assert 2.0 * np.linalg.svd(r.K, compute_uv=False)[0] > 2
    assert not r.inside and r.amplification > 1.5
    np.testing.assert_allclose(np.sort_complex(1 + r.eigenvalues), verlet_multipliers(2.0, r.K),
                               atol=1e-10)


@pytest.mark.parametrize("kernel", KERNELS)
def test_sensitivity_is_the_networks_J_Y_and_spread_is_the_rms_radius(flow, kernel):
    flow.controls["kernel"].value = kernel
    flow.controls["n_steps"].value = 10
    r = flow.result
    _, lin = r.network.linearize(r.p, r.states[0])
    assert r.sensitivity.shape == (11,) and r.sensitivity[0] == 1
    assert r.sensitivity[-1] == pytest.approx(per_example_jacobian_norms(lin, N_POINTS), rel=1e-10)
    Y = r.states[-1]
    rms = np.sqrt(np.mean(np.sum((Y - Y.mean(axis=1, keepdims=True)) ** 2, axis=0)))
    assert r.spread[-1] == pytest.approx(rms, rel=1e-13)
    assert r.spread_growth == pytest.approx(r.spread[-1] / r.spread[0])


def test_seed_and_scale_change_the_kernel(flow):
    K0 = flow.result.K
    flow.controls["seed"].value = 3
    assert not np.allclose(flow.result.K, K0)
    np.testing.assert_array_equal(flow.result.K, seeded_K_b(seed=3)[0])
    flow.controls["seed"].value = 0
    flow.controls["scale"].value = 4.0
    r = flow.result
    np.testing.assert_allclose(r.K, 2 * K0, rtol=1e-15)          # K = scale K_0
    np.testing.assert_allclose(r.eigenvalues, 2 * np.linalg.eigvals(0.25 * K0), rtol=1e-12)


def test_out_of_range_control_values_are_clipped_or_refused(flow):
    flow.controls["h"].value = 100.0
    assert flow.controls["h"].value == 2.0 and flow.result.h == 2.0
    flow.controls["n_steps"].value = 0
    assert flow.result.n_steps == 1 and flow.result.states.shape[0] == 2
    flow.controls["n_steps"].value = 1000
    assert flow.result.n_steps == 64
    flow.controls["seed"].value = -4
    assert flow.result.seed == 0
    before = flow.result
    flow.controls["h"].value = float("nan")               # sliders let NaN through: refused
    assert flow.controls["h"].value == 2.0 and flow.result.h == 2.0
    assert "refused" in flow.status.value and "h must be" in flow.status.value
    np.testing.assert_array_equal(flow.result.states, before.states)
    with pytest.raises(traitlets.TraitError):
        flow.controls["kernel"].value = "dense"


@pytest.mark.parametrize("options, message", [
    (dict(h=0.0), "h must be"),
    (dict(h=3.0), "h must be"),
    (dict(n_steps=2.5), "n_steps must be an integer"),
    (dict(n_steps=True), "n_steps must be an integer"),
    (dict(gamma=-0.1), "gamma must be"),
    (dict(scale=float("inf")), "scale must be"),
    (dict(seed=-1), "seed must be"),
    (dict(kernel="dense"), "kernel must be one of"),
    (dict(n_points=1), "n_points"),
])
def test_bad_options_raise(options, message):
    with pytest.raises(ValueError, match=message):
        resnet_flow(**{"n_points": N_POINTS, **options})


def test_bad_data_raise_and_given_data_are_used():
    Y, C = peaks_data(30, 5, seed=2)
    w = resnet_flow(Y, C, n_steps=3)
    np.testing.assert_array_equal(w.result.states[0], Y)
    with pytest.raises(ValueError, match="both Y and C"):
        resnet_flow(Y)
    with pytest.raises(ValueError, match="Y"):
        resnet_flow(np.vstack([Y, Y]), C)
    with pytest.raises(ValueError):
        resnet_flow(Y, 2 * C)
    with pytest.raises(ValueError):
        resnet_flow(Y, C[:, :-1])
    with pytest.raises(ValueError, match="finite"):
        resnet_flow(np.where(np.arange(60).reshape(2, 30) == 7, np.nan, Y), C)


def test_with_a_front_end_each_update_draws_into_the_output(flow, monkeypatch):
    import meganet.widgets.figure_widget as figure_widget

    monkeypatch.setattr(figure_widget, "front_end", lambda: True)
    flow.controls["kernel"].value = "antisymmetric"
    assert not flow._stale and flow._png.startswith(b"\x89PNG")  # drawn and rendered (Agg)
    assert flow.png is flow._png  # not rendered twice
    assert "antisymmetric" in flow.figure.axes[0].get_title()
