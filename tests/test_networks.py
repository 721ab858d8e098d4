"""Networks: references beyond the Taylor and adjoint families.

- J_theta of small networks against a central finite-difference Jacobian, column by column;
- forward propagation against scipy.integrate.solve_ivp as N grows: first order for the
  forward-Euler ResNet and the symplectic-Euler Hamiltonian network, second order for leapfrog;
- back-propagation is one reverse sweep (counted products, no recomputed forward passes);
- prolongation, multilevel training, train() on a network, and clear errors for bad input.
"""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from meganet.checks import finite_difference_jacobian
from meganet.kernels import ConvZero, antisymmetric_kernel, average_pooling, dense_kernel
from meganet.layers import DoubleLayer, LinearMap, SingleLayer, SymmetricLayer
from meganet.linalg import mat, to_dense, vec
from meganet.networks import (Chain, HamiltonianNet, HyperbolicNet, ResNet, peaks_resnet, prolong,
                              resample_steps, residual_cnn)
from meganet.optim import multilevel_train, train

from derivative_cases import networks

SMALL = ["ResNet dense tanh, 1 step", "ResNet double layer 3->6->3, 3 steps",
         "HyperbolicNet dense sigmoid, 7 steps", "HamiltonianNet dense 3<->2, 5 steps",
         "Chain opening + ResNet", "residual CNN 1 stage (hyperbolic)"]


@pytest.mark.parametrize("name", SMALL)
def test_jacobian_matches_finite_differences(name):
    net = networks()[name]
    rng = np.random.default_rng(0)
    p, Y = net.initial_parameters(seed=2), rng.standard_normal((net.n_in, 2))
    J = to_dense(net.linearize(p, Y)[1].J_theta)
    J_fd = finite_difference_jacobian(lambda q: net.forward(q, Y), p, delta=1e-6)
    assert np.allclose(J, J_fd, rtol=1e-6, atol=1e-8 * np.abs(J).max())


def _constant_in_time(net, theta):
    """p with the same step parameters theta at every step (theta(t) constant)."""
    return np.tile(theta, net.n_steps)


def _orders(errors):
    return np.log2(np.asarray(errors[:-1]) / np.asarray(errors[1:]))


def test_resnet_converges_to_the_ode_at_first_order():
    rng = np.random.default_rng(1)
    layer = SingleLayer(dense_kernel(3, 3), "tanh")
    theta, Y0, T = layer.initial_parameters(seed=3), rng.standard_normal((3, 4)), 2.0
    K, b = mat(theta[:9], (3, 3)), theta[9:]
    rhs = lambda t, y: vec(np.tanh(K @ mat(y, Y0.shape) + b[:, None]))
    exact = mat(solve_ivp(rhs, (0, T), vec(Y0), rtol=1e-12, atol=1e-12).y[:, -1], Y0.shape)
    errors = []
    for N in (8, 16, 32, 64):
        net = ResNet(layer, N, T)
        errors.append(np.linalg.norm(net.forward(_constant_in_time(net, theta), Y0) - exact))
    assert np.all(np.abs(_orders(errors) - 1) < 0.15), errors


def test_hyperbolic_net_converges_to_the_second_order_ode_at_second_order():
    """Y'' = -K^T tanh(K Y + b), Y(0) = Y0, Y'(0) = 0, as a first-order system for solve_ivp."""
    rng = np.random.default_rng(2)
    layer = SymmetricLayer(dense_kernel(4, 3), "tanh")
    theta, Y0, T = layer.initial_parameters(seed=4), rng.standard_normal((3, 4)), 3.0
    n = Y0.size

    def rhs(t, z):
        return np.concatenate([z[n:], vec(layer.forward(theta, mat(z[:n], Y0.shape)))])

    sol = solve_ivp(rhs, (0, T), np.concatenate([vec(Y0), np.zeros(n)]), rtol=1e-12, atol=1e-12)
    exact = mat(sol.y[:n, -1], Y0.shape)
    errors = []
    for N in (8, 16, 32, 64):
        net = HyperbolicNet(layer, N, T)
        errors.append(np.linalg.norm(net.forward(_constant_in_time(net, theta), Y0) - exact))
    assert np.all(np.abs(_orders(errors) - 2) < 0.2), errors


