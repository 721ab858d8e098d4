"""The scale-invariant classification stage (Tygert et al.): value, derivatives, invariance,
numerics at extreme scales, the zero-column convention, and SGD with renormalisation of W."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meganet import mat, vec
from meganet.checks import check_adjoint, check_derivative, finite_difference_jacobian
from meganet.layers import LinearMap
from meganet.losses import ScaleInvariant, SoftmaxCrossEntropy, simplex_targets
from meganet.objectives import NetworkObjective
from meganet.optim.sgd import classifier_renormalization, sgd

LOSSES = {"simplex in R^k": (ScaleInvariant(), 3), "simplex in R^(k-1)": (ScaleInvariant(simplex_targets(3, 2)), 2)}


def _data(n_scores=3, n_classes=3, n_features=4, n=15, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_features, n))
    C = np.eye(n_classes)[:, rng.integers(0, n_classes, n)]
    W = rng.standard_normal((n_scores, n_features))
    return Z, C, W


def _reference_value(S, C, T):
    """The definition, written plainly: mean over columns of ||s/||s|| - t_c||^2."""
    return np.mean([np.sum((S[:, j] / np.linalg.norm(S[:, j]) - T[:, C[:, j].argmax()]) ** 2)
                    for j in range(S.shape[1])])


# --- targets ----------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3, 5, 10])
@pytest.mark.parametrize("dimension", [None, "k-1"])
def test_simplex_targets_are_a_regular_simplex_on_the_unit_sphere(k, dimension):
    T = simplex_targets(k, k - 1 if dimension else None)
    assert T.shape == ((k - 1 if dimension else k), k)
    gram = T.T @ T
    assert np.allclose(np.diag(gram), 1, atol=1e-14)
    assert np.allclose(gram[~np.eye(k, dtype=bool)], -1 / (k - 1), atol=1e-14)
    assert np.allclose(T.sum(axis=1), 0, atol=1e-14)


def test_simplex_targets_refuse_bad_sizes():
    for bad in (1, 0, 2.5):
        with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
            simplex_targets(bad)
    with pytest.raises(ValueError, match="dimension must be"):
        simplex_targets(4, 2)


# --- value against the definition -------------------------------------------------------------
@pytest.mark.parametrize("name", LOSSES)
def test_value_matches_the_definition_and_is_bounded(name):
    loss, d = LOSSES[name]
    Z, C, W = _data(n_scores=d)
    S = W @ Z
    E = loss.value(S, C)
    assert np.isclose(E, _reference_value(S, C, loss.target_matrix(3)), rtol=1e-14)
    assert 0 <= E <= 4
    # the worst and best cases: every z opposite to / at its target
    T = loss.target_matrix(3)
    assert np.isclose(loss.value(-T @ C, C), 4.0) and loss.value(2.5 * T @ C, C) == pytest.approx(0, abs=1e-30)


def test_value_keeps_relative_accuracy_near_a_perfect_fit():
    loss, T = ScaleInvariant(), simplex_targets(3)
    C = np.eye(3)[:, [0]]
    delta = 1e-9
    s = T[:, [0]] + delta * np.array([[0.0], [1.0], [-1.0]])   # a tilt orthogonal to t_0 (t_0^T (e1 - e2) = 0)
    z = s / np.linalg.norm(s)
    exact = float(np.sum((z - T[:, [0]]) ** 2))             # ~ 2 delta^2, computed from z directly
    assert exact > 0 and np.isclose(loss.value(s, C), exact, rtol=1e-6)


# --- derivatives: Taylor, adjoint, finite differences -------------------------------------------
def _families(loss, Z, C, W0):
    lin_W = lambda w: loss.linearize(mat(w, W0.shape), Z, C)[1]
    lin_Z = lambda z: loss.linearize(W0, mat(z, Z.shape), C)[1]
    return {
        "E in W": (lambda w: (loss(mat(w, W0.shape), Z, C), vec(lin_W(w).grad_W)), vec(W0), None),
        "E in Z": (lambda z: (loss(W0, mat(z, Z.shape), C), vec(lin_Z(z).grad_Z)), vec(Z), None),
        "grad_W in W": (lambda w: (vec(lin_W(w).grad_W), lin_W(w).hess_W), vec(W0), lambda w: lin_W(w).hess_W),
        "grad_Z in Z": (lambda z: (vec(lin_Z(z).grad_Z), lin_Z(z).hess_Z), vec(Z), lambda z: lin_Z(z).hess_Z),
    }


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("family", ["E in W", "E in Z", "grad_W in W", "grad_Z in Z"])
def test_taylor_and_adjoint(name, family):
    loss, d = LOSSES[name]
    Z, C, W = _data(n_scores=d)
    fun, x, operator = _families(loss, Z, C, W)[family]
    for seed in range(3):
        result = check_derivative(fun, x, seed=seed)
        assert result.passed, result.table()
    if operator is not None:
        assert check_adjoint(operator(x), seed=5, rtol=1e-12).passed


@pytest.mark.parametrize("name", LOSSES)
def test_gradient_and_hessian_match_finite_differences_in_the_scores(name):
    loss, d = LOSSES[name]
    Z, C, W = _data(n_scores=d, n=6)
    S = W @ Z
    E, G, hess = loss.derivatives(S, C)
    fd_grad = finite_difference_jacobian(lambda s: loss.value(mat(s, S.shape), C), vec(S)).ravel()
    assert np.allclose(vec(G), fd_grad, rtol=1e-6, atol=1e-9)
    H = np.column_stack([vec(hess(mat(e, S.shape))) for e in np.eye(S.size)])
    fd_hess = finite_difference_jacobian(lambda s: vec(loss.derivatives(mat(s, S.shape), C)[1]), vec(S))
    assert np.allclose(H, fd_hess, rtol=1e-5, atol=1e-8)
    assert np.allclose(H, H.T, atol=1e-15)


def test_taylor_test_notices_a_wrong_gradient():
    loss = ScaleInvariant()
    Z, C, W = _data()
    fun, x, _ = _families(loss, Z, C, W)["E in W"]
    wrong = lambda w: (fun(w)[0], 1.01 * fun(w)[1])
    assert not check_derivative(wrong, x, seed=4).passed


# --- scale invariance -----------------------------------------------------------------------
@pytest.mark.parametrize("c", [1e-300, 1e-8, 0.5, 3.0, 1e8, 1e300])
def test_value_and_prediction_are_invariant_to_positive_scaling(c):
    loss = ScaleInvariant()
    Z, C, W = _data()
    S = W @ Z
    assert np.isclose(loss.value(c * S, C), loss.value(S, C), rtol=1e-14, atol=0)
    assert np.array_equal(loss.predict(c * S), loss.predict(S))
    assert np.allclose(loss.output(c * S), loss.output(S), rtol=1e-14, atol=1e-15)
    # the gradient in S has degree -1; in W (Z scaled, or W scaled) it is unchanged / scaled by 1/c
    G = loss.derivatives(S, C)[1]
    assert np.allclose(c * loss.derivatives(c * S, C)[1], G, rtol=1e-12, atol=0)


def test_negative_scaling_flips_the_output_and_reflects_the_cost():
    """E(-S) = 4 - E(S): the stage is invariant to c > 0 only; c < 0 sends z to -z."""
    loss = ScaleInvariant()
    Z, C, W = _data(n=200)
    S = W @ Z
    for c in (-1.0, -1e-5, -7.0):
        assert np.allclose(loss.output(c * S), -loss.output(S), atol=1e-15)
        assert np.isclose(loss.value(c * S, C), 4 - loss.value(S, C), rtol=1e-14)
    # the largest score becomes the smallest: no prediction survives a sign flip
    assert not np.any(loss.predict(-S) == loss.predict(S))


def test_gradient_is_orthogonal_to_the_scores_and_the_hessian_reflects_it():
    """Euler for degree 0: <dE/dS, S> = 0 column by column, and d2E/dS2 [S] = -dE/dS."""
    loss = ScaleInvariant()
    Z, C, W = _data()
    S = W @ Z
    _, G, hess = loss.derivatives(S, C)
    assert np.allclose(np.sum(G * S, axis=0), 0, atol=1e-15)
    assert np.allclose(hess(S), -G, rtol=1e-12, atol=1e-15)
    _, d = loss.linearize(W, Z, C)
    assert abs(np.sum(d.grad_W * W)) < 1e-14 * np.linalg.norm(d.grad_W) * np.linalg.norm(W)


@settings(max_examples=40, deadline=None)
@given(n_classes=st.integers(2, 6), n=st.integers(1, 12), log_c=st.floats(-250, 250), seed=st.integers(0, 10 ** 6))
def test_invariance_and_bounds_for_random_shapes(n_classes, n, log_c, seed):
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((n_classes, n))
    C = np.eye(n_classes)[:, rng.integers(0, n_classes, n)]
    loss = ScaleInvariant()
    E = loss.value(S, C)
    assert 0 <= E <= 4
    assert np.isclose(loss.value(10.0 ** log_c * S, C), E, rtol=1e-13, atol=0)


# --- extreme scales and the zero column -----------------------------------------------------
@pytest.mark.parametrize("scale", [1e-306, 1e-200, 1e-150, 1.0, 1e150, 1e200, 1e300])
def test_no_overflow_or_division_by_zero_at_extreme_scales(scale):
    loss = ScaleInvariant()
    Z, C, W = _data()
    S = W @ Z
    S = S / np.abs(S).max(axis=0)     # each column's largest |entry| is 1: scale * S is finite, and no
                                      # column is below the smallest normal number (the zero convention)
    E0, G0, _ = loss.derivatives(S, C)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        E, G, hess = loss.derivatives(scale * S, C)
        HS = hess(scale * S)          # a product along the scores themselves: the true value is finite
    assert np.isclose(E, E0, rtol=1e-12)  # at 1e-306 some entries are subnormal: a few bits are lost
    assert np.all(np.isfinite(G)) and np.all(np.isfinite(HS))
    assert np.allclose(scale * G, G0, rtol=1e-12)
    assert np.allclose(HS, -G, rtol=1e-12)


def test_largest_floats_do_not_overflow_the_norm():
    loss = ScaleInvariant()
    S = np.array([[1.7e308, -1.7e308], [1.7e308, 1.0], [1.0e308, 0.0]])
    C = np.eye(3)[:, [0, 1]]
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        E, G, _ = loss.derivatives(S, C)
    reference = _reference_value(S / 1e300, C, simplex_targets(3))
    assert np.isclose(E, reference, rtol=1e-14) and np.all(np.isfinite(G))


def test_zero_columns_have_the_documented_value_zero_derivatives_and_no_class():
    """A zero (or subnormal) column: cost 2 (the mean over all directions), gradient and
    Hessian zero, predicted class -1; the other columns are unaffected."""
    loss = ScaleInvariant()
    Z, C, W = _data(n=5)
    S = W @ Z
    S[:, 1] = 0.0
    S[:, 3] = 1e-310 * np.array([1.0, -2.0, 0.5])          # subnormal: 1/||s|| is not a float
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        E, G, hess = loss.derivatives(S, C)
        HV = hess(np.ones_like(S))
    keep = [0, 2, 4]
    assert np.isclose(E, (loss.value(S[:, keep], C[:, keep]) * 3 + 2 * 2) / 5, rtol=1e-14)
    assert np.all(G[:, [1, 3]] == 0) and np.all(HV[:, [1, 3]] == 0)
    assert np.array_equal(loss.predict(S)[[1, 3]], [-1, -1])
    assert loss.accuracy(S, C) <= 3 / 5
    # W = 0: every column is zero, E = 2 and the gradient vanishes (a fixed point: start W away from 0)
    E, d = loss.linearize(np.zeros_like(W), Z, C)
    assert E == 2.0 and np.all(d.grad_W == 0)


def test_the_average_over_directions_is_two():
    """The zero-column value 2 is the mean of ||z - t||^2 over unit vectors z (Monte Carlo)."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 200_000))
    z /= np.linalg.norm(z, axis=0)
    t = simplex_targets(4)[:, [1]]
    assert abs(np.mean(np.sum((z - t) ** 2, axis=0)) - 2.0) < 0.01


