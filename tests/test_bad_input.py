"""Every public entry point refuses bad input with a message naming what was expected."""
import numpy as np
import pytest

from meganet.losses import LeastSquares, Logistic, ScaleInvariant, SoftmaxCrossEntropy
from meganet.objectives import LinearModelObjective
from meganet.optim import cgls, lstsq
from meganet.regularizers import Tikhonov, gradient_2d

Y = np.random.default_rng(0).standard_normal((4, 6))
C = np.eye(3)[:, [0, 1, 2, 0, 1, 2]]
W = np.ones((3, 4))
nan_Y = Y.copy()
nan_Y[1, 2] = np.nan

LOSS_CALLS = {
    "softmax": lambda W, Y, C: SoftmaxCrossEntropy()(W, Y, C),
    "least squares": lambda W, Y, C: LeastSquares()(W, Y, C),
    "scale-invariant": lambda W, Y, C: ScaleInvariant()(W, Y, C),
    "objective": lambda W, Y, C: LinearModelObjective(SoftmaxCrossEntropy(), Y, C),
}


BAD_ARRAYS = [
    ((W, nan_Y, C), "finite"),
    ((W, np.inf * Y, C), "finite"),
    ((W, Y[:, :0], C[:, :0]), "empty"),
    ((W, Y[0], C), "2-D array"),
    ((W, Y, C[:, :5]), "one column per example|shape"),
    ((np.ones((3, 5)), Y, C), "one column per feature"),  # not for the objective: it builds W
    ((W, Y.astype(str), C), "numeric"),
]
CASES = [pytest.param(LOSS_CALLS[name], args, match, id=f"{name}: {match}")
         for name in LOSS_CALLS for args, match in BAD_ARRAYS
         if not (name == "objective" and match == "one column per feature")]


@pytest.mark.parametrize("call, args, match", CASES)
def test_losses_refuse_bad_arrays(call, args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(*args)


@pytest.mark.parametrize("bad_C", [2 * C, C[:, ::-1] + C, np.full((3, 6), 1 / 3)])
def test_softmax_refuses_labels_that_are_not_one_hot(bad_C):
    with pytest.raises(ValueError, match="one-hot columns"):
        SoftmaxCrossEntropy()(W, Y, bad_C)


def test_softmax_refuses_class_count_mismatch():
    with pytest.raises(ValueError, match="W needs one row per class"):
        SoftmaxCrossEntropy()(np.ones((2, 4)), Y, C)


def test_logistic_refuses_multiclass_labels():
    with pytest.raises(ValueError, match="two-class labels"):
        Logistic()(np.ones((1, 4)), Y, C)
    with pytest.raises(ValueError, match="one score per example"):
        Logistic()(W, Y, C[:2])


def test_regularizer_refuses_negative_alpha_and_wrong_L():
    with pytest.raises(ValueError, match="alpha"):
        Tikhonov(-1.0)
    with pytest.raises(ValueError, match="L acts on 6 features"):
        Tikhonov(1.0, gradient_2d((2, 3))).value(W)


def test_least_squares_refuses_mismatched_rhs_and_unknown_method():
    with pytest.raises(ValueError, match="B must have 6 rows"):
        lstsq(Y.T, np.ones(5))
    with pytest.raises(ValueError, match="method must be one of"):
        lstsq(Y.T, np.ones(6), method="magic")
    with pytest.raises(ValueError, match="finite"):
        cgls(Y.T, np.full(6, np.nan))


def test_activations_take_lists_and_refuse_complex_or_text():
    from meganet.layers import ACTIVATIONS

    for sigma in ACTIVATIONS.values():
        assert np.array_equal(sigma.df([0.5, 2.0]), sigma.df(np.array([0.5, 2.0])))
        with pytest.raises(TypeError, match="real"):
            sigma([1j])
        with pytest.raises(TypeError, match="numeric"):
            sigma(["a"])


@pytest.mark.parametrize("args, match", [(((5.5,), (3,)), "image_shape must be whole numbers"),
                                         (((5,), (2.5,)), "stencil_shape must be whole numbers"),
                                         (((5,), (3,), 1.7), "c_in must be whole numbers"),
                                         (((5,), (3,), 1, "2"), "c_out must be whole numbers")])
def test_convolutions_refuse_fractional_sizes(args, match):
    from meganet.kernels import ConvPeriodic, ConvZero

    for cls in (ConvZero, ConvPeriodic):
        with pytest.raises(ValueError, match=match):
            cls(*args)


def test_kernels_and_layers_refuse_complex_examples():
    from meganet.kernels import dense_kernel
    from meganet.layers import SingleLayer

    Yc = np.array([[1 + 1j], [2.0]])
    with pytest.raises(TypeError, match="Y must be real"):
        dense_kernel(2, 2).apply(np.ones(4), Yc)
    with pytest.raises(TypeError, match="Y must be real"):
        SingleLayer(dense_kernel(2, 2)).forward(np.ones(6), Yc)
