"""Losses against independent references: scipy.special.logsumexp and scikit-learn."""
import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression

from meganet import vec
from meganet.losses import LeastSquares, Logistic, SoftmaxCrossEntropy
from meganet.objectives import LinearModelObjective
from meganet.optim import newton_cg
from meganet.regularizers import Tikhonov


def _classification(n_classes=3, n_features=5, n=200, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, n)
    centres = 2 * rng.standard_normal((n_features, n_classes))
    Y = centres[:, labels] + rng.standard_normal((n_features, n))
    return Y, np.eye(n_classes)[:, labels], labels


def test_softmax_value_matches_logsumexp():
    rng = np.random.default_rng(1)
    S = 5 * rng.standard_normal((4, 30))
    C = np.eye(4)[:, rng.integers(0, 4, 30)]
    expected = np.mean(logsumexp(S, axis=0) - np.sum(C * S, axis=0))
    assert np.isclose(SoftmaxCrossEntropy().value(S, C), expected, rtol=1e-14)


def test_softmax_is_stable_for_huge_scores():
    S = np.array([[1e3, -1e3, 2e3], [0.0, 1e3, 2e3 + 1]])
    C = np.array([[1.0, 0, 0], [0, 1, 1]])
    E, dS, hess = SoftmaxCrossEntropy().derivatives(S, C)
    assert np.isfinite(E) and np.all(np.isfinite(dS)) and np.all(np.isfinite(hess(np.ones_like(S))))
    # column 2 is half/half up to e^-1: its loss is log(1 + e^-1)
    assert np.isclose(E, (0 + 0 + np.log1p(np.exp(-1))) / 3)


def test_logistic_is_stable_and_matches_the_formula():
    s = np.array([[-800.0, -1.0, 0.0, 2.0, 800.0]])
    c = np.array([[0.0, 1, 0, 1, 1]])
    E = Logistic().value(s, c)
    expected = np.mean(np.logaddexp(0, s[0]) - c[0] * s[0])
    assert np.isfinite(E) and np.isclose(E, expected)


def test_logistic_accepts_one_hot_two_class_labels():
    s = np.array([[0.3, -2.0]])
    assert Logistic().value(s, np.array([[1.0, 0], [0, 1]])) == Logistic().value(s, [[0, 1]])


def test_least_squares_value():
    S, C = np.ones((2, 4)), np.zeros((2, 4))
    assert LeastSquares().value(S, C) == pytest.approx(0.5 * 8 / 4)


def test_softmax_regression_matches_scikit_learn():
    """mean cross-entropy + alpha/2 ||W||^2 is sklearn's objective with C = 1/(n alpha)."""
    Y, C, labels = _classification()
    alpha, n = 1e-2, Y.shape[1]
    obj = LinearModelObjective(SoftmaxCrossEntropy(), Y, C, Tikhonov(alpha))
    ours = newton_cg(obj, np.zeros(obj.n), rtol=1e-10)
    sk = LogisticRegression(C=1 / (n * alpha), fit_intercept=False, tol=1e-12, max_iter=10_000)
    sk.fit(Y.T, labels)
    assert ours.success
    assert np.allclose(obj.W(ours.x), sk.coef_, atol=1e-5)
    assert obj(ours.x) <= obj(vec(sk.coef_)) + 1e-10


def test_logistic_regression_matches_scikit_learn():
    Y, C, labels = _classification(n_classes=2, seed=2)
    alpha, n = 1e-1, Y.shape[1]
    obj = LinearModelObjective(Logistic(), Y, C, Tikhonov(alpha))
    ours = newton_cg(obj, np.zeros(obj.n), rtol=1e-10)
    sk = LogisticRegression(C=1 / (n * alpha), fit_intercept=False, tol=1e-12, max_iter=10_000)
    sk.fit(Y.T, labels)
    assert np.allclose(obj.W(ours.x), sk.coef_, atol=1e-6)


def test_accuracy_counts_correct_columns():
    S = np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 0.0]])
    C = np.array([[1.0, 1, 0], [0, 0, 1]])
    assert SoftmaxCrossEntropy().accuracy(S, C) == pytest.approx(1 / 3)
