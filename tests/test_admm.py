"""ADMM without gradients: every block update is its sub-problem's minimiser, the sweeps never raise
the augmented Lagrangian, dead layers are reported, and bad input is refused."""
import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar

from meganet.checks import finite_difference_jacobian
from meganet.kernels import ConvZero, dense_kernel
from meganet.layers import SingleLayer
from meganet.linalg import vec
from meganet.losses import Hinge
from meganet.optim import train
from meganet.optim.admm import (LeastSquaresFactor, activation_update, admm_train,
                                conv_weight_least_squares, hinge_z_update, relu_z_update,
                                sampled_square_solve, weight_least_squares)

rng = np.random.default_rng(0)


# --- the closed-form sub-problem solutions against numerical minimisers ----------------------------
def _scalar_min(f, lo, hi):
    """Global minimiser of a 1-D function on [lo, hi]: a fine grid, then a bounded search near its best."""
    grid = np.linspace(lo, hi, 4001)
    k = int(np.argmin([f(t) for t in grid]))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    res = minimize_scalar(f, bounds=(a, b), method="bounded", options={"xatol": 1e-12})
    return min((res.x, grid[k]), key=f)


def _hinge_cases():
    cases = [(m, y, lam, beta) for m in rng.normal(0, 2, 25) for y in (-1.0, 1.0)
             for lam, beta in [(rng.normal(), rng.uniform(0.1, 3))]]
    # each branch and its borders: inactive (y z0 >= 1), active, the kink, exactly on the border
    cases += [(2.0, 1.0, 0.0, 1.0), (0.0, 1.0, 0.0, 1.0), (0.9, 1.0, 0.0, 1.0), (1.0, 1.0, 0.0, 1.0),
              (-0.8, -1.0, 0.0, 0.3), (0.5, 1.0, 0.5, 0.25), (1.25, 1.0, 0.5, 1.0)]
    return cases


@pytest.mark.parametrize("m, y, lam, beta", _hinge_cases())
def test_hinge_output_update_is_the_minimiser(m, y, lam, beta):
    f = lambda z: max(0.0, 1 - y * z) + lam * z + beta * (z - m) ** 2
    z = float(hinge_z_update(m, y, beta, lam))
    z_num = _scalar_min(f, m - 20, m + 20)
    assert f(z) <= f(z_num) + 1e-12
    assert abs(z - z_num) < 1e-6          # strictly convex: one minimiser


def _relu_cases():
    cases = [(a, m, beta, gamma) for a, m, beta, gamma in zip(rng.normal(0, 1.5, 40), rng.normal(0, 1.5, 40),
                                                              rng.uniform(0.1, 5, 40), rng.uniform(0.1, 20, 40))]
    # near 0: tiny a and m of both signs, a = 0, m = 0, and a < 0 (a target ReLU cannot reach)
    for a, m in [(1e-9, -1e-9), (-1e-9, 1e-9), (0.0, 1e-8), (1e-8, 0.0), (0.0, 0.0), (-0.5, 0.2),
                 (0.3, -0.3), (1e-6, -2e-6), (-2.0, 1.0), (2.0, -1.0)]:
        cases += [(a, m, 1.0, 10.0), (a, m, 3.0, 0.5)]
    return cases


@pytest.mark.parametrize("a, m, beta, gamma", _relu_cases())
def test_two_case_relu_update_is_the_global_minimiser(a, m, beta, gamma):
    f = lambda z: gamma * (a - max(z, 0.0)) ** 2 + beta * (z - m) ** 2
    z = float(relu_z_update(a, m, beta, gamma))
    # the objective is not convex: minimise numerically on each half-line, keep the better
    R = 10 + 2 * abs(a) + 2 * abs(m)
    z_num = min(_scalar_min(f, -R, 0.0), _scalar_min(f, 0.0, R), key=f)
    assert f(z) <= f(z_num) + 1e-12 * max(1.0, f(z_num))
    # and it beats both one-sided candidates checked exhaustively on a grid
    grid = np.linspace(-R, R, 20001)
    assert f(z) <= min(f(t) for t in grid) + 1e-12


def test_relu_update_is_elementwise_on_arrays():
    A, M = rng.normal(size=(4, 7)), rng.normal(size=(4, 7))
    Z = relu_z_update(A, M, 1.5, 2.0)
    assert Z.shape == (4, 7)
    assert np.array_equal(Z, np.vectorize(lambda a, m: float(relu_z_update(a, m, 1.5, 2.0)))(A, M))