def test_hamiltonian_net_converges_to_its_ode():
    """Y' = F(Z), Z' = -G(Y), Z(0) = 0: symplectic Euler with both streams at t_j, first order."""
    rng = np.random.default_rng(3)
    F, G = SingleLayer(dense_kernel(3, 2), "tanh"), SingleLayer(dense_kernel(2, 3), "tanh")
    pF, pG, Y0, T = F.initial_parameters(seed=5), G.initial_parameters(seed=6), rng.standard_normal((3, 4)), 2.0
    n = Y0.size

    def rhs(t, z):
        Y, Z = mat(z[:n], Y0.shape), mat(z[n:], (2, Y0.shape[1]))
        return np.concatenate([vec(F.forward(pF, Z)), -vec(G.forward(pG, Y))])

    sol = solve_ivp(rhs, (0, T), np.concatenate([vec(Y0), np.zeros(2 * Y0.shape[1])]), rtol=1e-12, atol=1e-12)
    exact = mat(sol.y[:n, -1], Y0.shape)
    errors = []
    for N in (16, 32, 64, 128):
        net = HamiltonianNet(F, G, N, T)
        errors.append(np.linalg.norm(net.forward(_constant_in_time(net, np.concatenate([pF, pG])), Y0) - exact))
    assert np.all(np.abs(_orders(errors) - 1) < 0.2), errors


def test_leapfrog_is_time_reversible():
    """Y_{j-1} = 2 Y_j - Y_{j+1} + h^2 f(theta_j, Y_j): the states run backwards to round-off."""
    net = HyperbolicNet(SymmetricLayer(ConvZero((6, 6), (3, 3), 2, 2), "tanh", "channel"), 10, 5.0)
    p, Y = net.initial_parameters(seed=1), np.random.default_rng(4).standard_normal((net.n_in, 3))
    states = net.linearize(p, Y)[1].states
    Theta = net.step_parameters(p)
    for j in range(net.n_steps - 1, 0, -1):
        back = 2 * states[j] - states[j + 1] + net.h ** 2 * net.layer.forward(Theta[:, j], states[j])
        assert np.allclose(back, states[j - 1], atol=1e-12)


class Counting:
    """A layer wrapper that counts forward passes, linearisations and products."""

    def __init__(self, layer):
        self.layer, self.calls = layer, {}
        self.n_params, self.n_in, self.n_out = layer.n_params, layer.n_in, layer.n_out

    def _count(self, key):
        self.calls[key] = self.calls.get(key, 0) + 1

    def initial_parameters(self, seed=0, **options):
        return self.layer.initial_parameters(seed, **options)

    def _forward(self, p, Y):
        self._count("forward")
        return self.layer._forward(p, Y)

    def _linearize(self, p, Y):
        self._count("linearize")
        Z, lin = self.layer._linearize(p, Y)
        outer = self

        class Counted(type(lin)):
            def __init__(self):
                self.__dict__.update(lin.__dict__)

            def JthetaT(self, W):
                outer._count("JthetaT")
                return super().JthetaT(W)

            def JYT(self, W):
                outer._count("JYT")
                return super().JYT(W)

        return Z, Counted()


@pytest.mark.parametrize("n_steps", [1, 4, 16])
def test_backpropagation_is_one_reverse_sweep(n_steps):
    layer = Counting(SingleLayer(dense_kernel(3, 3), "tanh"))
    net = ResNet(layer, n_steps, 1.0)
    Y = np.random.default_rng(5).standard_normal((3, 4))
    Z, lin = net.linearize(net.initial_parameters(seed=1), Y)
    assert layer.calls == {"linearize": n_steps}
    layer.calls.clear()
    lin.J_theta.rmatvec(np.ones(Z.size))
    # each step's J_theta^T once, J_Y^T once per step below the top; no forward pass again
    assert layer.calls == ({"JthetaT": n_steps, "JYT": n_steps - 1} if n_steps > 1 else {"JthetaT": 1})