# --- prediction -----------------------------------------------------------------------------
def test_prediction_is_the_nearest_target_and_the_largest_score():
    Z, C, W = _data(n=300)
    S = W @ Z
    assert np.array_equal(ScaleInvariant().predict(S), S.argmax(0))
    T2 = simplex_targets(3, 2)
    S2 = W[:2] @ Z
    z = S2 / np.linalg.norm(S2, axis=0)
    nearest = np.argmin(((z[:, None, :] - T2[:, :, None]) ** 2).sum(axis=0), axis=0)
    assert np.array_equal(ScaleInvariant(T2).predict(S2), nearest)


# --- bad input --------------------------------------------------------------------------------
def test_bad_input_gives_clear_errors():
    loss = ScaleInvariant()
    Z, C, W = _data()
    S = W @ Z
    with pytest.raises(ValueError, match="W needs 3 rows"):
        loss.value(S[:2], C)
    with pytest.raises(ValueError, match="one-hot"):
        loss.value(S, 0.5 * C)
    with pytest.raises(ValueError, match="at least 2 classes"):
        loss.value(S[:1], np.ones((1, S.shape[1])))
    with pytest.raises(ValueError, match="finite"):
        loss.value(np.where(S > 1, np.nan, S), C)
    with pytest.raises(ValueError, match="one column per example"):
        loss.value(S, C[:, :-1])
    with pytest.raises(ValueError, match="unit vectors"):
        ScaleInvariant(2 * simplex_targets(3))
    with pytest.raises(ValueError, match="3 classes but the targets have 4"):
        ScaleInvariant(simplex_targets(4)).value(S, C)
    with pytest.raises(ValueError, match="targets live in R\\^2"):
        ScaleInvariant(simplex_targets(3, 2)).value(S, C)