@pytest.mark.parametrize("n_next, n_l", [(3, 6), (6, 3), (4, 4)])   # both branches (Woodbury and direct)
def test_activation_update_minimises_its_quadratic(n_next, n_l):
    W, T, H = rng.normal(size=(n_next, n_l)), rng.normal(size=(n_next, 5)), rng.normal(size=(n_l, 5))
    beta, gamma = 1.7, 0.6
    A = activation_update(W, T, H, beta, gamma)

    def f(x):
        X = x.reshape(n_l, 5, order="F")
        R1, R2 = X - H, T - W @ X
        return gamma * np.sum(R1 ** 2) + beta * np.sum(R2 ** 2), vec(2 * gamma * R1 - 2 * beta * W.T @ R2)

    ref = minimize(f, np.zeros(n_l * 5), jac=True, method="L-BFGS-B", options={"gtol": 1e-12, "ftol": 1e-15})
    assert np.allclose(A, ref.x.reshape(n_l, 5, order="F"), atol=1e-6)
    assert f(vec(A))[0] <= ref.fun + 1e-10
    # and the optimality condition (beta W^T W + gamma I) A = beta W^T T + gamma H to round-off
    assert np.allclose(beta * W.T @ (W @ A) + gamma * A, beta * W.T @ T + gamma * H, atol=1e-12)


def test_activation_update_through_a_convolution_matches_the_dense_solve():
    K = ConvZero((5, 4), (3, 3), 2, 3)
    theta = rng.normal(size=K.n_theta)
    T, H = rng.normal(size=(K.n_out, 6)), rng.normal(size=(K.n_in, 6))
    A = activation_update(K.op(theta), T, H, 0.8, 1.3)
    Kd = K.dense(theta)
    A_ref = np.linalg.solve(0.8 * Kd.T @ Kd + 1.3 * np.eye(K.n_in), 0.8 * Kd.T @ T + 1.3 * H)
    assert np.allclose(A, A_ref, atol=1e-8)


@pytest.mark.parametrize("rank_deficient", [False, True])
def test_weight_least_squares_matches_numpy_lstsq(rank_deficient):
    A, Z = rng.normal(size=(6, 30)), rng.normal(size=(3, 30))
    if rank_deficient:
        A[4] = 0.0                             # an always-zero input (a blank pixel)
        A[5] = 2 * A[0]
    W_ref = np.linalg.lstsq(A.T, Z.T, rcond=None)[0].T     # minimum-norm least squares
    for W in (weight_least_squares(A, Z), weight_least_squares(None, Z, factor=LeastSquaresFactor(A))):
        assert np.allclose(W, W_ref, atol=1e-10)


def test_regularised_weight_least_squares_all_methods_agree():
    A, Z, alpha = rng.normal(size=(8, 25)), rng.normal(size=(2, 25)), 0.7
    stacked = np.vstack([A.T, np.sqrt(alpha) * np.eye(8)])
    W_ref = np.linalg.lstsq(stacked, np.vstack([Z.T, np.zeros((8, 2))]), rcond=None)[0].T
    # it minimises ||W A - Z||^2 + alpha ||W||^2: the gradient vanishes
    assert np.allclose((W_ref @ A - Z) @ A.T + alpha * W_ref, 0, atol=1e-10)
    for W in (weight_least_squares(A, Z, alpha), weight_least_squares(None, Z, alpha, LeastSquaresFactor(A)),
              weight_least_squares(A, Z, alpha, method="lsqr")):
        assert np.allclose(W, W_ref, atol=1e-8)


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_conv_theta_least_squares_matches_a_dense_solve(alpha):
    K = ConvZero((6, 5), (3, 3), 2, 2)
    A, Z = rng.normal(size=(K.n_in, 4)), rng.normal(size=(K.n_out, 4))
    theta, info = conv_weight_least_squares(K, A, Z, alpha)
    P = K.im2col(A).toarray()                       # vec(K(theta) A) = P theta, dense for the reference
    assert np.allclose(P @ theta, vec(K.apply(theta, A)))
    M = np.vstack([P, np.sqrt(alpha) * np.eye(K.n_theta)])
    ref = np.linalg.lstsq(M, np.concatenate([vec(Z), np.zeros(K.n_theta)]), rcond=None)[0]
    assert np.allclose(theta, ref, atol=1e-7)
    assert info["residual"] == pytest.approx(np.linalg.norm(P @ theta - vec(Z)))


