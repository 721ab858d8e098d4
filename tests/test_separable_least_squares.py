"""VarPro in the Golub-Pereyra form and its solvers, against references.

The Taylor and adjoint tests of the exact Jacobian and of the joint residual are in the
derivative families (tests/derivative_cases.py); here: what is special to separable least
squares (the projector, Kaufman's approximation) and the solvers built on scipy's least_squares.
"""
import numpy as np
import pytest

from meganet.checks import check_adjoint, check_derivative
from meganet.kernels import dense_kernel
from meganet.layers import QuadraticScalarization, SingleLayer
from meganet.objectives import JointResidual, VarProResidual, truncated_svd
from meganet.optim import joint_least_squares, varpro_least_squares


def _problem(n=30, L=4, m=3, k=3, seed=0):
    rng = np.random.default_rng(seed)
    layer = QuadraticScalarization(L, m)
    Y = rng.standard_normal((L * L, n))
    C = np.eye(k)[:, rng.integers(0, k, n)]
    return layer, Y, C, rng.standard_normal(layer.n_params)


def test_weights_and_residual_match_numpy_lstsq():
    layer, Y, C, theta = _problem()
    problem = VarProResidual(layer, Y, C)
    Z = layer.forward(theta, Y)
    W_ref = np.linalg.lstsq(Z.T, C.T, rcond=None)[0].T
    np.testing.assert_allclose(problem.weights(theta), W_ref, atol=1e-10)
    np.testing.assert_allclose(problem.residual(theta), (W_ref @ Z - C).reshape(-1, order="F"), atol=1e-10)
    # the residual is orthogonal to the features: R Z^T = 0 (normal equations)
    R = problem.point(theta).R
    np.testing.assert_allclose(R @ Z.T, 0, atol=1e-10)


def test_truncated_svd_drops_the_small_singular_values():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 40))   # rank 2
    U, s, V = truncated_svd(Z, 1e-10)
    assert s.size == 2
    np.testing.assert_allclose(U * s @ V.T, Z, atol=1e-12)


def test_rank_deficient_features_give_the_minimum_norm_weights():
    """Two identical units: Z has rank m - 1, W(theta) is the pseudo-inverse solution."""
    rng = np.random.default_rng(2)
    layer = QuadraticScalarization(3, 2)
    w = rng.standard_normal(3)
    theta = np.concatenate([w, w])
    Y = rng.standard_normal((9, 20))
    C = np.eye(2)[:, rng.integers(0, 2, 20)]
    problem = VarProResidual(layer, Y, C)
    Z = layer.forward(theta, Y)
    np.testing.assert_allclose(problem.weights(theta), C @ np.linalg.pinv(Z, rcond=1e-10), atol=1e-10)
    assert problem.point(theta).rank == 1


@pytest.mark.parametrize("jacobian", ["exact", "kaufman"])
def test_both_jacobians_pass_the_adjoint_test(jacobian):
    layer, Y, C, theta = _problem(seed=3)
    result = check_adjoint(VarProResidual(layer, Y, C).jacobian(theta, jacobian), seed=4, rtol=1e-12)
    assert result.passed, str(result)


def test_kaufman_fails_the_taylor_test_where_the_residual_is_large():
    """Kaufman drops a term proportional to R: a real residual makes it a first-order approximation."""
    layer, Y, C, theta = _problem(seed=5)
    problem = VarProResidual(layer, Y, C)
    assert np.linalg.norm(problem.residual(theta)) > 1
    assert check_derivative(lambda t: problem.linearize(t, "exact"), theta, seed=6).passed
    assert not check_derivative(lambda t: problem.linearize(t, "kaufman"), theta, seed=6).passed


def test_kaufman_gap_shrinks_with_the_residual():
    """C = W* Z(theta) + eps N: the gap ||(J_exact - J_kaufman) v|| is proportional to ||r|| ~ eps."""
    rng = np.random.default_rng(7)
    layer = QuadraticScalarization(4, 5)
    Y = rng.standard_normal((16, 40))
    theta = rng.standard_normal(layer.n_params)
    Z = layer.forward(theta, Y)
    W_star, noise = rng.standard_normal((3, 5)), rng.standard_normal((3, 40))
    v = rng.standard_normal(layer.n_params)
    gaps, residuals = [], []
    for eps in [1e0, 1e-2, 1e-4, 1e-6]:
        problem = VarProResidual(layer, Y, W_star @ Z + eps * noise)
        Jv = problem.jacobian(theta, "exact") @ v
        gaps.append(np.linalg.norm(Jv - problem.jacobian(theta, "kaufman") @ v) / np.linalg.norm(Jv))
        residuals.append(np.linalg.norm(problem.residual(theta)))
    gaps, residuals = np.array(gaps), np.array(residuals)
    assert np.all(np.diff(np.log10(gaps)) < -1.5)                    # two decades per step, about
    # linear in ||r|| once the residual is small (the projector then hardly changes with eps)
    np.testing.assert_allclose(gaps[1:] / residuals[1:], gaps[-1] / residuals[-1], rtol=0.01)


