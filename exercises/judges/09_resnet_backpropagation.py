"""Judge of exercise 09 (back-propagation through a ResNet): runs in the judge's clean process.

Each question names a ResNet of the notebook's `random_resnet` (kind, N, T) and sends its
parameters p, inputs Y and a direction (v or W) drawn from the student's seed; the kernel builds
the steps' linearisations with meganet and answers with the student's sweep. The answer is
judged here against meganet's own products (relative 1e-9), by the adjoint test against
meganet's forward products and by the Taylor test with meganet's forward pass.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.grading.judge import Question
from meganet.kernels import ConvZero, antisymmetric_kernel, dense_kernel
from meganet.layers import DoubleLayer, SingleLayer, SymmetricLayer
from meganet.linalg import vec
from meganet.networks import ResNet

NETWORKS = [("dense", 1, 5, 1.0), ("antisymmetric", 3, 7, 2.0), ("conv1d", 8, 3, 1.0), ("conv2d", 3, 4, 1.0),
            ("double", 8, 6, 0.5), ("double", 1, 1, 3.0), ("antisymmetric", 8, 1, 4.0), ("conv1d", 3, 2, 2.0)]
RTOL = 1e-9


def resnet(kind, n_steps, T):
    """The notebook's random_resnet architectures (kept in step with its setup cell)."""
    layer = {"dense": lambda: SingleLayer(dense_kernel(5, 5), sigma="tanh"),
             "antisymmetric": lambda: SingleLayer(antisymmetric_kernel(6, gamma=0.1), sigma="tanh"),
             "conv1d": lambda: SingleLayer(ConvZero((8,), (3,), c_in=2, c_out=2), sigma="sin", bias="channel"),
             "conv2d": lambda: SymmetricLayer(ConvZero((4, 4), (3, 3), c_in=2, c_out=2), sigma="tanh", bias="channel"),
             "double": lambda: DoubleLayer(dense_kernel(7, 4), dense_kernel(7, 4), sigma="tanh")}[kind]()
    return ResNet(layer, n_steps, T)


def _close(answer, reference, name):
    answer = np.asarray(answer, dtype=float)
    if answer.shape != reference.shape:
        return False, f"{name} has shape {answer.shape}, expected {reference.shape}"
    error = np.linalg.norm(answer - reference) / max(np.linalg.norm(reference), 1e-300)
    return error <= RTOL, f"{name} differs from the reference by {error:.1e} (relative)"


def _verdicts(*checks):
    for passed, message in checks:
        if not passed:
            return False, message
    return True, "correct"


def questions(rng):
    parts = {"test_forward_theta": [], "test_backprop_theta": [], "test_backprop_Y": []}
    for kind, n_steps, n_examples, T in NETWORKS:
        net = resnet(kind, n_steps, T)
        p = net.initial_parameters(seed=int(rng.integers(2**31)))
        Y = rng.standard_normal((net.n_in, n_examples))
        lin = net.linearize(p, Y)[1]
        header = {"kind": kind, "n_steps": n_steps, "T": T}
        v, W = rng.standard_normal(p.size), rng.standard_normal(Y.shape)
        u, V = rng.standard_normal(p.size), rng.standard_normal(Y.shape)

        def forward(answer, net=net, p=p, Y=Y, v=v, lin=lin):
            dY = np.asarray(answer["dY"], dtype=float)
            taylor = check_derivative(lambda q: (net.forward(q, Y), lambda d: dY), p, v=v)
            return _verdicts(_close(dY, lin.Jtheta(v), "J_theta v"), (taylor.passed, taylor.message))

        def backward_theta(answer, net=net, p=p, Y=Y, W=W, u=u, lin=lin):
            g = np.asarray(answer["g"], dtype=float)
            ok = _close(g, lin.JthetaT(W), "J_theta^T vec(W)")
            if not ok[0]:
                return ok
            lhs, rhs = float(np.sum(W * lin.Jtheta(u))), float(g @ u)
            adjoint = (abs(lhs - rhs) <= 1e-10 * max(abs(lhs), abs(rhs), 1e-300), "adjoint test failed")
            taylor = check_derivative(lambda q: (np.sum(W * net.forward(q, Y)), g), p, v=u)
            return _verdicts(adjoint, (taylor.passed, taylor.message))

        def backward_Y(answer, net=net, p=p, Y=Y, W=W, V=V, lin=lin):
            W0 = np.asarray(answer["W0"], dtype=float)
            ok = _close(W0, lin.JYT(W), "J_Y^T W")
            if not ok[0]:
                return ok
            lhs, rhs = float(np.sum(W * lin.JY(V))), float(np.sum(W0 * V))
            adjoint = (abs(lhs - rhs) <= 1e-10 * max(abs(lhs), abs(rhs), 1e-300), "adjoint test failed")
            taylor = check_derivative(lambda Y0: (np.sum(W * net.forward(p, Y0)), W0), Y, v=V)
            return _verdicts(adjoint, (taylor.passed, taylor.message))

        parts["test_forward_theta"].append(Question(header, {"p": p, "Y": Y, "v": v}, forward))
        parts["test_backprop_theta"].append(Question(header, {"p": p, "Y": Y, "W": W}, backward_theta))
        parts["test_backprop_Y"].append(Question(header, {"p": p, "Y": Y, "W": W}, backward_Y))
    return parts