def test_sampled_square_subsystem_exact_when_consistent_and_worse_otherwise():
    M = rng.normal(size=(200, 5))
    x_true = rng.normal(size=5)
    x, info = sampled_square_solve(M, M @ x_true, seed=1)
    assert not info["singular"] and np.allclose(x, x_true) and info["residual"] < 1e-10
    b = M @ x_true + rng.normal(size=200)               # inconsistent: noise
    x_ls = np.linalg.lstsq(M, b, rcond=None)[0]
    worse = [sampled_square_solve(M, b, seed=s)[1]["residual"] for s in range(20)]
    assert min(worse) >= np.linalg.norm(M @ x_ls - b) - 1e-12
    assert np.median(worse) > 1.5 * np.linalg.norm(M @ x_ls - b)
    M[:, 4] = 0.0                                        # a zero column: every sampled system singular
    x, info = sampled_square_solve(M, b, seed=0)
    assert info["singular"] and np.isnan(x).all() and info["cond"] == np.inf


def test_hinge_loss_value_gradient_and_labels():
    S, y = rng.normal(size=(1, 9)), np.where(rng.random(9) > 0.5, 1.0, -1.0)[None]
    S[np.abs(1 - y * S) < 0.05] += 0.2                   # keep away from the kinks
    loss = Hinge()
    E, dS, hess = loss.derivatives(S, y)
    assert E == pytest.approx(np.mean(np.maximum(0, 1 - y * S)))
    J = finite_difference_jacobian(lambda s: loss.value(s.reshape(1, -1), y), S.ravel())
    assert np.allclose(J.ravel(), dS.ravel(), atol=1e-8)
    assert np.all(hess(S) == 0)
    assert loss.accuracy(y * 3, y) == 1.0 and loss.accuracy(-y, y) == 0.0
    with pytest.raises(ValueError, match="-1/\\+1"):
        loss.value(S, (y > 0).astype(float))              # 0/1 labels are not hinge labels


def test_hinge_loss_trains_a_network_by_back_propagation():
    Y, y = _small_problem(200)
    res = train(SingleLayer(dense_kernel(8, 5), "relu"), Y, y, method="adam", loss=Hinge(), learning_rate=0.02,
                epochs=15, batch_size=20, seed=0)
    err = res.history.as_arrays()["train_error"]
    assert err[-1] < 0.5 * err[0] and res.W.shape == (1, 9)


# --- the trainer ---------------------------------------------------------------------------------
def _small_problem(n=120, seed=0):
    r = np.random.default_rng(seed)
    Y = r.normal(size=(5, n))
    y = np.where(Y[0] * Y[1] + 0.3 * Y[2] > 0, 1.0, -1.0)[None]    # not linearly separable
    return Y, y


def _lagrangian_from_state(res, y, beta, gamma, alpha, paper):
    """The augmented Lagrangian recomputed from the returned state, term by term (dense layers, bias)."""
    a, z, lam, W = res.state["a"], res.state["z"], res.state["lambda"], res.weights
    L = len(W)
    affine = lambda l: W[l - 1][:, :-1] @ a[l - 1] + W[l - 1][:, -1:]
    r = z[L] - affine(L)
    value = np.sum(np.maximum(0, 1 - y * z[L])) + np.sum(lam * (z[L] if paper else r)) + beta * np.sum(r ** 2)
    for l in range(1, L):
        value += gamma * np.sum((a[l] - np.maximum(z[l], 0)) ** 2) + beta * np.sum((z[l] - affine(l)) ** 2)
    return value + alpha * sum(np.sum(w ** 2) for w in W)


