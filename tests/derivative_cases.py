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
from meganet.layers import (ACTIVATIONS, DoubleLayer, LinearMap, MaskedLayer, QuadraticScalarization, SingleLayer,
                            SymmetricLayer, fix_support, pht, thresholding_layers)
from meganet.losses import LeastSquares, Logistic, ScaleInvariant, SoftmaxCrossEntropy, simplex_targets
from meganet.networks import Chain, HamiltonianNet, HyperbolicNet, ResNet, Stack, residual_cnn
from meganet.objectives import (JointResidual, LinearModelObjective, NetworkObjective,
                                SingleLayerObjective, VarProResidual, residual_jacobian)
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
                             (Logistic(), C[:1], W[:1]), (ScaleInvariant(), C, W),
                             (ScaleInvariant(simplex_targets(3, 2)), C, W[:2])]:
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


def element_cases(name, element, p, Y):
    """Z in p and Z in Y for any element (layer or network), with J_theta and J_Y transposed."""
    yield Case(f"{name}: Z in p", lambda p, E=element, Y=Y: (vec(E.forward(p, Y)),
                                                             E.linearize(p, Y)[1].J_theta), p,
               operator=lambda p, E=element, Y=Y: E.linearize(p, Y)[1].J_theta)
    yield Case(f"{name}: Z in Y",
               lambda y, E=element, p=p, s=Y.shape: (vec(E.forward(p, mat(y, s))),
                                                      E.linearize(p, mat(y, s))[1].J_Y), vec(Y),
               operator=lambda y, E=element, p=p, s=Y.shape: E.linearize(p, mat(y, s))[1].J_Y)


def layer_cases():
    rng = np.random.default_rng(7)
    layers = {
        "dense tanh": SingleLayer(dense_kernel(5, 3), "tanh"),
        "conv zero sigmoid, channel bias": SingleLayer(ConvZero((4, 4), (3, 3), 2, 3), "sigmoid", "channel"),
        "conv periodic sin, no bias": SingleLayer(ConvPeriodic((6,), (3,)), "sin", None),
        "antisymmetric smooth_relu": SingleLayer(antisymmetric_kernel(4), "smooth_relu"),
        "shifted antisymmetric tanh": SingleLayer(antisymmetric_kernel(4, gamma=0.3), "tanh"),
        "double dense 3->5->3 tanh": DoubleLayer(dense_kernel(5, 3), dense_kernel(5, 3), "tanh"),
        "double conv zero 2->3 channels": DoubleLayer(ConvZero((5,), (3,), 2, 3), ConvZero((5,), (3,), 2, 3),
                                                      "sigmoid", "channel"),
        "symmetric dense tanh": SymmetricLayer(dense_kernel(4, 3), "tanh"),
        "symmetric conv zero 2x2 channels": SymmetricLayer(ConvZero((4, 3), (3, 3), 2, 2), "smooth_relu",
                                                           "channel"),
        "quadratic scalarisation 4x4 images, 3 units": QuadraticScalarization(4, 3),
        "quadratic scalarisation 3 channels combined by weights": QuadraticScalarization(3, 2, channels=3),
    }
    for name, layer in layers.items():
        p = 0.5 * rng.standard_normal(layer.n_params)
        Y = rng.standard_normal((layer.n_in, 4))
        yield from element_cases(f"layer {name}", layer, p, Y)


