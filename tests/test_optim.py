"""Optimizers: they converge where they should, stop where they must, and say why."""
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.sparse.linalg import aslinearoperator

from meganet.optim import armijo, newton_cg, steepest_descent


class Quadratic:
    """J(x) = 1/2 x^T A x - b^T x with a chosen condition number."""

    def __init__(self, n=10, cond=100.0, seed=0):
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        self.A = Q @ np.diag(np.geomspace(1, cond, n)) @ Q.T
        self.b = rng.standard_normal(n)
        self.n = n
        self.x_star = np.linalg.solve(self.A, self.b)

    def __call__(self, x):
        return 0.5 * x @ self.A @ x - self.b @ x

    def derivatives(self, x):
        return self(x), self.A @ x - self.b, aslinearoperator(self.A)


class Rosenbrock:
    n = 2

    def __call__(self, x):
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    def derivatives(self, x):
        g = np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])
        H = np.array([[2 - 400 * x[1] + 1200 * x[0] ** 2, -400 * x[0]], [-400 * x[0], 200]])
        return self(x), g, aslinearoperator(H)


def test_newton_cg_solves_a_quadratic_in_one_step():
    q = Quadratic()
    res = newton_cg(q, np.zeros(q.n), cg_rtol=1e-12, cg_maxiter=100, rtol=1e-10)
    assert res.success and res.nit == 1
    assert np.allclose(res.x, q.x_star)


def test_newton_cg_matches_scipy_on_rosenbrock():
    res = newton_cg(Rosenbrock(), np.array([-1.2, 1.0]), maxiter=200, rtol=1e-10)
    ref = minimize(Rosenbrock(), [-1.2, 1.0], jac=lambda x: Rosenbrock().derivatives(x)[1],
                   method="Newton-CG", hess=lambda x: Rosenbrock().derivatives(x)[2].matmat(np.eye(2)))
    assert res.success and np.allclose(res.x, [1, 1], atol=1e-6)
    assert np.allclose(res.x, ref.x, atol=1e-4)


def test_steepest_descent_decreases_monotonically_and_converges():
    q = Quadratic(cond=10)
    # rtol 1e-7, not 1e-8: an Armijo search compares values of f, so near the minimiser the
    # decrease it needs drowns in round-off and ||g|| stalls near 5e-8 (numpy 2.5's sums)
    res = steepest_descent(q, np.zeros(q.n), maxiter=2000, rtol=1e-7)
    f = np.array(res.history["fun"])
    assert res.success and np.all(np.diff(f) <= 0)
    assert np.allclose(res.x, q.x_star, atol=1e-6)


def test_steepest_descent_is_slow_on_ill_conditioned_problems_and_stops_at_maxiter():
    q = Quadratic(cond=1e4)
    res = steepest_descent(q, np.zeros(q.n), maxiter=50, rtol=1e-10)
    assert res.status == 1 and not res.success and res.nit == 50
    assert "maximum number of iterations" in res.message
    assert len(res.history["fun"]) == 51


def test_history_records_callback_values():
    q = Quadratic()
    res = newton_cg(q, np.zeros(q.n), callback=lambda x: {"distance": np.linalg.norm(x - q.x_star)})
    assert res.history["distance"][0] == pytest.approx(np.linalg.norm(q.x_star))
    assert {"fun", "grad_norm", "time", "cg_iterations", "step"} <= set(res.history)


def test_callback_can_stop_the_run():
    q = Quadratic()
    res = steepest_descent(q, np.zeros(q.n), callback=lambda x: True)
    assert res.status == 3 and res.nit == 0


def test_non_finite_objective_stops_with_a_message():
    class Bad(Quadratic):
        def derivatives(self, x):
            return np.nan, np.full(self.n, np.nan), aslinearoperator(self.A)

    res = newton_cg(Bad(), np.zeros(10))
    assert res.status == 4 and "non-finite" in res.message


def test_armijo_accepts_sufficient_decrease_only():
    q = Quadratic(cond=10)
    x = np.zeros(q.n)
    f, g, _ = q.derivatives(x)
    t, f_new, _ = armijo(q, x, f, g, -g, t0=100.0)
    assert 0 < t < 100 and f_new <= f + 1e-4 * t * (g @ -g)
    assert armijo(q, x, f, g, g)[0] == 0.0  # an ascent direction is refused


