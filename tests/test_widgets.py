"""Widgets: setting a control recomputes through meganet, and the result obeys the mathematics."""
import ipywidgets
import numpy as np
import pytest

from meganet.data import digits_data
from meganet.optim import lstsq
from meganet.regularizers import gradient_2d, identity, laplacian_2d
from meganet.widgets import TikhonovResult, tikhonov_explorer

ALPHAS = np.logspace(-3, 3, 9)
OPERATORS = {"identity": lambda shape: identity(shape[0] * shape[1]),
             "gradient": gradient_2d, "laplacian": laplacian_2d}


@pytest.fixture(scope="module")
def small_digits():
    Y, C = digits_data(seed=1)
    return Y[:, :300], C[:, :300]


@pytest.fixture
def explorer(small_digits):
    Y, C = small_digits
    return tikhonov_explorer(Y, C, (8, 8), alphas=ALPHAS, seed=0, alpha=ALPHAS[2])


def test_the_explorer_is_a_widget_with_controls_and_a_result(explorer):
    assert isinstance(explorer, ipywidgets.Widget)
    assert set(explorer.controls) == {"alpha", "L", "class"}
    assert all(isinstance(c, ipywidgets.ValueWidget) for c in explorer.controls.values())
    r = explorer.result
    assert isinstance(r, TikhonovResult)
    assert (r.alpha, r.L, r.class_index) == (ALPHAS[2], "identity", 0)
    assert r.W.shape == (10, 64)
    assert 0.5 < r.validation_accuracy <= 1 and 0.5 < r.train_accuracy <= 1
    # drawn headless: three panels, a PNG, and nothing pushed to a (missing) front end
    assert explorer.png.startswith(b"\x89PNG")
    assert len(explorer.figure.axes) >= 3
    assert explorer.output.outputs == ()


def test_a_larger_alpha_trades_residual_for_a_smaller_regulariser(explorer):
    before = explorer.result
    explorer.controls["alpha"].value = ALPHAS[6]
    after = explorer.result
    assert after is not before and after.alpha == ALPHAS[6]
    assert after.regularizer_norm < before.regularizer_norm
    assert after.residual_norm > before.residual_norm
    assert "%.1e" % ALPHAS[6] in explorer.figure.axes[1].get_title()
    # the result records what it claims: ||W Y - C|| and ||W L^T|| on the training data
    assert np.isclose(after.residual_norm, np.linalg.norm(after.W @ explorer.Y_train - explorer.C_train))
    assert np.isclose(after.regularizer_norm, np.linalg.norm(after.W))


def test_changing_L_changes_the_operator_and_the_weights(explorer):
    before = explorer.result
    explorer.controls["L"].value = "gradient"
    after = explorer.result
    assert after.L == "gradient" and after.alpha == before.alpha
    assert not np.allclose(after.W, before.W)
    G = gradient_2d((8, 8))
    assert np.isclose(after.regularizer_norm, np.linalg.norm(G @ after.W.T))
    assert "gradient" in explorer.figure.axes[0].get_title()


def test_the_class_dropdown_changes_the_weight_image_only(explorer):
    before = explorer.result
    explorer.controls["class"].value = 7
    after = explorer.result
    assert after.class_index == 7 and np.allclose(after.W, before.W)
    assert "class 7" in explorer.figure.axes[1].get_title()


@pytest.mark.parametrize("name", ["identity", "gradient", "laplacian"])
def test_the_L_curve_is_monotone_in_alpha(explorer, name):
    curve = explorer.lcurve(name)
    assert curve.L == name and np.array_equal(curve.alphas, ALPHAS)
    assert np.all(np.diff(curve.residual_norm) >= -1e-10 * curve.residual_norm[1:])
    assert np.all(np.diff(curve.regularizer_norm) <= 1e-10 * curve.regularizer_norm[:-1])
    # and over six decades of alpha it really moves
    assert curve.residual_norm[-1] > 1.1 * curve.residual_norm[0]
    assert curve.regularizer_norm[-1] < 0.5 * curve.regularizer_norm[0]
    assert explorer.lcurve(name) is curve  # cached once per L


@pytest.mark.parametrize("name", ["identity", "gradient", "laplacian"])
@pytest.mark.parametrize("method", ["normal", "qr"])
def test_the_widget_W_matches_lstsq_on_the_full_problem(small_digits, name, method):
    Y, C = small_digits
    w = tikhonov_explorer(Y, C, (8, 8), alphas=ALPHAS, seed=0, alpha=ALPHAS[4], L=name, method=method)
    L = OPERATORS[name]((8, 8))
    # independent path: A = Y^T, B = C^T, X = W^T on the full (uncompressed) training data
    reference = lstsq(w.Y_train.T, w.C_train.T, method="qr", alpha=ALPHAS[4], L=L)
    assert reference.success
    np.testing.assert_allclose(w.result.W, reference.x.T, rtol=1e-7, atol=1e-9)
    assert np.isclose(w.result.residual_norm, reference.residual_norm, rtol=1e-9)


def test_the_default_is_the_digits_data():
    w = tikhonov_explorer(alphas=np.logspace(-2, 2, 3))
    assert w.image_shape == (8, 8) and w.Y_train.shape[0] == 64
    assert w.Y_train.shape[1] + w.Y_validation.shape[1] == 1797
    assert w.controls["class"].label == "digit 0"
    assert w.result.validation_accuracy > 0.85


@pytest.mark.parametrize("change, message", [
    (lambda Y, C: (np.where(np.arange(Y.size).reshape(Y.shape) == 5, np.nan, Y), C, (8, 8)), "finite"),
    (lambda Y, C: (Y, 2 * C, (8, 8)), "one-hot"),
    (lambda Y, C: (Y, C[:, :-1], (8, 8)), "one column per example"),
    (lambda Y, C: (Y, C, (7, 7)), "image_shape"),
    (lambda Y, C: (Y[:60], C, None), "image_shape"),
    (lambda Y, C: (Y, None, (8, 8)), "both Y and C"),
])
def test_bad_input_raises_a_clear_value_error(small_digits, change, message):
    Y, C, shape = change(*small_digits)
    with pytest.raises(ValueError, match=message):
        tikhonov_explorer(Y, C, shape, alphas=ALPHAS)


@pytest.mark.parametrize("alphas, message", [([1.0, -1.0], "positive"), ([1.0], "two different")])
def test_bad_alphas_raise(small_digits, alphas, message):
    with pytest.raises(ValueError, match=message):
        tikhonov_explorer(*small_digits, (8, 8), alphas=alphas)


def test_with_a_front_end_each_update_draws_into_the_output(explorer, monkeypatch):
    import meganet.widgets.figure_widget as figure_widget

    monkeypatch.setattr(figure_widget, "front_end", lambda: True)
    explorer.controls["alpha"].value = ALPHAS[5]
    assert not explorer._stale and explorer._png is not None  # drawn and rendered, no crash
    assert "%.1e" % ALPHAS[5] in explorer.figure.axes[0].get_legend().get_texts()[1].get_text()
