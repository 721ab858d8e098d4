"""The differentiable pieces of meganet, each as a small case for the derivative families.

A case is a function x -> (f, df) at a random point x, the form check_derivative takes, plus
the operator whose transpose is tested (if any). A new component adds its cases here; the
families in test_derivatives.py then test it without further changes.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from meganet import mat, vec
from meganet.kernels import (ConvPeriodic, ConvZero, antisymmetric_kernel, average_pooling,
                             dense_kernel, diagonal_kernel, m_matrix_kernel, subsample)
from meganet.layers import ACTIVATIONS, SingleLayer
from meganet.losses import LeastSquares, Logistic, SoftmaxCrossEntropy
from meganet.objectives import LinearModelObjective, SingleLayerObjective, residual_jacobian
from meganet.optim import VarProObjective
from meganet.regularizers import Tikhonov, gradient_2d, laplacian_2d


@dataclass
class Case:
    name: str
    fun: Callable           # x -> (f, df)
    x: np.ndarray
    operator: Callable = None  # x -> LinearOperator whose transpose is checked
    h0: float = 1.0            # largest Taylor step (small where a kink must not be crossed)

    def __repr__(self):
        return self.name


def _data(n_classes=3, n_features=4, n=15, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_features, n))
    C = np.eye(n_classes)[:, rng.integers(0, n_classes, n)]
    W = rng.standard_normal((n_classes, n_features))
    return Z, C, W


def loss_cases():
    Z, C, W = _data()
    targets = np.random.default_rng(1).standard_normal(C.shape)
    for loss, labels, W0 in [(SoftmaxCrossEntropy(), C, W), (LeastSquares(), targets, W),
                             (Logistic(), C[:1], W[:1])]:
        name = type(loss).__name__
        lin_W = lambda w, loss=loss, labels=labels, shape=W0.shape: loss.linearize(mat(w, shape), Z, labels)[1]
        lin_Z = lambda z, loss=loss, labels=labels, W0=W0: loss.linearize(W0, mat(z, Z.shape), labels)[1]
        yield Case(f"{name}: E in W",
                   lambda w, loss=loss, labels=labels, shape=W0.shape:
                   (loss(mat(w, shape), Z, labels), vec(loss.linearize(mat(w, shape), Z, labels)[1].grad_W)),
                   vec(W0))
        yield Case(f"{name}: E in Z",
                   lambda z, loss=loss, labels=labels, W0=W0, lin_Z=lin_Z:
                   (loss(W0, mat(z, Z.shape), labels), vec(lin_Z(z).grad_Z)), vec(Z))
        yield Case(f"{name}: grad_W in W",
                   lambda w, lin_W=lin_W: (vec(lin_W(w).grad_W), lin_W(w).hess_W), vec(W0),
                   operator=lambda w, lin_W=lin_W: lin_W(w).hess_W)
        yield Case(f"{name}: grad_Z in Z",
                   lambda z, lin_Z=lin_Z: (vec(lin_Z(z).grad_Z), lin_Z(z).hess_Z), vec(Z),
                   operator=lambda z, lin_Z=lin_Z: lin_Z(z).hess_Z)


def regularizer_cases():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((3, 20))
    for label, L in [("identity", None), ("gradient", gradient_2d((4, 5))),
                     ("laplacian", laplacian_2d((4, 5)))]:
        R = Tikhonov(0.7, L)
        yield Case(f"Tikhonov({label}): R in W",
                   lambda w, R=R: (lambda r: (r[0], vec(r[1])))(R.linearize(mat(w, W.shape))), vec(W))
        yield Case(f"Tikhonov({label}): grad in W",
                   lambda w, R=R: (lambda r: (vec(r[1]), r[2]))(R.linearize(mat(w, W.shape))), vec(W),
                   operator=lambda w, R=R: R.linearize(mat(w, W.shape))[2])
        yield Case(f"Tikhonov({label}): operator", lambda w, R=R: (R.operator(W.shape) @ w,
                                                                   R.operator(W.shape)), vec(W),
                   operator=lambda w, R=R: R.operator(W.shape))


def objective_cases():
    Z, C, _ = _data(n=25)
    for loss, labels in [(SoftmaxCrossEntropy(), C), (Logistic(), C[:1])]:
        obj = LinearModelObjective(loss, Z, labels, Tikhonov(0.1, gradient_2d((2, 2))))
        x = np.random.default_rng(3).standard_normal(obj.n)
        name = type(loss).__name__
        yield Case(f"LinearModelObjective({name}): J", lambda x, obj=obj: obj.derivatives(x)[:2], x)
        yield Case(f"LinearModelObjective({name}): grad", lambda x, obj=obj: obj.derivatives(x)[1:], x,
                   operator=lambda x, obj=obj: obj.derivatives(x)[2])


KERNELS = {
    "dense": dense_kernel(3, 4),
    "diagonal": diagonal_kernel(4),
    "antisymmetric": antisymmetric_kernel(4),
    "M-matrix": m_matrix_kernel(4),
    "conv1d periodic s=3": ConvPeriodic((9,), (3,)),
    "conv1d periodic s=4, 2->3 channels": ConvPeriodic((8,), (4,), 2, 3),
    "conv2d periodic 3x3, 2->3 channels": ConvPeriodic((5, 6), (3, 3), 2, 3),
    "conv1d zero s=5": ConvZero((9,), (5,)),
    "conv2d zero 3x3, 2->3 channels": ConvZero((6, 5), (3, 3), 2, 3),
    "conv2d zero 2x1 (even), 3->2 channels": ConvZero((4, 5), (2, 1), 3, 2),
}


def kernel_cases():
    """K(theta) Y in theta and in Y, for every kernel (theta > 0 keeps the M-matrix admissible)."""
    rng = np.random.default_rng(6)
    for name, K in KERNELS.items():
        theta = 1.0 + rng.random(K.n_theta)
        Y = rng.standard_normal((K.n_in, 3))
        yield Case(f"kernel {name}: K(theta) Y in theta",
                   lambda t, K=K, Y=Y: (vec(K.apply(t, Y)), K.linearize(t, Y)[1].J_theta), theta,
                   operator=lambda t, K=K, Y=Y: K.linearize(t, Y)[1].J_theta)
        yield Case(f"kernel {name}: K(theta) Y in Y",
                   lambda y, K=K, theta=theta: (vec(K.apply(theta, mat(y, (K.n_in, 3)))),
                                                K.linearize(theta, mat(y, (K.n_in, 3)))[1].J_Y),
                   vec(Y), operator=lambda y, K=K, theta=theta: K.linearize(theta, mat(y, (K.n_in, 3)))[1].J_Y)
        yield Case(f"kernel {name}: K(theta) as operator", lambda y, K=K, theta=theta:
                   (K.op(theta) @ y, K.op(theta)), rng.standard_normal(K.n_in),
                   operator=lambda y, K=K, theta=theta: K.op(theta))
    for name, P in {"average pooling 2x2, 2 channels": average_pooling((4, 6), 2, 2),
                    "stride 2, 3 channels": subsample((5, 5), 3, 2),
                    "average pooling 1d by 3": average_pooling((9,), 1, 3)}.items():
        yield Case(f"{name}", lambda x, P=P: (P @ x, P), rng.standard_normal(P.shape[1]),
                   operator=lambda x, P=P: P)


def activation_cases():
    """sigma and sigma' elementwise, at points away from kinks (ReLU at 0, smooth ReLU at +-0.1),
    with steps too small to cross one, so the Taylor test sees the smooth piece it is on."""
    x = np.array([-2.0, -0.7, -0.05, 0.03, 0.4, 1.5])
    for name, a in ACTIVATIONS.items():
        yield Case(f"activation {name}: sigma", lambda x, a=a: (a.f(x), lambda v: a.df(x) * v), x,
                   h0=0.01)
        yield Case(f"activation {name}: sigma'", lambda x, a=a: (a.df(x), lambda v: a.d2f(x) * v), x,
                   h0=0.01)


def layer_cases():
    rng = np.random.default_rng(7)
    layers = {
        "dense tanh": SingleLayer(dense_kernel(5, 3), "tanh"),
        "conv zero sigmoid, channel bias": SingleLayer(ConvZero((4, 4), (3, 3), 2, 3), "sigmoid", "channel"),
        "conv periodic sin, no bias": SingleLayer(ConvPeriodic((6,), (3,)), "sin", None),
        "antisymmetric smooth_relu": SingleLayer(antisymmetric_kernel(4), "smooth_relu"),
    }
    for name, layer in layers.items():
        p = 0.5 * rng.standard_normal(layer.n_params)
        Y = rng.standard_normal((layer.n_in, 4))
        yield Case(f"layer {name}: Z in p", lambda p, L=layer, Y=Y: (vec(L.forward(p, Y)),
                                                                    L.linearize(p, Y)[1].J_theta), p,
                   operator=lambda p, L=layer, Y=Y: L.linearize(p, Y)[1].J_theta)
        yield Case(f"layer {name}: Z in Y",
                   lambda y, L=layer, p=p, s=Y.shape: (vec(L.forward(p, mat(y, s))),
                                                        L.linearize(p, mat(y, s))[1].J_Y), vec(Y),
                   operator=lambda y, L=layer, p=p, s=Y.shape: L.linearize(p, mat(y, s))[1].J_Y)


def single_layer_objective_cases():
    rng = np.random.default_rng(8)
    Y = rng.uniform(-1, 1, (2, 30))
    C = np.eye(3)[:, rng.integers(0, 3, 30)]
    layer = SingleLayer(dense_kernel(6, 2), "tanh")
    for loss, labels in [(SoftmaxCrossEntropy(), C), (LeastSquares(), C)]:
        full = SingleLayerObjective(layer, loss, Y, labels, alpha_p=1e-3, alpha_W=1e-3)
        x = 0.5 * rng.standard_normal(full.n)
        name = type(loss).__name__
        yield Case(f"single-layer objective ({name}): J in [p; W]",
                   lambda x, f=full: f.derivatives(x)[:2], x,
                   operator=lambda x, f=full: f.derivatives(x)[2])
        if isinstance(loss, LeastSquares):
            yield Case("residual W Z1(p) - C in [p; W]",
                       lambda x, f=full: (vec(f.split(x)[1] @ f.features(f.split(x)[0]) - f.C),
                                          residual_jacobian(f, x)), x,
                       operator=lambda x, f=full: residual_jacobian(f, x))
        reduced = VarProObjective(full, inner_atol=1e-12)
        yield Case(f"VarPro-reduced objective ({name}): J_red in p",
                   lambda p, r=reduced: r.derivatives(p)[:2], x[:full.n_p],
                   operator=lambda p, r=reduced: r.derivatives(p)[2])


ALL_CASES = [*loss_cases(), *regularizer_cases(), *objective_cases(), *kernel_cases(),
             *activation_cases(), *layer_cases(), *single_layer_objective_cases()]
OPERATOR_CASES = [c for c in ALL_CASES if c.operator is not None]
