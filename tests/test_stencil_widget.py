"""Stencil explorer: the boxes and presets set theta, and the result obeys the convolution maths.

Independent references: scipy.signal.convolve2d (boundary 'wrap' / 'fill'), the closed-form
spectrum of the 5-point Laplacian, and np.linalg.eigvals of the dense periodic matrix.
"""
import dataclasses

import ipywidgets
import numpy as np
import pytest
import scipy.signal

from meganet import mat, vec
from meganet.kernels import ConvPeriodic, ConvZero
from meganet.widgets import StencilExplorer, StencilResult, stencil_explorer
from meganet.widgets.stencil import PRESETS, preset_stencil

SHAPE = (12, 10)  # not square, so a transposed image or spectrum would show


@pytest.fixture(scope="module")
def image():
    # smooth plus noise, nonzero up to the border (so the boundaries differ there)
    rng = np.random.default_rng(3)
    x1, x2 = np.meshgrid(np.linspace(0, 1, SHAPE[0]), np.linspace(0, 1, SHAPE[1]), indexing="ij")
    return np.sin(3 * x1) + x2 ** 2 + 0.3 * rng.standard_normal(SHAPE)


@pytest.fixture
def explorer(image):
    return stencil_explorer(image, preset="blur")


def reference(image, S, boundary):
    return scipy.signal.convolve2d(image, S, mode="same",
                                   boundary="wrap" if boundary == "periodic" else "fill")


def test_the_explorer_is_a_widget_with_controls_and_a_result(explorer, image):
    assert isinstance(explorer, ipywidgets.Widget) and isinstance(explorer, StencilExplorer)
    assert set(explorer.controls) == {"preset", "boundary", "seed", "stencil"}
    boxes = explorer.controls["stencil"]
    assert len(boxes) == 3 and all(len(row) == 3 for row in boxes)
    assert all(isinstance(b, ipywidgets.FloatText) for row in boxes for b in row)
    assert set(explorer.controls["preset"].options) == set(PRESETS)
    assert {"blur", "edge", "laplacian", "sharpen", "identity", "random"} <= set(PRESETS)
    assert tuple(explorer.controls["boundary"].options) == ("periodic", "zero")
    r = explorer.result
    assert isinstance(r, StencilResult) and (r.preset, r.boundary) == ("blur", "periodic")
    assert r.stencil.shape == (3, 3) and r.filtered.shape == SHAPE
    assert r.eigenvalues.shape == SHAPE and np.iscomplexobj(r.eigenvalues)
    np.testing.assert_array_equal(r.image, image)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.boundary = "zero"
    with pytest.raises(ValueError):
        r.filtered[0, 0] = 1.0  # read-only arrays
    # drawn headless: four panels (+ colour bar), a PNG, nothing pushed to a missing front end
    assert explorer.png.startswith(b"\x89PNG")
    assert len(explorer.figure.axes) >= 4
    assert explorer.output.outputs == ()


@pytest.mark.parametrize("boundary", ["periodic", "zero"])
def test_identity_leaves_the_image_unchanged(image, boundary):
    w = stencil_explorer(image, preset="identity", boundary=boundary)
    np.testing.assert_allclose(w.result.filtered, image, rtol=0, atol=1e-13)
    np.testing.assert_allclose(w.result.eigenvalues, 1.0, atol=1e-14)
    assert w.result.is_symmetric and w.result.max_abs_eigenvalue == pytest.approx(1.0)


def test_blur_summing_to_one_keeps_the_mean_and_lambda0_is_the_sum(explorer, image):
    r = explorer.result
    assert r.stencil.sum() == pytest.approx(1.0) and np.all(r.stencil > 0)
    assert r.filtered.mean() == pytest.approx(image.mean(), abs=1e-13)     # periodic: mean kept
    assert r.eigenvalues[0, 0] == pytest.approx(r.stencil.sum(), abs=1e-14)
    assert r.stencil_sum == pytest.approx(1.0)
    assert r.is_symmetric and np.abs(r.eigenvalues.imag).max() < 1e-14
    assert r.max_abs_eigenvalue == pytest.approx(1.0)    # a mean of 9 pixels cannot amplify
    assert np.std(r.filtered) < np.std(image)            # it smooths
    # for any stencil lambda(0) = sum(S) and mean(K y) = sum(S) mean(y) with periodic boundary
    explorer.controls["preset"].value = "random"
    r = explorer.result
    assert r.eigenvalues[0, 0] == pytest.approx(r.stencil.sum(), abs=1e-12)
    assert r.filtered.mean() == pytest.approx(r.stencil.sum() * image.mean(), abs=1e-12)