def networks():
    """Every network type, with dense and convolution kernels, 1 to 16 steps."""
    conv = ConvZero((5,), (3,), 2, 2)
    return {
        "ResNet dense tanh, 1 step": ResNet(SingleLayer(dense_kernel(3, 3), "tanh"), 1, 0.5),
        "ResNet antisymmetric gamma=0.1, 16 steps": ResNet(SingleLayer(antisymmetric_kernel(3, 0.1), "tanh"), 16, 4.0),
        "ResNet double layer 3->6->3, 3 steps": ResNet(DoubleLayer(dense_kernel(6, 3), dense_kernel(6, 3), "sin"), 3, 1.0),
        "ResNet parabolic conv zero, 4 steps": ResNet(SymmetricLayer(conv, "tanh", "channel"), 4, 1.0),
        "HyperbolicNet conv zero, 1 step": HyperbolicNet(SymmetricLayer(conv, "tanh", "channel"), 1, 1.0),
        "HyperbolicNet dense sigmoid, 7 steps": HyperbolicNet(SymmetricLayer(dense_kernel(4, 3), "sigmoid"), 7, 2.0),
        "HamiltonianNet dense 3<->2, 5 steps": HamiltonianNet(SingleLayer(dense_kernel(3, 2), "tanh"),
                                                              SingleLayer(dense_kernel(2, 3), "tanh"), 5, 1.0),
        "HamiltonianNet conv, 2 steps": HamiltonianNet(SingleLayer(conv, "tanh", "channel"),
                                                       SingleLayer(conv, "tanh", "channel"), 2, 1.0),
        "Chain opening + ResNet": Chain([SingleLayer(dense_kernel(4, 2), "sin"),
                                         ResNet(SingleLayer(dense_kernel(4, 4), "sin"), 6, 2.0)]),
        "Chain plain tanh, 3 layers": Chain([SingleLayer(dense_kernel(4, 3), "tanh"),
                                             SingleLayer(dense_kernel(4, 4), "tanh"),
                                             SingleLayer(dense_kernel(2, 4), "tanh")]),
        "residual CNN 2 stages (parabolic)": residual_cnn((8, 4), (2, 3), n_steps=2, sigma="tanh", stencil=(3, 1)),
        "residual CNN 1 stage (hyperbolic)": residual_cnn((4, 4), (2,), n_steps=3, sigma="tanh",
                                                          kind="hyperbolic"),
        "Stack of 2 x quadratic scalarisation and a dense layer": Stack(
            [QuadraticScalarization(3, 2), QuadraticScalarization(3, 2), SingleLayer(dense_kernel(2, 9), "tanh")]),
    }


def network_cases():
    rng = np.random.default_rng(9)
    for name, net in networks().items():
        p = net.initial_parameters(seed=1)
        Y = rng.standard_normal((net.n_in, 3))
        yield from element_cases(f"network {name}", net, p, Y)


def support_cases():
    """PHT away from its jump at tau, masked layers and masked networks (random fixed supports):
    Z in p and Z in Y. With the masks fixed a layer is linear (E1 at round-off), a chain multilinear."""
    rng = np.random.default_rng(12)
    x = np.array([-2.0, -0.7, -0.05, 0.03, 0.4, 1.5])            # |x - tau| >= 0.07 > h0 for tau = 0.1
    a = pht(0.1)
    yield Case("activation pht(0.1): sigma", lambda x, a=a: (a.f(x), lambda v: a.df(x) * v), x, h0=0.01)
    yield Case("activation pht(0.1): sigma'", lambda x, a=a: (a.df(x), lambda v: a.d2f(x) * v), x, h0=0.01)
    layers = {"masked dense": MaskedLayer(dense_kernel(5, 3), rng.random((5, 4)) < 0.5),
              "masked conv zero, channel bias": MaskedLayer(ConvZero((4, 4), (3, 3), 2, 3), rng.random((48, 4)) < 0.5,
                                                            "channel"),
              "masked dense, one mask for all examples": MaskedLayer(dense_kernel(4, 3), [[1], [0], [1], [1]])}
    for name, layer in layers.items():
        yield from element_cases(f"layer {name}", layer, 0.5 * rng.standard_normal(layer.n_params),
                                 rng.standard_normal((layer.n_in, 4)))
    nets = {"masked MLP 2-6-5-3": Chain([SingleLayer(dense_kernel(6, 2), pht(0.1)), SingleLayer(dense_kernel(5, 6), pht(0.1)),
                                         SingleLayer(dense_kernel(3, 5), "identity")]),
            "masked CNN conv-pool-conv": Chain([SingleLayer(ConvZero((6, 6), (3, 3), 1, 2), pht(0.1), "channel"),
                                                LinearMap(average_pooling((6, 6), 2, 2)),
                                                SingleLayer(ConvZero((3, 3), (3, 3), 2, 3), "relu", "channel")])}
    for name, net in nets.items():
        masks = [rng.random((net.elements[k].n_out, 4)) < 0.6 for k in thresholding_layers(net)]
        yield from element_cases(f"network {name}", fix_support(net, masks), net.initial_parameters(seed=1),
                                 rng.standard_normal((net.n_in, 4)))
    layer = SingleLayer(dense_kernel(5, 3), pht(0.1))
    p, Y = rng.standard_normal(layer.n_params), rng.standard_normal((3, 4))
    A = layer._pre_activation(p, Y)[1]
    gap = float(np.min(np.abs(A - 0.1)))                        # the Taylor steps must not cross tau
    yield Case("layer dense pht(0.1): Z in p (steps below the distance to tau)",
               lambda p, L=layer, Y=Y: (vec(L.forward(p, Y)), L.linearize(p, Y)[1].J_theta), p,
               operator=lambda p, L=layer, Y=Y: L.linearize(p, Y)[1].J_theta, h0=0.1 * gap / np.abs(Y).max())