def test_joint_and_varpro_residuals_agree_at_the_optimal_weights():
    layer, Y, C, theta = _problem(seed=8)
    varpro, joint = VarProResidual(layer, Y, C), JointResidual(layer, Y, C)
    x = np.concatenate([theta, varpro.weights(theta).reshape(-1, order="F")])
    np.testing.assert_allclose(joint.residual(x), varpro.residual(theta), atol=1e-12)
    # at W(theta) the joint gradient in W vanishes, and in theta it equals the VarPro gradient
    g_joint = joint.jacobian(x).rmatvec(joint.residual(x))
    g_varpro = varpro.jacobian(theta, "exact").rmatvec(varpro.residual(theta))
    np.testing.assert_allclose(g_joint[layer.n_params:], 0, atol=1e-10)
    np.testing.assert_allclose(g_joint[:layer.n_params], g_varpro, rtol=1e-8, atol=1e-10)


def _digits_problem():
    from meganet.data import digits_data
    Y, C = digits_data(seed=0)
    return QuadraticScalarization(8, 6), Y[:, :300], C[:, :300]


@pytest.mark.parametrize("jacobian", ["exact", "kaufman"])
def test_varpro_least_squares_decreases_the_fit_and_reports(jacobian):
    layer, Y, C = _digits_problem()
    p0 = layer.initial_parameters(seed=1)
    result = varpro_least_squares(layer, Y, C, p0, jacobian=jacobian, max_nfev=15)
    start = VarProResidual(layer, Y, C).value(p0)
    assert result.fun < 0.8 * start
    assert result.status in (0, 1) and result.nfev <= 15
    assert result.W.shape == (10, 6) and result.x.size == layer.n_params + 60
    fun = result.history.as_arrays()["fun"]
    assert fun[0] == pytest.approx(start) and np.all(np.diff(fun) <= 1e-12)   # accepted steps only
    np.testing.assert_allclose(result.fun, VarProResidual(layer, Y, C).value(result.p))


def test_trf_and_lm_reach_the_same_fit_on_a_small_problem():
    """Our matrix-free trust region (LSMR steps) against MINPACK's LM on the dense Jacobian."""
    layer, Y, C = _digits_problem()
    p0 = layer.initial_parameters(seed=2)
    trf = varpro_least_squares(layer, Y[:, :120], C[:, :120], p0, max_nfev=200, lsmr_maxiter=None,
                               jacobian="exact")
    lm = varpro_least_squares(layer, Y[:, :120], C[:, :120], p0, method="lm", max_nfev=200,
                              jacobian="exact")
    # a non-convex fit: both must stop at a stationary point; compare the values reached
    assert abs(trf.fun - lm.fun) < 0.1 * lm.fun


def test_varpro_beats_the_joint_fit_at_equal_evaluations():
    layer, Y, C = _digits_problem()
    p0 = layer.initial_parameters(seed=3)
    varpro = varpro_least_squares(layer, Y, C, p0, max_nfev=15)
    joint = joint_least_squares(layer, Y, C, p0, max_nfev=15)
    assert joint.history["fun"][0] == pytest.approx(varpro.history["fun"][0])   # same start
    assert varpro.fun < joint.fun


def test_callback_records_and_stops():
    layer, Y, C = _digits_problem()
    seen = []

    def callback(p):
        seen.append(p.copy())
        return {"norm": float(np.linalg.norm(p)), "stop": len(seen) == 3}

    result = varpro_least_squares(layer, Y, C, layer.initial_parameters(seed=4), callback=callback)
    assert result.status == 3 and not result.success and len(seen) == 3
    assert result.history["norm"][-1] == pytest.approx(np.linalg.norm(seen[-1]))


def test_works_with_any_element():
    """VarPro least squares is not tied to the quadratic unit: vectorised sigmoid units too."""
    _, Y, C = _digits_problem()
    layer = SingleLayer(dense_kernel(6, 64), "sigmoid")
    p0 = layer.initial_parameters(seed=5)
    result = varpro_least_squares(layer, Y, C, p0, max_nfev=10)
    assert result.fun < VarProResidual(layer, Y, C).value(p0)


def test_bad_input_is_named():
    layer, Y, C, theta = _problem()
    with pytest.raises(ValueError, match="Y .*shape"):
        VarProResidual(layer, Y[:5], C)
    with pytest.raises(ValueError, match="finite"):
        VarProResidual(layer, np.full_like(Y, np.nan), C)
    with pytest.raises(ValueError, match="columns"):
        VarProResidual(layer, Y, C[:, :5])
    with pytest.raises(ValueError, match="jacobian must be one of"):
        varpro_least_squares(layer, Y, C, theta, jacobian="gauss")
    with pytest.raises(ValueError, match="method must be"):
        varpro_least_squares(layer, Y, C, theta, method="dogleg")
    with pytest.raises(ValueError, match="12 entries"):
        varpro_least_squares(layer, Y, C, theta[:5])
    with pytest.raises(ValueError, match="rcond"):
        VarProResidual(layer, Y, C, rcond=2.0)