@pytest.mark.parametrize("make, match", [
    (lambda Z, C, W: (W, np.where(Z > 1, np.inf, Z), C), "finite"),
    (lambda Z, C, W: (W, Z[:, :0], C[:, :0]), "empty"),
    (lambda Z, C, W: (W, Z[0], C), "2-D array"),
    (lambda Z, C, W: (np.ones((3, 5)), Z, C), "one column per feature"),
    (lambda Z, C, W: (W, Z.astype(str), C), "numeric"),
])
def test_loss_call_refuses_bad_arrays(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ScaleInvariant()(*make(*_data()))


# --- SGD with renormalisation -----------------------------------------------------------------
def _objective(n=120, n_features=6, n_classes=3, seed=0, loss=None):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, n)
    centres = 3 * rng.standard_normal((n_features, n_classes))
    Y = centres[:, labels] + rng.standard_normal((n_features, n))
    identity = LinearMap(np.eye(n_features), "identity")
    return NetworkObjective(identity, loss or ScaleInvariant(), Y, np.eye(n_classes)[:, labels],
                            classifier_bias=False), rng


def test_classifier_renormalization_rescales_W_only():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(5 + 3 * 4)
    project = classifier_renormalization(5, (3, 4))
    y = project(x)
    assert np.array_equal(y[:5], x[:5])
    assert np.isclose(np.linalg.norm(y[5:]), np.sqrt(3))
    assert np.allclose(y[5:] / np.linalg.norm(y[5:]), x[5:] / np.linalg.norm(x[5:]))
    assert np.isclose(np.linalg.norm(classifier_renormalization(0, (3, 4), norm=2.0)(x[5:])), 2.0)
    with pytest.raises(ValueError, match="start from a nonzero"):
        project(np.concatenate([x[:5], np.zeros(12)]))
    with pytest.raises(ValueError, match="diverged"):
        project(np.concatenate([x[:5], np.full(12, np.inf)]))
    huge = project(np.concatenate([x[:5], 1e300 * x[5:]]))     # no overflow in ||W||
    assert np.isclose(np.linalg.norm(huge[5:]), np.sqrt(3)) and np.allclose(huge, y)
    with pytest.raises(ValueError, match="17 entries"):
        project(x[:-1])
    with pytest.raises(ValueError, match="norm must be"):
        classifier_renormalization(5, (3, 4), norm=-1.0)