@pytest.mark.parametrize("multiplier", ["augmented", "paper"])
def test_sweeps_never_raise_the_augmented_lagrangian(multiplier):
    Y, y = _small_problem()
    res = admm_train(Y, y, [8, 6], beta=1.0, gamma=5.0, alpha=1e-3, maxiter=25, multiplier=multiplier)
    H = res.history.as_arrays()
    # the recorded value is the Lagrangian of the returned state
    assert H["lagrangian"][-1] == pytest.approx(_lagrangian_from_state(res, y, 1.0, 5.0, 1e-3, multiplier == "paper"),
                                                rel=1e-10)
    L, L_sweep = H["lagrangian"], H["lagrangian_sweep"]
    assert res.status == 1 and res.nit == 25 and len(L) == 26
    # each block update is an exact minimiser: a sweep lowers L (up to round-off) ...
    assert res.lagrangian_increases == []
    assert np.all(L_sweep[1:] <= L[:-1] + 1e-9 * np.abs(L[:-1]))
    # ... and only the multiplier step can raise it; in the textbook form by exactly beta ||r||^2
    if multiplier == "augmented":
        assert np.allclose(L[1:] - L_sweep[1:], 1.0 * H["residual"][1:] ** 2, rtol=1e-8, atol=1e-9)
    assert H["work"][-1] == 2 * 25
    if multiplier == "augmented":   # (the paper's form learns far less here: see lecture 15)
        assert L[-1] < 0.2 * L[0]
        assert H["train_accuracy"][-1] > 0.65 > H["train_accuracy"][0]
    assert set(H) >= {"loss", "penalty_z", "penalty_a", "multiplier_term", "residual", "train_accuracy",
                      "time", "work", "dead_layers", "network_loss"}


def test_inexact_inner_solves_are_reported_not_hidden():
    # weight updates that are not the exact minimisers can raise L in a sweep; the run says where
    K = ConvZero((4, 4), (3, 3), 1, 2)
    Y = np.random.default_rng(1).normal(size=(16, 60))
    y = np.where(np.random.default_rng(2).random(60) > 0.5, 1.0, -1.0)
    exact = admm_train(Y, y, [K], beta=1.0, gamma=2.0, alpha=1.0, maxiter=8)
    assert exact.lagrangian_increases == [] and "raised" not in exact.message
    for loose in (admm_train(Y, y, [K], beta=1.0, gamma=2.0, alpha=1.0, maxiter=8, lsqr_atol=0.5),
                  admm_train(Y, y, [6], beta=1.0, gamma=2.0, maxiter=8, weight_solver="sampled")):
        assert loose.lagrangian_increases
        assert f"raised the Lagrangian at iterations {loose.lagrangian_increases[:5]}" in loose.message
        L, L_sweep = loose.history.as_arrays()["lagrangian"], loose.history.as_arrays()["lagrangian_sweep"]
        k = loose.lagrangian_increases[0]
        assert L_sweep[k] > L[k - 1]


def test_convolutional_admm_trains_and_its_weights_are_stencils():
    K = ConvZero((6, 6), (3, 3), 1, 2)
    r = np.random.default_rng(3)
    Y = r.random((36, 150))
    y = np.where(Y[:18].sum(0) > Y[18:].sum(0), 1.0, -1.0)
    res = admm_train(Y, y, [K], beta=1.0, gamma=5.0, maxiter=15, alpha=1.0)
    assert res.weights[0].shape == (K.n_theta,) and res.weights[1].shape == (1, K.n_out + 1)
    assert res.lagrangian_increases == []
    assert res.network.accuracy(Y, y) > 0.8
    assert res.history["work"][-1] > 2 * 15          # lsqr steps count as passes over the data


def test_a_dead_layer_is_detected_and_reported():
    Y, y = _small_problem()
    Y = np.abs(Y)                                      # nonnegative inputs (like pixels) ...
    W0 = [-np.abs(rng.normal(size=(8, 6))), rng.normal(size=(1, 9))]   # ... and negative weights and biases
    res = admm_train(Y, y, [8], W0=W0, maxiter=20)
    assert res.status == 7 and not res.success
    assert "hidden layer 1" in res.message and "zero" in res.message and res.dead_layers == [1]
    # without stopping it runs to the limit, still reporting the dead layer every iteration
    res = admm_train(Y, y, [8], W0=W0, maxiter=5, stop_on_dead=False)
    assert res.status == 1 and res.dead_layers == [1]
    assert np.all(res.history.as_arrays()["dead_layers"] == 1)
    # the network then predicts one class for every example
    assert np.unique(res.network.predict(Y)).size == 1


