"""Grid operators against numpy differences of the image, and Tikhonov's value."""
import numpy as np

from meganet import mat, vec
from meganet.regularizers import Tikhonov, gradient_2d, laplacian_2d


def test_gradient_matches_numpy_diff_of_the_image():
    I = np.random.default_rng(0).standard_normal((4, 6))
    G = gradient_2d(I.shape)
    expected = np.concatenate([vec(np.diff(I, axis=0)), vec(np.diff(I, axis=1))])
    assert np.allclose(G @ vec(I), expected)


def test_laplacian_is_five_point_stencil_inside_and_kills_constants():
    I = np.random.default_rng(1).standard_normal((5, 5))
    LI = mat(laplacian_2d(I.shape) @ vec(I), I.shape)
    interior = 4 * I[1:-1, 1:-1] - I[:-2, 1:-1] - I[2:, 1:-1] - I[1:-1, :-2] - I[1:-1, 2:]
    assert np.allclose(LI[1:-1, 1:-1], interior)
    assert np.allclose(laplacian_2d((5, 5)) @ np.ones(25), 0)


def test_tikhonov_value_is_half_alpha_norm_of_L_rows():
    W = np.random.default_rng(2).standard_normal((2, 12))
    G = gradient_2d((3, 4))
    R = Tikhonov(0.3, G)
    expected = 0.15 * sum(np.sum((G @ w) ** 2) for w in W)
    assert np.isclose(R.value(W), expected)
    assert np.isclose(R.value(W), 0.15 * np.sum((R.operator(W.shape) @ vec(W)) ** 2))


def test_tikhonov_identity_is_weight_decay():
    W = np.arange(6.0).reshape(2, 3)
    assert Tikhonov(2.0).value(W) == np.sum(W**2)


def test_lcurve_corner_finds_the_bend_of_an_L():
    # an L: eta falls steeply then flat, rho flat then rising; the bend is at index 5
    rho = np.concatenate([np.full(5, 1.0) + np.arange(5) * 1e-3, np.geomspace(1.1, 100, 6)])
    eta = np.concatenate([np.geomspace(100, 1.1, 5), np.full(6, 1.0) - np.arange(6) * 1e-3])
    from meganet.regularizers import lcurve_corner
    assert lcurve_corner(rho, eta) in (4, 5)