def test_x0_of_wrong_size_is_refused():
    with pytest.raises(ValueError, match="x0 must have 10 entries"):
        newton_cg(Quadratic(), np.zeros(3))


def test_progress_bar_is_optional_and_changes_nothing():
    q = Quadratic()
    quiet = newton_cg(q, np.zeros(q.n))
    shown = newton_cg(q, np.zeros(q.n), progress=True)
    assert np.array_equal(quiet.x, shown.x)


def test_varpro_reports_inexact_inner_solves():
    """A truncated inner solve leaves grad_W J != 0: VarPro warns and says so in its status."""
    import warnings

    from meganet.data import peaks_data
    from meganet.kernels import dense_kernel
    from meganet.layers import SingleLayer
    from meganet.losses import SoftmaxCrossEntropy
    from meganet.objectives import NetworkObjective
    from meganet.optim import varpro

    Y, C = peaks_data(200, 5, seed=0)
    layer = SingleLayer(dense_kernel(10, 2), "tanh")
    full = NetworkObjective(layer, SoftmaxCrossEntropy(), Y, C, alpha_p=1e-3, alpha_W=1e-4)
    p0 = layer.initial_parameters(seed=0)
    with pytest.warns(RuntimeWarning, match="inner solve for W stopped"):
        bad = varpro(full, p0, inner_maxiter=1, maxiter=3)
    assert bad.status == 6 and not bad.success and bad.inner_failures > 0
    assert "inexact" in bad.message
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        good = varpro(full, p0, inner_atol=1e-6, maxiter=3)
    assert good.status in (0, 1) and good.inner_failures == 0