def test_prolongation_interpolates_theta_and_keeps_the_output_close():
    net = peaks_resnet(width=4, n_steps=8, T=2.0, sigma="tanh")
    p = net.initial_parameters(seed=0)
    fine, q = prolong(net, p)
    assert fine.elements[1].n_steps == 16 and fine.n_params == net.n_params + net.elements[1].n_params
    p_open, p_res = net.split(p)
    q_open, q_res = fine.split(q)
    assert np.array_equal(p_open, q_open)
    Theta, Theta_fine = net.elements[1].step_parameters(p_res), fine.elements[1].step_parameters(q_res)
    assert np.allclose(Theta_fine[:, ::2], Theta)  # coarse times are kept
    assert np.allclose(Theta_fine[:, 1:-1:2], (Theta[:, :-1] + Theta[:, 1:]) / 2)  # midpoints interpolate
    # constant theta(t): the fine network is forward Euler with h/2 on the same ODE
    layer = net.elements[1].layer
    theta = layer.initial_parameters(seed=7)
    coarse = ResNet(layer, 8, 2.0)
    fine_res, q_const = prolong(coarse, np.tile(theta, 8))
    assert np.allclose(q_const, np.tile(theta, 16))
    Y = np.random.default_rng(6).standard_normal((4, 5))
    ref = ResNet(layer, 256, 2.0).forward(np.tile(theta, 256), Y)
    assert (np.linalg.norm(fine_res.forward(q_const, Y) - ref)
            < 0.7 * np.linalg.norm(coarse.forward(np.tile(theta, 8), Y) - ref))


def test_multilevel_training_doubles_the_depth_and_keeps_improving():
    from meganet.data import peaks_data

    Y, C = peaks_data(200, 3, seed=0)
    net = peaks_resnet(width=4, n_steps=2, T=2.0)
    # prolongation="constant": each trained step split in two with its parameters changes the
    # network's output by O(h) however rough the trained steps are. ("linear" interpolates
    # theta(t) between two independently trained steps: the default Newton-CG's level 0 ends at
    # J = 0.54 and its linear prolongation starts level 1 at J = 1.68, above level 0's start of
    # 1.11; with constant, at 0.79.)
    results = multilevel_train(net, Y, C, levels=3, method="newton_cg", maxiter=5, prolongation="constant")
    assert [r.network.elements[1].n_steps for r in results] == [2, 4, 8]
    assert all(r.status in (0, 1) for r in results)
    # each level starts near the previous level's objective (the prolonged network is close)
    starts, ends = [r.history["fun"][0] for r in results], [r.history["fun"][-1] for r in results]
    assert ends[0] < starts[0]
    assert starts[1] < starts[0] and starts[2] < starts[0]


@pytest.mark.parametrize("method", ["varpro", "newton_cg", "adam"])
def test_train_a_resnet_on_peaks(method):
    from meganet.data import peaks_data

    Y, C = peaks_data(300, 5, seed=1)
    Y_val, C_val = peaks_data(300, 5, seed=2)
    options = {"varpro": dict(maxiter=10), "newton_cg": dict(maxiter=15), "adam": dict(epochs=15)}[method]
    result = train(peaks_resnet(width=6, n_steps=4), Y, C, Y_val, C_val, method=method, **options)
    h = result.history
    assert h["train_error"][-1] < h["train_error"][0] - 0.1
    assert result.p.size == result.objective.n_p and result.W.shape == result.objective.shape_W
    assert h["val_error"][-1] < 0.5


def test_linear_map_is_the_fixed_operator():
    A = average_pooling((4, 4), 2, 2)
    pool = LinearMap(A, "pool")
    Y = np.random.default_rng(7).standard_normal((32, 3))
    Z, lin = pool.linearize(np.zeros(0), Y)
    assert pool.n_params == 0 and np.allclose(Z, A.matmat(Y))
    assert np.allclose(to_dense(lin.J_Y), np.kron(np.eye(3), to_dense(A)))
    assert lin.J_theta.shape == (Z.size, 0)