def test_iteration_limit_convergence_and_callback():
    Y, y = _small_problem()
    res = admm_train(Y, y, [4], maxiter=0)
    assert res.nit == 0 and res.status == 1 and len(res.history["lagrangian"]) == 1
    res = admm_train(Y, y, [4], maxiter=50, callback=lambda net: {"stop": True, "seen": 1})
    assert res.status == 3 and res.nit == 0 and res.history["seen"] == [1]
    Ys, ys = np.vstack([np.ones((1, 40)), rng.normal(size=(2, 40))]), np.ones(40)
    res = admm_train(Ys, ys, [], maxiter=500, tol=1e-8)    # linear model, one class: converges
    assert res.status == 0 and res.success and res.nit < 500


def test_sampled_solver_is_reported_when_singular():
    Y, y = _small_problem()
    Y[2] = 0.0                                         # a blank input: every square subsystem is singular
    res = admm_train(Y, y, [4], weight_solver="sampled", maxiter=5)
    assert res.status == 5 and "singular" in res.message


def test_a_shared_factor_gives_the_same_run():
    Y, y = _small_problem()
    factor = LeastSquaresFactor(np.vstack([Y, np.ones((1, Y.shape[1]))]))
    own, shared = admm_train(Y, y, [6], maxiter=5), admm_train(Y, y, [6], maxiter=5, factor=factor)
    assert np.allclose(own.x, shared.x, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="factor must be"):
        admm_train(Y, y, [6], maxiter=5, factor=LeastSquaresFactor(Y))          # forgot the ones row


def test_validation_error_is_recorded():
    Y, y = _small_problem()
    Yv, yv = _small_problem(60, seed=1)
    res = admm_train(Y, y, [8], Yv, yv, maxiter=3)
    H = res.history.as_arrays()
    assert np.all((0 <= H["val_error"]) & (H["val_error"] <= 1))
    assert H["val_error"][-1] == pytest.approx(1 - res.network.accuracy(Yv, yv))


Y_ok, y_ok = _small_problem(20)


@pytest.mark.parametrize("kwargs, match", [
    (dict(y=(y_ok > 0).astype(float)), "-1/\\+1"),
    (dict(y=y_ok[:, :10]), "one entry per example"),
    (dict(Y=np.where(np.eye(5, 20) > 0, np.nan, Y_ok)), "finite"),
    (dict(Y=Y_ok[0]), "2-D"),
    (dict(hidden=[0]), "positive integers"),
    (dict(hidden=["8"]), "positive integers"),
    (dict(hidden=[ConvZero((3, 3), (3, 3))]), "input size"),
    (dict(beta=0.0), "beta"),
    (dict(gamma=-1.0), "gamma"),
    (dict(beta=[1.0, 2.0, 3.0]), "one number per layer"),
    (dict(alpha=-1.0), "alpha"),
    (dict(maxiter=-1), "maxiter"),
    (dict(maxiter=2.5), "maxiter"),
    (dict(multiplier="bregman"), "multiplier"),
    (dict(weight_solver="pinv"), "weight_solver"),
    (dict(W0=[np.ones((4, 5)), np.ones((1, 5))]), "W0\\[0\\]"),
    (dict(W0=[np.ones((4, 6))]), "one weight per layer"),
    (dict(Y_val=Y_ok), "both Y_val and y_val"),
    (dict(Y_val=Y_ok[:3], y_val=y_ok), "rows like Y"),
])
def test_bad_input_is_refused(kwargs, match):
    args = dict(Y=Y_ok, y=y_ok, hidden=[4])
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        admm_train(args.pop("Y"), args.pop("y"), args.pop("hidden"), **args)


def test_bad_input_to_the_sub_problem_solvers():
    with pytest.raises(ValueError, match="beta"):
        hinge_z_update(0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="gamma"):
        relu_z_update(0.0, 1.0, 1.0, -2.0)
    with pytest.raises(ValueError, match="one column per example"):
        weight_least_squares(np.ones((3, 5)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="method"):
        weight_least_squares(np.ones((3, 5)), np.ones((2, 5)), method="pinv")
    with pytest.raises(ValueError, match="T must be"):
        activation_update(np.ones((3, 8)), np.ones((2, 5)), np.ones((8, 5)), 1.0, 1.0)
    with pytest.raises(ValueError, match="Z must have shape"):
        conv_weight_least_squares(ConvZero((4, 4), (3, 3)), np.ones((16, 3)), np.ones((16, 2)))
    with pytest.raises(ValueError, match="at least as many equations"):
        sampled_square_solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="one per equation"):
        sampled_square_solve(np.ones((4, 3)), np.ones(3))