def test_laplacian_has_a_real_spectrum_and_is_symmetric(image):
    w = stencil_explorer(image, preset="laplacian")
    r = w.result
    assert r.preset == "laplacian" and r.is_symmetric and not r.is_antisymmetric
    assert np.abs(r.eigenvalues.imag).max() < 1e-13
    # closed form of the periodic 5-point Laplacian: 2 cos(2 pi k/n1) + 2 cos(2 pi l/n2) - 4
    k1, k2 = np.meshgrid(np.arange(SHAPE[0]), np.arange(SHAPE[1]), indexing="ij")
    exact = 2 * np.cos(2 * np.pi * k1 / SHAPE[0]) + 2 * np.cos(2 * np.pi * k2 / SHAPE[1]) - 4
    np.testing.assert_allclose(r.eigenvalues.real, exact, atol=1e-13)
    assert r.eigenvalues.real.max() == pytest.approx(0, abs=1e-13)
    assert r.max_abs_eigenvalue == pytest.approx(8)            # both sizes even: -8 is attained
    assert "real eigenvalues in [-8, 0]" in w.figure.axes[2].get_title()
    assert "Laplacian" in w.figure.axes[2].get_title()


def test_sobel_edge_has_an_imaginary_spectrum(image):
    r = stencil_explorer(image, preset="edge").result
    assert r.is_antisymmetric and not r.is_symmetric
    assert np.abs(r.eigenvalues.real).max() < 1e-13 and np.abs(r.eigenvalues.imag).max() > 1
    assert r.stencil_sum == 0


def test_sharpen_is_identity_minus_laplacian(image):
    S = preset_stencil("identity") - preset_stencil("laplacian")
    np.testing.assert_array_equal(preset_stencil("sharpen"), S)
    r = stencil_explorer(image, preset="sharpen").result
    assert r.eigenvalues.real.min() == pytest.approx(1) and r.max_abs_eigenvalue == pytest.approx(9)


