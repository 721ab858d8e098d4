"""Judge of exercise 14 (the scale-invariant cost and its derivatives): runs in the judge's clean process.

Each question sends scores S (examples in columns), one-hot labels C and targets T (a regular simplex
on the unit sphere, `simplex_targets(k)` or `simplex_targets(k, k - 1)`, sometimes rotated by a random
orthogonal matrix so that only the given T is right), and for the Hessian two directions, all drawn
from the student's seed: 2 to 10 classes, 1 to 40 examples, scores of size 1e-3 to 1e3, one size for
all columns or a different size per column, and the degenerate d = 1 (two classes in R^1).

The answers are judged here with meganet's ScaleInvariant only (never with another of the student's
functions): compared with its value, directions, gradient and Hessian products (relative 1e-10,
above a round-off floor of 1e-12 times the answer's natural size per column: 1 for z, 2/(n ||s_j||)
for the gradient, 2 ||d_j|| / (n ||s_j||^2) for a Hessian product); the value also by scale
invariance (the student's E(c S) against the student's E(S) for a positive c of the judge's); the
gradient by Euler's identity s_j^T g_j = 0 and the Taylor test of meganet's E with it (along up to
three directions: along one with no curvature E1 falls at order 3 into round-off); the Hessian
by the adjoint (symmetry) test of the two products the kernel returns, by H[S] = -dE/dS where the
second direction is S itself, and by the Taylor test of meganet's gradient with it. The Taylor
tests step along directions scaled column by column to 0.3 ||s_j||, so that no step reaches s_j = 0.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.data import one_hot
from meganet.grading.judge import Question, first_failure
from meganet.losses import ScaleInvariant, simplex_targets

RTOL = 1e-10        # relative to the reference
FLOOR = 1e-12       # times the natural size of an answer (see above): round-off of correct formulas
INVARIANCE = 1e-12  # |E(c S) - E(S)| allowed (E lies in [0, 4])
TAYLOR_TRIES = 3    # directions for the Taylor test of the value; the gradient passes along one of them


def _targets(rng, n_classes, reduced, rotated):
    """T (d, k): the simplex in R^k or R^(k-1), optionally rotated (still unit columns)."""
    T = simplex_targets(n_classes, n_classes - 1 if reduced else None)
    if rotated:
        Q = np.linalg.qr(rng.standard_normal((T.shape[0], T.shape[0])))[0]
        T = Q @ T
        T /= np.linalg.norm(T, axis=0)  # unit to the last bit (meganet checks 1e-12)
    return T


def _problem(rng, n_classes, n_examples, reduced=False, rotated=False, scale=None):
    """(S, C, T): scale a number (one size for all columns) or None (a size in [1e-3, 1e3] per column)."""
    T = _targets(rng, n_classes, reduced, rotated)
    C = one_hot(rng.integers(n_classes, size=n_examples), n_classes)
    sizes = 10.0 ** rng.uniform(-3, 3, size=n_examples) if scale is None else scale
    S = sizes * rng.standard_normal((T.shape[0], n_examples))
    return S, C, T


def _answer(answer, name, shape):
    value = np.asarray(answer[name], dtype=float)
    if shape == () and value.size == 1:  # a float, or a float in a 1-element array
        value = value.reshape(())
    if value.shape != shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} has entries that are not finite")
    return value


def _close(value, reference, name, floor):
    error = float(np.linalg.norm(value - reference))
    tolerance = RTOL * float(np.linalg.norm(reference)) + floor
    return error <= tolerance, f"{name} differs from the reference by {error:.1e} (allowed {tolerance:.1e})"


def _step_directions(rng, S):
    """A direction whose column j has length 0.3 ||s_j||: the Taylor steps never reach s_j = 0."""
    V = rng.standard_normal(S.shape)
    return 0.3 * V * (np.linalg.norm(S, axis=0) / np.linalg.norm(V, axis=0))


def _header(S, C):
    return {"n_scores": int(S.shape[0]), "n_classes": int(C.shape[0]), "n_examples": int(S.shape[1])}


# --- part 1: the directions and the value -----------------------------------------------------------
def _value_questions(rng, n_classes, n_examples, reduced, rotated, scale):
    """Two questions: S, then c S for a positive c of the judge's (the second judges invariance)."""
    S, C, T = _problem(rng, n_classes, n_examples, reduced, rotated, scale)
    c = float(10.0 ** rng.uniform(-3, 3))
    reference = ScaleInvariant(T)
    first = {}

    def judge(answer, S=S):
        Z, E = _answer(answer, "Z", S.shape), _answer(answer, "E", ())
        first.setdefault("E", float(E))
        return first_failure(_close(Z, reference.output(S), "S / ||S|| (column by column)",
                                FLOOR * np.sqrt(S.shape[1])),
                         _close(E, reference.value(S, C), "E(S, C)", FLOOR))

    def judge_scaled(answer):
        passed, message = judge(answer, S=c * S)
        if not passed:
            return passed, f"(scores multiplied by c = {c:.3g}) {message}"
        change = abs(float(_answer(answer, "E", ())) - first["E"])
        return (change <= INVARIANCE,
                f"your E(c S, C) - E(S, C) = {change:.1e} for c = {c:.3g}: E must not change when S is scaled")

    return [Question(_header(S, C), {"S": S, "C": C, "T": T}, judge),
            Question(_header(S, C), {"S": c * S, "C": C, "T": T}, judge_scaled)]