def test_shifted_antisymmetric_kernel_has_eigenvalues_with_real_part_minus_gamma():
    K = antisymmetric_kernel(5, gamma=0.3)
    lam = np.linalg.eigvals(K.dense(np.random.default_rng(8).standard_normal(K.n_theta)))
    assert np.allclose(lam.real, -0.3)


def test_residual_cnn_shapes():
    net = residual_cnn((28, 28), (4, 8))
    assert net.n_in == 784 and net.n_out == 7 * 7 * 8
    with pytest.raises(ValueError, match="kind"):
        residual_cnn(kind="elliptic")


# --- bad input: clear errors naming the element and the expected size -----------------------
def test_chain_rejects_mismatched_widths():
    with pytest.raises(ValueError, match=r"element 1 .* takes inputs of size 5.*element 0 .* outputs of size 4"):
        Chain([SingleLayer(dense_kernel(4, 2)), SingleLayer(dense_kernel(3, 5))])
    with pytest.raises(ValueError, match="at least one element"):
        Chain([])


def test_chain_rejects_mismatched_channels():
    with pytest.raises(ValueError, match="widths \\(and channels x pixels\\) must match"):
        Chain([SingleLayer(ConvZero((6, 6), (3, 3), 1, 2), "relu", "channel"),
               SingleLayer(ConvZero((6, 6), (3, 3), 3, 2), "relu", "channel")])


@pytest.mark.parametrize("n_steps, T, match", [(0, 1.0, "integer >= 1"), (2.5, 1.0, "integer >= 1"),
                                               (3, 0.0, "T must be"), (3, -1.0, "T must be"),
                                               (3, np.inf, "T must be")])
def test_time_stepping_rejects_bad_steps_and_times(n_steps, T, match):
    layer = SingleLayer(dense_kernel(3, 3))
    for cls in (ResNet, HyperbolicNet):
        with pytest.raises(ValueError, match=match):
            cls(layer, n_steps, T)


def test_networks_reject_layers_that_change_the_width():
    with pytest.raises(ValueError, match="ResNet: the layer must keep the width"):
        ResNet(SingleLayer(dense_kernel(4, 3)), 2)
    with pytest.raises(ValueError, match="HyperbolicNet"):
        HyperbolicNet(SingleLayer(dense_kernel(4, 3)), 2)
    with pytest.raises(ValueError, match="HamiltonianNet: F must map"):
        HamiltonianNet(SingleLayer(dense_kernel(3, 2)), SingleLayer(dense_kernel(3, 3)), 2)
    with pytest.raises(ValueError, match="same shape"):
        DoubleLayer(dense_kernel(5, 3), dense_kernel(4, 3))


def test_wrong_parameter_length_names_the_element_and_size():
    net = ResNet(SingleLayer(dense_kernel(3, 3)), 4)
    Y = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"the 48 parameters of ResNet\(.*must have 48 entries, got 47"):
        net.forward(np.zeros(47), Y)
    with pytest.raises(ValueError, match=r"Y must have 3 rows \(the input size of ResNet"):
        net.linearize(np.zeros(48), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="finite"):
        net.forward(np.full(48, np.nan), Y)


def test_constant_resampling_splits_steps_into_substeps_with_the_same_parameters():
    net = ResNet(SingleLayer(dense_kernel(3, 3), "tanh"), 4, 2.0)
    p = net.initial_parameters(seed=3)
    fine, q = resample_steps(net, p, 12, kind="constant")
    assert fine.n_steps == 12 and fine.T == 2.0
    assert np.array_equal(fine.step_parameters(q), np.repeat(net.step_parameters(p), 3, axis=1))
    longer, q_long = resample_steps(net, p, 8, T=4.0, kind="linear")  # same h, twice the time
    assert longer.h == net.h and np.allclose(longer.step_parameters(q_long)[:, :4], net.step_parameters(p))
    with pytest.raises(ValueError, match="kind must be one of"):
        prolong(net, p, kind="cubic")