def network_objective_cases():
    """The objective and the VarPro-reduced objective of a network (a ResNet on 2-D points)."""
    rng = np.random.default_rng(10)
    Y = rng.uniform(-1, 1, (2, 20))
    C = np.eye(3)[:, rng.integers(0, 3, 20)]
    net = Chain([SingleLayer(dense_kernel(3, 2), "tanh"), ResNet(SingleLayer(dense_kernel(3, 3), "tanh"), 4, 1.0)])
    full = NetworkObjective(net, SoftmaxCrossEntropy(), Y, C, alpha_p=1e-3, alpha_W=1e-3)
    x = 0.5 * rng.standard_normal(full.n)
    yield Case("network objective (ResNet, softmax): J in [p; W]", lambda x, f=full: f.derivatives(x)[:2],
               x, operator=lambda x, f=full: f.derivatives(x)[2])
    reduced = VarProObjective(full, inner_atol=1e-9, inner_maxiter=200)
    yield Case("VarPro-reduced network objective (ResNet, softmax): J_red in p",
               lambda p, r=reduced: r.derivatives(p)[:2], x[:full.n_p],
               operator=lambda p, r=reduced: r.derivatives(p)[2])


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
        reduced = VarProObjective(full, inner_atol=1e-9, inner_maxiter=200)
        yield Case(f"VarPro-reduced objective ({name}): J_red in p",
                   lambda p, r=reduced: r.derivatives(p)[:2], x[:full.n_p],
                   operator=lambda p, r=reduced: r.derivatives(p)[2])


def separable_least_squares_cases():
    """The VarPro residual (Golub-Pereyra, exact Jacobian) and the joint residual of a small
    quadratic-scalarisation network. Kaufman's Jacobian is an approximation, so it is tested for
    its adjoint and its gap in tests/test_separable_least_squares.py, not in the Taylor family."""
    rng = np.random.default_rng(11)
    layer = QuadraticScalarization(4, 3)
    Y = rng.standard_normal((16, 12))
    C = np.eye(3)[:, rng.integers(0, 3, 12)]
    theta = rng.standard_normal(layer.n_params)
    varpro = VarProResidual(layer, Y, C)
    yield Case("VarPro residual r(theta) = -C P_perp (exact Golub-Pereyra Jacobian)",
               lambda t, r=varpro: r.linearize(t, "exact"), theta,
               operator=lambda t, r=varpro: r.jacobian(t, "exact"))
    joint = JointResidual(layer, Y, C)
    x = rng.standard_normal(joint.n_params)
    yield Case("joint residual vec(W Z(theta) - C) in [theta; W]", joint.linearize, x,
               operator=joint.jacobian)


ALL_CASES = [*loss_cases(), *regularizer_cases(), *objective_cases(), *kernel_cases(),
             *activation_cases(), *layer_cases(), *network_cases(), *support_cases(), *network_objective_cases(),
             *single_layer_objective_cases(), *separable_least_squares_cases()]
OPERATOR_CASES = [c for c in ALL_CASES if c.operator is not None]