@pytest.mark.parametrize("boundary, kernel", [("periodic", ConvPeriodic), ("zero", ConvZero)])
def test_setting_one_box_changes_stencil_and_filtered_as_K_says(image, boundary, kernel):
    w = stencil_explorer(image, preset="laplacian", boundary=boundary)
    before = w.result
    w.controls["stencil"][0][2].value = 2.5          # S[0, 2]: reads y_{p1 + 1, p2 - 1}
    after = w.result
    assert after is not before and after.preset == "custom"
    assert w.controls["preset"].value == "custom"    # the dropdown no longer claims 'laplacian'
    expected = np.array([[0.0, 1, 2.5], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_array_equal(after.stencil, expected)
    direct = mat(kernel(SHAPE, (3, 3)).apply(vec(expected), vec(image)), SHAPE)
    np.testing.assert_allclose(after.filtered, direct, rtol=0, atol=1e-12)
    np.testing.assert_allclose(after.filtered, reference(image, expected, boundary), rtol=0, atol=1e-12)
    assert not np.allclose(after.filtered, before.filtered)
    assert not after.is_symmetric                   # the point reflection moved 2.5 to S[2, 0]
    assert np.abs(after.eigenvalues.imag).max() > 0.1


def test_every_preset_matches_scipy_convolve2d(image):
    w = stencil_explorer(image)
    for preset in ("blur", "edge", "laplacian", "sharpen", "identity", "random"):
        w.controls["preset"].value = preset
        for boundary in ("periodic", "zero"):
            w.controls["boundary"].value = boundary
            r = w.result
            assert (r.preset, r.boundary) == (preset, boundary)
            np.testing.assert_array_equal(r.stencil, preset_stencil(preset, w.controls["seed"].value))
            np.testing.assert_allclose(r.filtered, reference(image, r.stencil, boundary),
                                       rtol=0, atol=1e-12)


def test_switching_boundary_changes_the_border_only(image):
    w = stencil_explorer(image, preset="random", seed=4)
    periodic = w.result.filtered
    w.controls["boundary"].value = "zero"
    zero = w.result.filtered
    assert w.result.boundary == "zero"
    np.testing.assert_array_equal(w.result.eigenvalues, stencil_explorer(image, preset="random",
                                                                          seed=4).result.eigenvalues)
    interior = (slice(1, -1), slice(1, -1))
    np.testing.assert_allclose(zero[interior], periodic[interior], rtol=0, atol=1e-12)
    for band in (np.s_[0, :], np.s_[-1, :], np.s_[:, 0], np.s_[:, -1]):
        assert np.abs(zero[band] - periodic[band]).max() > 1e-3
    assert "border pixels" in w.figure.axes[1].get_title()


def test_the_spectrum_is_that_of_the_dense_periodic_matrix():
    shape = (6, 5)
    img = np.arange(30.0).reshape(shape)
    r = stencil_explorer(img, preset="random", seed=7).result
    K = ConvPeriodic(shape, (3, 3)).dense(vec(r.stencil))
    lam = np.linalg.eigvals(K)

    def sort(z):
        return z[np.lexsort((np.round(z.imag, 8), np.round(z.real, 8)))]

    np.testing.assert_allclose(sort(r.eigenvalues.ravel()), sort(lam), atol=1e-10)
    assert r.max_abs_eigenvalue == pytest.approx(np.linalg.norm(K, 2), rel=1e-10)   # K is normal


def test_random_preset_is_seeded_and_new_random_changes_it(image):
    a = stencil_explorer(image, preset="random", seed=5)
    b = stencil_explorer(image, preset="random", seed=5)
    np.testing.assert_array_equal(a.result.stencil, b.result.stencil)
    first = a.result.stencil
    a.controls["seed"].value = 6
    assert a.result.preset == "random" and not np.array_equal(a.result.stencil, first)
    np.testing.assert_array_equal(a.result.stencil, preset_stencil("random", 6))
    a.new_random.click()
    assert a.controls["seed"].value == 7 and a.result.preset == "random"
    np.testing.assert_array_equal(a.result.stencil, preset_stencil("random", 7))
    # the seed does not touch a non-random stencil
    a.controls["preset"].value = "blur"
    a.controls["seed"].value = 8
    np.testing.assert_array_equal(a.result.stencil, preset_stencil("blur"))


def test_a_preset_fills_all_boxes_with_one_update(explorer):
    calls = []
    update = explorer.update
    explorer.update = lambda: calls.append(1) or update()
    explorer.controls["preset"].value = "sharpen"
    assert len(calls) == 1
    np.testing.assert_array_equal(explorer.stencil, preset_stencil("sharpen"))
    explorer.set_stencil(np.eye(3))
    assert explorer.result.preset == "custom" and np.array_equal(explorer.result.stencil, np.eye(3))


@pytest.mark.parametrize("bad, message", [
    (np.ones(16), "2-D"),
    (np.ones((4, 4, 2)), "2-D"),
    (np.where(np.eye(5) > 0, np.nan, 1.0), "finite"),
    (np.where(np.eye(5) > 0, np.inf, 1.0), "finite"),
    (np.ones((2, 5)), "at least 3 x 3"),
    (np.ones((4, 4)) * 1j, "real"),
    ([[1, 2, 3], [4, 5]], "2-D"),
    ("an image", "numeric"),
])
def test_bad_image_raises_a_clear_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        stencil_explorer(bad)


def test_bad_options_raise(image, explorer):
    with pytest.raises(ValueError, match="preset"):
        stencil_explorer(image, preset="gaussian")
    with pytest.raises(ValueError, match="boundary"):
        stencil_explorer(image, boundary="reflect")
    with pytest.raises(ValueError, match="seed"):
        stencil_explorer(image, seed=-1)
    with pytest.raises(ValueError, match="3 x 3"):
        explorer.set_stencil(np.ones((5, 5)))
    with pytest.raises(ValueError, match="finite"):
        explorer.set_stencil(np.full((3, 3), np.nan))


def test_the_default_image_is_an_mnist_digit():
    from meganet.data import mnist_sample

    w = stencil_explorer()
    Y, _ = mnist_sample(seed=0)
    np.testing.assert_array_equal(w.image, mat(Y[:, 0], (28, 28)))
    r = w.result
    assert r.filtered.shape == (28, 28) and r.eigenvalues.shape == (28, 28)
    assert r.preset == "blur" and r.filtered.mean() == pytest.approx(w.image.mean())


def test_with_a_front_end_each_update_draws_into_the_output(explorer, monkeypatch):
    import meganet.widgets.figure_widget as figure_widget

    monkeypatch.setattr(figure_widget, "front_end", lambda: True)
    explorer.controls["preset"].value = "laplacian"
    assert not explorer._stale and explorer._png is not None  # drawn and rendered, no crash
    assert "Laplacian" in explorer.figure.axes[2].get_title()