def test_hamiltonian_net_runs_backwards_to_its_input():
    net = HamiltonianNet(SingleLayer(dense_kernel(3, 2), "tanh"), SingleLayer(dense_kernel(2, 3), "tanh"), 20, 5.0)
    p, Y = net.initial_parameters(seed=4), np.random.default_rng(9).standard_normal((3, 6))
    Y_N, Z_N = net.linearize(p, Y)[1].states[-1]
    Y0, Z0 = net.reverse(p, Y_N, Z_N)
    assert np.allclose(Y0, Y, atol=1e-12) and np.allclose(Z0, 0, atol=1e-12)


def test_quadratic_scalarization_is_sigmoid_of_w_X_w():
    """Z_ij = sigmoid(w_i^T X_j w_i), against a loop; it sees only the symmetric part of X; w and
    -w give the same unit; J_theta against finite differences."""
    from scipy.special import expit

    from meganet.layers import QuadraticScalarization

    rng = np.random.default_rng(11)
    L, m, n = 5, 3, 4
    layer = QuadraticScalarization(L, m)
    p, Y = layer.initial_parameters(seed=2), rng.standard_normal((L * L, n))
    units = layer.units(p)
    loop = np.array([[expit(w @ mat(Y[:, j], (L, L)) @ w) for j in range(n)] for w in units.T])
    assert np.allclose(layer.forward(p, Y), loop, rtol=1e-14)
    symmetric = np.column_stack([vec((mat(y, (L, L)) + mat(y, (L, L)).T) / 2) for y in Y.T])
    assert np.allclose(layer.forward(p, symmetric), loop, rtol=1e-14)
    flipped = units.copy()
    flipped[:, 1] *= -1
    assert np.allclose(layer.forward(vec(flipped), Y), loop, rtol=1e-14)
    J_fd = finite_difference_jacobian(lambda q: layer.forward(q, Y), p)
    assert np.allclose(to_dense(layer.linearize(p, Y)[1].J_theta), J_fd, rtol=1e-6, atol=1e-9)
    assert layer.n_params == L * m  # L parameters per unit, not L^2
    with pytest.raises(ValueError, match="integer sizes"):
        QuadraticScalarization(4.5, 2)


def test_quadratic_scalarization_combines_channels_by_learned_weights():
    """With c channels, Z_ij = sigmoid(w_i^T (sum_k beta_k X_j^k) w_i), against a loop over the
    channel blocks of y_j; J_theta (units and beta) against finite differences."""
    from scipy.special import expit

    from meganet.layers import QuadraticScalarization

    rng = np.random.default_rng(12)
    L, m, c, n = 4, 3, 3, 5
    layer = QuadraticScalarization(L, m, channels=c)
    assert layer.n_params == L * m + c and layer.n_in == c * L * L
    p = layer.initial_parameters(seed=3) + 0.1 * rng.standard_normal(layer.n_params)
    Y = rng.standard_normal((c * L * L, n))
    units, beta = layer.units(p), layer.channel_weights(p)
    images = [sum(beta[k] * mat(Y[k * L * L:(k + 1) * L * L, j], (L, L)) for k in range(c)) for j in range(n)]
    loop = np.array([[expit(w @ X @ w) for X in images] for w in units.T])
    assert np.allclose(layer.forward(p, Y), loop, rtol=1e-14)
    J_fd = finite_difference_jacobian(lambda q: layer.forward(q, Y), p)
    assert np.allclose(to_dense(layer.linearize(p, Y)[1].J_theta), J_fd, rtol=1e-6, atol=1e-9)
    # one channel is the plain layer: no channel weights
    assert QuadraticScalarization(L, m, channels=1).n_params == L * m
    with pytest.raises(ValueError, match="channels=0"):
        QuadraticScalarization(4, 2, channels=0)