def test_sgd_that_diverges_returns_status_4_with_its_last_finite_iterate():
    """A learning rate far too large: the iterates overflow; sgd says so instead of crashing."""
    from meganet.data import peaks_data
    from meganet.optim import train_single_layer

    Y, C = peaks_data(200, 3, seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        res = train_single_layer(Y, C, width=5, method="sgd", learning_rate=1e300, epochs=3,
                                 batch_size=20)
    assert res.status == 4 and not res.success and "diverged" in res.message
    assert np.all(np.isfinite(res.x))


def _inexact_varpro_problem():
    """A small Peaks problem, its reduced objective solved tightly at p, and the constants of
    the error bound: C = ||J_pW H_WW^{-1}|| (dense; J_pW by central differences of grad_p J)."""
    from meganet.data import peaks_data
    from meganet.kernels import dense_kernel
    from meganet.layers import SingleLayer
    from meganet.linalg import mat
    from meganet.losses import SoftmaxCrossEntropy
    from meganet.objectives import NetworkObjective
    from meganet.optim import VarProObjective

    Y, C = peaks_data(200, 5, seed=0)
    layer = SingleLayer(dense_kernel(10, 2), "tanh")
    full = NetworkObjective(layer, SoftmaxCrossEntropy(), Y, C, alpha_p=1e-3, alpha_W=1e-3)
    p = 2.0 * layer.initial_parameters(seed=0)
    tight = VarProObjective(full, inner_atol=1e-10, inner_maxiter=200)
    g = tight.derivatives(p)[1]
    W = tight.W_last.copy()
    H_WW = full.linearize(p, W)[4]
    eye = np.eye(W.size)
    H = np.column_stack([H_WW.matvec(e) for e in eye])
    eps = 1e-5
    J_pW = np.column_stack([(full.linearize(p, W + eps * mat(e, W.shape))[1]
                             - full.linearize(p, W - eps * mat(e, W.shape))[1]) / (2 * eps)
                            for e in eye])
    return full, p, tight, g, J_pW @ np.linalg.inv(H)


def test_inexact_varpro_gradient_error_is_of_the_order_of_the_inner_tolerance():
    """||g~ - grad J_red|| <= ||J_pW H_WW^{-1}|| ||grad_W J(p, W~)|| (first order), and the solve
    met the tolerance tau it was asked for: the reduced gradient's error is O(tau)."""
    from meganet.optim import VarProObjective

    full, p, _, g, A = _inexact_varpro_problem()
    C = np.linalg.norm(A, 2)
    errors = {}
    for tau in (1e-2, 1e-3, 1e-4, 1e-5):
        loose = VarProObjective(full, inner_atol=tau)   # cold start from W = 0
        g_loose = loose.derivatives(p)[1]
        assert loose.inner_failures == 0 and loose.last_inner_grad_norm <= tau
        errors[tau] = np.linalg.norm(g_loose - g)
        assert errors[tau] <= 1.5 * C * loose.last_inner_grad_norm <= 1.5 * C * tau
    assert errors[1e-5] < 1e-2 * errors[1e-2]   # and it shrinks with tau


@pytest.mark.parametrize("tau", [1e-5, 1e-6, 1e-7])
def test_inexact_varpro_gradient_passes_the_taylor_test_at_its_tolerance(tau):
    """E1(h) = |J_red(p + h v) - J_red(p) - h g~^T v| <= M h^2 + h |(g~ - g)^T v|, and
    |(g~ - g)^T v| <= C_v tau with C_v = ||H_WW^{-1} J_pW^T v||. So E1 decays at order 2 while
    C_v tau h <= M h^2 / 4, i.e. for h >= h_min = 4 C_v tau / M; far below it (h -> 0) the
    gradient error shows as order 1, which a tight solve does not have."""
    from meganet.checks.taylor import check_derivative
    from meganet.optim import VarProObjective

    full, p, tight, g, A = _inexact_varpro_problem()
    v = np.random.default_rng(1).standard_normal(p.size)
    v /= np.linalg.norm(v)
    exact = check_derivative(lambda q: (tight(q), g), p, v, h0=1.0, n_steps=24)
    assert exact.passed                    # the tight gradient: order 2 down to round-off
    resolved = exact.E1 > 1e2 * exact.floor
    M = float(np.min(exact.E1[resolved] / exact.h[resolved] ** 2))   # the second-order term
    h_min = 4 * np.linalg.norm(A.T @ v) * tau / M
    n_steps = int(np.floor(np.log2(1.0 / h_min))) + 1
    assert n_steps >= 5                    # at least four orders to judge

    loose = VarProObjective(full, inner_atol=tau)
    g_loose = loose.derivatives(p)[1]
    assert loose.last_inner_grad_norm <= tau
    # values J_red(p + h v) from the tight solve: the test is of the inexact gradient g~
    check = check_derivative(lambda q: (tight(q), g_loose), p, v, h0=1.0, n_steps=n_steps)
    assert check.passed, check.table()
    if tau == 1e-5:   # the control: far below h_min the inexact gradient's error is seen
        below = check_derivative(lambda q: (tight(q), g_loose), p, v, h0=1.0, n_steps=24)
        assert not below.passed and below.order1[-1] < 1.5, below.table()


def test_varpro_inner_tolerance_follows_the_outer_gradient():
    """inner_eta > 0: tau = max(inner_atol, inner_eta ||grad J_red||) at the last iterate, values
    to inner_eta_value; every inner solve met the tolerance it was asked for."""
    import warnings

    from meganet.optim import VarProObjective, varpro

    full, p, _, _, _ = _inexact_varpro_problem()
    reduced = VarProObjective(full, inner_atol=1e-8, inner_eta=0.1, inner_eta_value=0.01)
    assert reduced.tolerance() == 1e-8     # no outer gradient yet: the floor
    g = reduced.derivatives(p)[1]
    assert reduced.grad_norm == np.linalg.norm(g)
    assert reduced.tolerance("gradient") == pytest.approx(max(1e-8, 0.1 * np.linalg.norm(g)))
    assert reduced.tolerance("value") == pytest.approx(max(1e-8, 0.01 * np.linalg.norm(g)))
    with pytest.raises(ValueError, match="inner_eta"):
        VarProObjective(full, inner_eta=-1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = varpro(full, p, inner_atol=1e-8, maxiter=10)
        adaptive = varpro(full, p, inner_atol=1e-8, inner_eta=1e-2, inner_eta_value=1e-3, maxiter=10)
    assert adaptive.inner_failures == 0 and adaptive.status in (0, 1)
    assert adaptive.inner_iterations < fixed.inner_iterations
    assert adaptive.fun <= fixed.history["fun"][0]   # it descends
