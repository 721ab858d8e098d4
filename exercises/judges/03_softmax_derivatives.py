"""Judge of exercise 03 (derivatives of softmax cross-entropy): runs in the judge's clean process.

Each question sends scores S (or weights W and features Y), one-hot labels C and, for the
Hessian parts, two directions, all drawn from the student's seed: K = 1, 2 and more classes,
a single example, tied scores, scores of size 1, 30 and 1e3 and columns shifted by thousands.
The answers are judged here with meganet's SoftmaxCrossEntropy only (never with another of the
student's functions): compared with its value, probabilities, gradients and Hessian products
(relative 1e-10, above a round-off floor of 1e-12 times the answer's natural size, which
matters only where the scores saturate the softmax), by the Taylor test with meganet's value
or gradient along a direction of the judge's (unsaturated scores), and by the adjoint test
of the two Hessian products the kernel returns.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.data import one_hot
from meganet.grading.judge import Question
from meganet.linalg import mat, vec
from meganet.losses import SoftmaxCrossEntropy

RTOL = 1e-10        # relative to the reference
FLOOR = 1e-12       # times the natural size of an answer: round-off of correct (unshifted) formulas
REFERENCE = SoftmaxCrossEntropy()

VALUE_SHAPES = [(3, 20), (10, 5), (2, 50), (4, 1), (1, 3)]          # (n_classes, n_examples)
GRADIENT_SHAPES = [(3, 11), (7, 4), (2, 30), (5, 1), (1, 3)]
HESSIAN_SHAPES = [(3, 9), (8, 5), (2, 25), (4, 1), (1, 3)]
WEIGHT_PROBLEMS = [(3, 5, 20, 1.0), (6, 2, 9, 1.0), (4, 3, 12, 1.0), (2, 1, 1, 1.0),   # (K, n_features,
                   (1, 2, 4, 1.0), (5, 4, 7, 30.0), (3, 6, 15, 300.0)]                  #  n, size of W)


def _labels(rng, n_classes, n_examples):
    return one_hot(rng.integers(n_classes, size=n_examples), n_classes)


def _scores(rng, n_classes, n_examples, kind):
    """S of one kind: a float (the size of standard-normal scores), "ties" or "shifted" columns."""
    if kind == "ties":  # small integers: tied column maxima, and zero columns
        S = rng.integers(-1, 2, size=(n_classes, n_examples)).astype(float)
        S[:, 0] = 0.0
        return S
    S = rng.standard_normal((n_classes, n_examples))
    if kind == "shifted":  # each column moved by up to +-3000: exp overflows or underflows unshifted
        return S + rng.uniform(-3e3, 3e3, size=n_examples)
    return float(kind) * S


def _direction(rng, shape):
    v = rng.standard_normal(shape)
    return v / np.linalg.norm(v)


def _answer(answer, name, shape):
    value = np.asarray(answer[name], dtype=float)
    if shape == () and value.size == 1:  # a float, or a float in a 1-element array
        value = value.reshape(())
    if value.shape != shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    return value


def _close(value, reference, name, floor):
    error = float(np.linalg.norm(value - reference))
    tolerance = RTOL * float(np.linalg.norm(reference)) + floor
    return error <= tolerance, (f"{name} differs from the reference by {error:.1e} "
                                f"(allowed {tolerance:.1e})")


def _symmetric(u, Hv, v, Hu, floor):
    """The adjoint test of a symmetric H from two products: <u, H v> = <H u, v>."""
    lhs, rhs = float(np.sum(u * Hv)), float(np.sum(Hu * v))
    scale = np.linalg.norm(u) * np.linalg.norm(Hv) + np.linalg.norm(Hu) * np.linalg.norm(v)
    return abs(lhs - rhs) <= RTOL * scale + floor, f"adjoint test failed: <u, H v> = {lhs:.6e}, <H u, v> = {rhs:.6e}"


def _verdicts(*checks):
    for passed, message in checks:
        if not passed:
            return False, message
    return True, "correct"


def _value_question(rng, n_classes, n_examples, kind):
    S, C = _scores(rng, n_classes, n_examples, kind), _labels(rng, n_classes, n_examples)
    E_ref, P_ref = REFERENCE.value(S, C), REFERENCE.probabilities(S)

    def judge(answer):
        P, E = _answer(answer, "P", S.shape), _answer(answer, "E", ())
        return _verdicts(_close(P, P_ref, "softmax(S)", FLOOR * np.sqrt(n_examples)),
                         _close(E, E_ref, "E(S, C)", FLOOR * max(1.0, float(np.max(np.abs(S))))))

    return Question({"n_classes": n_classes, "n_examples": n_examples}, {"S": S, "C": C}, judge)


def _gradient_question(rng, n_classes, n_examples, kind):
    S, C = _scores(rng, n_classes, n_examples, kind), _labels(rng, n_classes, n_examples)
    G_ref, v = REFERENCE.derivatives(S, C)[1], _direction(rng, S.shape)
    taylor = kind in (1.0, "ties")  # smooth at the scale of the Taylor test's steps

    def judge(answer):
        G = _answer(answer, "G", S.shape)
        checks = [_close(G, G_ref, "dE/dS", FLOOR / np.sqrt(n_examples))]
        if taylor:
            check = check_derivative(lambda s: (REFERENCE.value(s, C), G), S, v=v)
            checks.append((check.passed, f"Taylor test of meganet's E with your gradient: {check.message}"))
        return _verdicts(*checks)

    return Question({"n_classes": n_classes, "n_examples": n_examples}, {"S": S, "C": C}, judge)


def _hessian_question(rng, n_classes, n_examples, kind, constant_direction=False):
    S, C = _scores(rng, n_classes, n_examples, kind), _labels(rng, n_classes, n_examples)
    hess = REFERENCE.derivatives(S, C)[2]
    dS = _direction(rng, S.shape)
    dT = (np.ones((n_classes, 1)) * rng.standard_normal(n_examples) if constant_direction  # zero curvature
          else rng.standard_normal(S.shape))
    taylor = kind in (1.0, "ties")

    def judge(answer):
        HdS, HdT = _answer(answer, "HdS", S.shape), _answer(answer, "HdT", S.shape)
        floor = FLOOR * np.linalg.norm(dS) * np.linalg.norm(dT) / n_examples
        checks = [_close(HdS, hess(dS), "d2E/dS2 [dS]", FLOOR * np.linalg.norm(dS) / n_examples),
                  _close(HdT, hess(dT), "d2E/dS2 [dT]", FLOOR * np.linalg.norm(dT) / n_examples),
                  _symmetric(dT, HdS, dS, HdT, floor)]
        if taylor:
            check = check_derivative(lambda s: (REFERENCE.derivatives(s, C)[1], lambda _: HdS), S, v=dS)
            checks.append((check.passed, f"Taylor test of meganet's gradient with your Hessian: {check.message}"))
        return _verdicts(*checks)

    return Question({"n_classes": n_classes, "n_examples": n_examples}, {"S": S, "C": C, "dS": dS, "dT": dT},
                    judge)


def _weights(rng, n_classes, n_features, n_examples, size):
    Y, W = rng.standard_normal((n_features, n_examples)), size * rng.standard_normal((n_classes, n_features))
    return W, Y, _labels(rng, n_classes, n_examples)


def _gradient_W_question(rng, n_classes, n_features, n_examples, size):
    W, Y, C = _weights(rng, n_classes, n_features, n_examples, size)
    E_ref, d = REFERENCE.linearize(W, Y, C)
    v = _direction(rng, W.shape)

    def judge(answer):
        E, G = _answer(answer, "E", ()), _answer(answer, "G", W.shape)
        scores = float(np.max(np.abs(W @ Y)))
        checks = [_close(E, E_ref, "E(W Y, C)", FLOOR * max(1.0, scores)),
                  _close(G, d.grad_W, "the gradient in W", FLOOR * np.linalg.norm(Y) / np.sqrt(n_examples))]
        if size == 1.0:
            check = check_derivative(lambda w: (REFERENCE(w, Y, C), G), W, v=v)
            checks.append((check.passed, f"Taylor test of meganet's E(W Y, C) with your gradient: {check.message}"))
        return _verdicts(*checks)

    header = {"n_classes": n_classes, "n_features": n_features, "n_examples": n_examples}
    return Question(header, {"W": W, "Y": Y, "C": C}, judge)


def _hessian_W_question(rng, n_classes, n_features, n_examples, size):
    W, Y, C = _weights(rng, n_classes, n_features, n_examples, size)
    hess_W = REFERENCE.linearize(W, Y, C)[1].hess_W
    dW, dV = _direction(rng, W.shape), rng.standard_normal(W.shape)

    def judge(answer):
        HdW, HdV = _answer(answer, "HdW", W.shape), _answer(answer, "HdV", W.shape)
        size_Y = np.linalg.norm(Y) ** 2 / n_examples
        floor = FLOOR * np.linalg.norm(dW) * np.linalg.norm(dV) * size_Y
        checks = [_close(HdW, mat(hess_W.matvec(vec(dW)), W.shape), "d2E/dW2 [dW]", FLOOR * np.linalg.norm(dW) * size_Y),
                  _close(HdV, mat(hess_W.matvec(vec(dV)), W.shape), "d2E/dW2 [dV]", FLOOR * np.linalg.norm(dV) * size_Y),
                  _symmetric(dV, HdW, dW, HdV, floor)]
        if size == 1.0:
            check = check_derivative(lambda w: (REFERENCE.linearize(w, Y, C)[1].grad_W, lambda _: HdW), W, v=dW)
            checks.append((check.passed, f"Taylor test of meganet's gradient in W with your Hessian: {check.message}"))
        return _verdicts(*checks)

    header = {"n_classes": n_classes, "n_features": n_features, "n_examples": n_examples}
    return Question(header, {"W": W, "Y": Y, "C": C, "dW": dW, "dV": dV}, judge)


def questions(rng):
    value = [_value_question(rng, K, n, scale) for K, n in VALUE_SHAPES for scale in (1.0, 30.0, 1e3)]
    value += [_value_question(rng, 5, 8, "ties"), _value_question(rng, 6, 10, "shifted")]
    gradient = [_gradient_question(rng, K, n, scale) for K, n in GRADIENT_SHAPES for scale in (1.0, 1e3)]
    gradient += [_gradient_question(rng, 4, 6, "ties"), _gradient_question(rng, 5, 8, "shifted")]
    hessian = [_hessian_question(rng, K, n, scale) for K, n in HESSIAN_SHAPES for scale in (1.0, 30.0, 1e3)]
    hessian += [_hessian_question(rng, 4, 6, "ties", constant_direction=True),
                _hessian_question(rng, 3, 7, 1.0, constant_direction=True),
                _hessian_question(rng, 5, 8, "shifted")]
    return {"test_softmax_value": value,
            "test_gradient": gradient,
            "test_hessian": hessian,
            "test_gradient_W": [_gradient_W_question(rng, *problem) for problem in WEIGHT_PROBLEMS],
            "test_hessian_W": [_hessian_W_question(rng, *problem) for problem in WEIGHT_PROBLEMS]}