def test_sgd_with_renormalization_keeps_the_norm_and_lowers_the_loss():
    f, rng = _objective()
    project = classifier_renormalization(f.n_p, f.shape_W)
    x0 = project(rng.standard_normal(f.n))
    norms = []
    res = sgd(f, x0, epochs=5, batch_size=8, learning_rate=0.5, seed=1, project=project,
              callback=lambda x: norms.append(np.linalg.norm(x)) or None)
    assert res.success and res.fun < f(x0)
    assert np.allclose(norms, np.sqrt(3), rtol=1e-14)
    # renormalising does not change the loss (scale invariance) ...
    assert np.isclose(f(res.x), f(2.7 * res.x))


def test_without_renormalization_W_only_grows():
    """The gradient is orthogonal to W, so each plain step gives ||W - lr g||^2 = ||W||^2 + lr^2 ||g||^2:
    ||W|| grows monotonically and the effective learning rate lr/||W||^2 decays."""
    f, rng = _objective()
    x0 = classifier_renormalization(0, f.shape_W)(rng.standard_normal(f.n))
    norms = []
    sgd(f, x0, epochs=5, batch_size=8, learning_rate=0.5, seed=1,
        callback=lambda x: norms.append(np.linalg.norm(x)) or None)
    assert np.all(np.diff(norms) > 0) and norms[-1] > 1.05 * norms[0]


def test_sgd_default_is_unchanged_and_project_is_checked():
    f, rng = _objective(loss=SoftmaxCrossEntropy())
    x0 = rng.standard_normal(f.n)
    a = sgd(f, x0, epochs=2, batch_size=10, learning_rate=0.1, momentum=0.9, seed=2)
    b = sgd(f, x0, epochs=2, batch_size=10, learning_rate=0.1, momentum=0.9, seed=2, project=lambda x: x)
    assert np.array_equal(a.x, b.x)
    with pytest.raises(ValueError, match="project must be None or a function"):
        sgd(f, x0, project=3.0)
    with pytest.raises(ValueError, match="project must return"):
        sgd(f, x0, epochs=1, project=lambda x: x[:-1])