# --- part 2: the gradient in the scores -------------------------------------------------------------
def _gradient_question(rng, n_classes, n_examples, reduced, rotated, scale):
    S, C, T = _problem(rng, n_classes, n_examples, reduced, rotated, scale)
    reference = ScaleInvariant(T)
    G_ref = reference.derivatives(S, C)[1]
    directions = [_step_directions(rng, S) for _ in range(TAYLOR_TRIES)]
    r = np.linalg.norm(S, axis=0)
    floor = FLOOR * np.linalg.norm(2.0 / (n_examples * r))  # the size of G if t - a z were of size 1

    def judge(answer):
        G = _answer(answer, "G", S.shape)
        euler = np.abs(np.sum(S * G, axis=0))   # s_j^T g_j = 0: E does not change along s_j
        allowed = RTOL * r * np.linalg.norm(G_ref, axis=0) + FLOOR * 2.0 / n_examples
        checks = [(bool(np.all(euler <= allowed)),
                   f"s_j^T (dE/dS)_j = {euler.max():.1e} for some column j: E(c S) = E(S) makes it 0"),
                  _close(G, G_ref, "dE/dS", floor)]
        # a direction along which E happens to have no curvature shows E1 at order 3 down to round-off,
        # which the test cannot tell from a failure; a wrong gradient fails along every direction
        for V in directions:
            taylor = check_derivative(lambda s: (reference.value(s, C), G), S, v=V)
            if taylor.passed:
                break
        checks.append((taylor.passed, f"Taylor test of meganet's E with your gradient: {taylor.message}"))
        return first_failure(*checks)

    return Question(_header(S, C), {"S": S, "C": C, "T": T}, judge)


# --- part 3: the Hessian product --------------------------------------------------------------------
def _hessian_question(rng, n_classes, n_examples, reduced, rotated, scale, second="random"):
    """Directions dS (column j of length 0.3 ||s_j||: also the Taylor direction) and dT (random, or S)."""
    S, C, T = _problem(rng, n_classes, n_examples, reduced, rotated, scale)
    reference = ScaleInvariant(T)
    _, G_ref, hess = reference.derivatives(S, C)
    r = np.linalg.norm(S, axis=0)
    dS = _step_directions(rng, S)
    dT = S.copy() if second == "S" else rng.standard_normal(S.shape) * 10.0 ** rng.uniform(-3, 3, size=n_examples)

    def size(D):  # the natural size of H[D], column by column 2 ||d_j|| / (n r_j^2)
        return float(np.linalg.norm(2.0 * np.linalg.norm(D, axis=0) / (n_examples * r ** 2)))

    def judge(answer):
        HdS, HdT = _answer(answer, "HdS", S.shape), _answer(answer, "HdT", S.shape)
        lhs, rhs = float(np.sum(dT * HdS)), float(np.sum(HdT * dS))
        scale_adj = np.linalg.norm(dT) * np.linalg.norm(HdS) + np.linalg.norm(HdT) * np.linalg.norm(dS)
        floor_adj = FLOOR * (np.linalg.norm(dT) * size(dS) + np.linalg.norm(dS) * size(dT))
        checks = [_close(HdS, hess(dS), "d2E/dS2 [dS]", FLOOR * size(dS)),
                  _close(HdT, hess(dT), "d2E/dS2 [dT]", FLOOR * size(dT)),
                  (abs(lhs - rhs) <= RTOL * scale_adj + floor_adj,
                   f"adjoint test failed: <dT, H dS> = {lhs:.6e}, <H dT, dS> = {rhs:.6e}")]
        if second == "S":
            checks.append(_close(HdT, -G_ref, "d2E/dS2 [S] (which must equal -dE/dS)", FLOOR * size(S)))
        if S.shape[0] > 1:  # (for d = 1 the gradient is 0 wherever it exists: nothing for a Taylor test)
            taylor = check_derivative(lambda s: (reference.derivatives(s, C)[1], lambda _: HdS), S, v=dS)
            checks.append((taylor.passed, f"Taylor test of meganet's gradient with your Hessian product: "
                                          f"{taylor.message}"))
        return first_failure(*checks)

    return Question(_header(S, C), {"S": S, "C": C, "T": T, "dS": dS, "dT": dT}, judge)


def _cases(rng, count):
    """(n_classes, n_examples, reduced, rotated, scale) drawn at random, then the fixed corners."""
    cases = []
    for k in range(count):
        scale = None if k % 3 == 0 else float(10.0 ** rng.uniform(-3, 3))
        cases.append((int(rng.integers(3, 11)), int(rng.integers(2, 41)), bool(k % 2), bool(k % 4 >= 2), scale))
    cases += [(4, 7, False, False, 1e-3), (5, 9, False, True, 1e3), (2, 12, False, False, 1.0),
              (3, 1, False, False, None), (2, 6, True, False, None)]  # d = 1: two classes in R^1
    return cases


def questions(rng):
    value = [q for case in _cases(rng, 6) for q in _value_questions(rng, *case)]
    gradient = [_gradient_question(rng, *case) for case in _cases(rng, 6)]
    hessian = [_hessian_question(rng, *case) for case in _cases(rng, 6)]
    hessian += [_hessian_question(rng, 4, 8, False, True, None, second="S"),
                _hessian_question(rng, 6, 5, True, False, 30.0, second="S")]
    return {"test_value": value, "test_gradient": gradient, "test_hessian": hessian}
