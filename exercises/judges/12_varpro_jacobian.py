"""Judge of exercise 12 (the quadratic unit and the exact VarPro Jacobian): runs in the judge's clean process.

Each question is a random problem drawn from the student's seed and sent as arrays; the kernel answers
with the functions of one part only, and the answers are judged here with meganet alone (never with
another of the student's functions):

- the unit and its derivative: units [w_1, ..., w_m] (L x m, 1 <= L <= 10, sizes 10^-0.3 to 10^0.3
  times N(0, 1/L), drawn again until every |w_i^T X_j w_i| <= 25) on images that are NOT symmetric
  (pixels in [0, 1] or signed; one antisymmetric image when n > 2), 1 to 30 of them. Z is compared with
  QuadraticScalarization.forward, dZ with its J_theta v, and dZ must pass the Taylor test of meganet's
  forward map along the direction V sent (||V|| = 0.3 ||units||), so that 2 X w for (X + X^T) w fails;
- the fit: features Z of quadratic units (full rank; with a duplicated unit, so one singular value is
  round-off; with more units than examples, so Z^+ Z = I) and synthetic Z = U diag(s) V^T whose spectra
  put a singular value between numpy's default cut-off and rcond s_1 (it must be dropped) or a kept one
  below rcond in absolute terms (it must be kept), for rcond = 1e-10 and 1e-6; one-hot or real targets.
  Judged by W Z - C = R, the normal equations R Z_r^T = 0 (Z_r the truncated Z), the rows of W in the
  span of the kept left singular vectors (the minimum-norm W), and against truncated_svd and
  VarProResidual (relative 1e-9: the kept condition numbers stay below 1e4);
- the Jacobian product: meganet's pieces (Z, Z^+, W, R) at quadratic units, and dZ = J_theta v; targets
  one-hot (large residual), W* Z + 1e-3 N (small), W* Z (R = 0, where Kaufman's Jacobian is exact) or
  real. Compared with VarProResidual's exact J v, and the Taylor test of meganet's r(theta) along v with
  the answer (skipped for the duplicated unit, where a step changes the rank);
- the transpose: the same pieces and a G (k x n); the answer M (m x n) with J^T vec(G) = J_theta^T vec(M)
  must pass the adjoint test <G, J dZ> = <M, dZ> against meganet's J (in Z, a direction the kernel never
  sees) and equal meganet's J^T in Z and, through J_theta^T, in theta.

Tolerances: relative 1e-10 (1e-9 for the fit) above a floor of 1e-12 times each answer's natural size
(the same expression with absolute values), so that correct formulas never fail on round-off.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.data import one_hot
from meganet.grading.judge import Question, answer_array, first_failure
from meganet.layers import QuadraticScalarization
from meganet.layers.base import Element
from meganet.layers.linearization import Linearization
from meganet.linalg import mat, vec
from meganet.objectives import VarProResidual, truncated_svd

RTOL = 1e-10        # relative to the reference: a few roundings per entry
RTOL_FIT = 1e-9     # Z^+, W, R through an SVD (kept condition numbers below 1e4)
FLOOR = 1e-12       # times an answer's natural size: the round-off of correct formulas
RCOND = 1e-10
MAX_A = 25.0        # |w^T X w| at most this: sigma and sigma' never underflow to exactly 0 or 1
STEP = 0.3          # the Taylor directions have norm STEP times the norm of the units


class _FeaturesLinearization(Linearization):
    def __init__(self, m, n):
        self.n_params, self.n_in, self.n_out, self.n = m * n, 1, m, n

    def Jtheta(self, v):
        return mat(v, (self.n_out, self.n))

    def JthetaT(self, W):
        return vec(W)


class _Features(Element):
    """Z = mat(theta, (m, n)): the features are the parameters, so meganet's VarProResidual of this
    element has the VarPro Jacobian in Z, J vec(dZ) and J^T vec(G) = vec(M)."""

    def __init__(self, m, n):
        self.m, self.n, self.n_params, self.n_in, self.n_out = m, n, m * n, 1, m

    def _forward(self, p, Y):
        return mat(p, (self.m, self.n)).copy()

    def _linearize(self, p, Y):
        return self._forward(p, Y), _FeaturesLinearization(self.m, self.n)


def _in_Z(Z, C, rcond=RCOND):
    """meganet's VarProResidual with the features Z as its parameters."""
    return VarProResidual(_Features(*Z.shape), np.zeros((1, Z.shape[1])), C, rcond=rcond)


def _close(value, reference, name, rtol, floor):
    error = float(np.linalg.norm(value - reference))
    tolerance = rtol * float(np.linalg.norm(reference)) + floor
    return error <= tolerance, f"{name} differs from the reference by {error:.1e} (allowed {tolerance:.1e})"


# --- quadratic units ------------------------------------------------------------------------------
def _images(rng, L, n, signed):
    """n images (L x L) in the columns of Y: pixels in [0, 1] or signed, one of them antisymmetric."""
    Y = rng.standard_normal((L * L, n)) if signed else rng.random((L * L, n))
    if n > 2 and L > 1:
        X = mat(Y[:, 0], (L, L))
        Y[:, 0] = vec(X - X.T)
    return Y


def _units_problem(rng, L, m, n, signed):
    """(layer, units (L, m), Y (L^2, n)) with every |a_ij| <= MAX_A."""
    layer = QuadraticScalarization(L, m)
    Y = _images(rng, L, n, signed)
    for _ in range(100):
        units = 10.0 ** rng.uniform(-0.3, 0.3) * rng.standard_normal((L, m)) / np.sqrt(L)
        if np.abs(layer.Q(units) @ Y).max() <= MAX_A:
            return layer, units, Y
    raise RuntimeError("no units with moderate pre-activations")  # never reached for these sizes


def _abs_sizes(units, Y, V=None):
    """|w|^T |X| |w| (the size of A) and, with V, |v|^T (|X| + |X|^T) |w| (the size of dA), entrywise."""
    L = units.shape[0]
    X = np.abs(Y).reshape(L, L, -1, order="F")
    A = np.einsum("ki,klj,li->ij", np.abs(units), X, np.abs(units))
    if V is None:
        return A
    return A, 2 * np.einsum("ki,klj,li->ij", np.abs(V), (X + X.transpose(1, 0, 2)) / 2, np.abs(units))


def _units_question(rng, L, m, n, signed):
    layer, units, Y = _units_problem(rng, L, m, n, signed)
    Z_ref = layer.forward(vec(units), Y)

    def judge(answer):
        Z = answer_array(answer, "Z", Z_ref.shape)
        floor = FLOOR * (np.sqrt(Z_ref.size) + float(np.linalg.norm(_abs_sizes(units, Y))))
        return _close(Z, Z_ref, "Z = sigma(w_i^T X_j w_i)", RTOL, floor)

    return Question({"L": L, "m": m, "n": n}, {"units": units, "Y": Y}, judge)


def _derivative_question(rng, L, m, n, signed):
    layer, units, Y = _units_problem(rng, L, m, n, signed)
    theta = vec(units)
    V = rng.standard_normal((L, m))
    V *= STEP * np.linalg.norm(units) / np.linalg.norm(V)
    Z, lin = layer.linearize(theta, Y)
    dZ_ref = lin.Jtheta(vec(V))
    size = float(np.linalg.norm(0.25 * _abs_sizes(units, Y, V)[1]))

    def judge(answer):
        dZ = answer_array(answer, "dZ", Z.shape)
        return first_failure(
            _close(dZ, dZ_ref, "dZ", RTOL, FLOOR * size),
            lambda: _taylor(lambda t: (vec(layer.forward(t, Y)), lambda _: vec(dZ)), theta, vec(V),
                            "Taylor test of meganet's Z(theta) with your dZ"))

    return Question({"L": L, "m": m, "n": n}, {"units": units, "Y": Y, "V": V}, judge)


def _taylor(fun, x, v, what):
    taylor = check_derivative(fun, x, v=v)
    return taylor.passed, f"{what}: {taylor.message}"


# --- the VarPro fit -------------------------------------------------------------------------------
def _targets(rng, k, n, kind, Z=None):
    if kind == "labels":
        return one_hot(rng.integers(k, size=n), k)
    if kind == "real":
        return rng.standard_normal((k, n))
    W_star = rng.standard_normal((k, Z.shape[0]))
    return W_star @ Z + (1e-3 * rng.standard_normal((k, n)) if kind == "noisy" else 0.0)


def _separated(Z, rcond):
    """No singular value within a factor 1e3 of the cut-off rcond s_1, and the kept ones within 1e4."""
    s = np.linalg.svd(Z, compute_uv=False)
    relative = s / s[0]
    kept = relative[relative > rcond]
    return not np.any((relative > rcond / 1e3) & (relative < rcond * 1e3)) and kept[-1] > 1e-4


def _unit_features(rng, L, m, n, duplicate=False):
    """(layer, theta, Y, Z): features of quadratic units, well separated from the cut-off."""
    for _ in range(100):
        layer, units, Y = _units_problem(rng, L, m, n, signed=bool(rng.integers(2)))
        if duplicate:
            units[:, 1] = units[:, 0]
        theta = vec(units)
        Z = layer.forward(theta, Y)
        if _separated(Z, RCOND):
            return layer, theta, Y, Z
    raise RuntimeError("no well-separated features")  # never reached for these sizes


def _spectrum_features(rng, m, n, singular_values):
    U = np.linalg.qr(rng.standard_normal((m, m)))[0]
    V = np.linalg.qr(rng.standard_normal((n, m)))[0]
    return (U * singular_values) @ V.T


def _fit_question(rng, Z, C, rcond):
    U, s, V = truncated_svd(Z, rcond)
    Z_pinv_ref = (V / s) @ U.T
    reference = _in_Z(Z, C, rcond)
    W_ref, R_ref = reference.weights(vec(Z)), mat(reference.residual(vec(Z)), C.shape)
    Z_r = (U * s) @ V.T
    k, (m, n) = C.shape[0], Z.shape
    scale = float(np.linalg.norm(C)) + float(np.linalg.norm(W_ref) * np.linalg.norm(Z))

    def judge(answer):
        Z_pinv = answer_array(answer, "Z_pinv", (n, m))
        W, R = answer_array(answer, "W", (k, m)), answer_array(answer, "R", (k, n))
        consistent = float(np.linalg.norm(W @ Z - C - R))
        normal = float(np.linalg.norm(R @ Z_r.T))
        outside = float(np.linalg.norm(W - (W @ U) @ U.T))
        return first_failure(
            _close(Z_pinv, Z_pinv_ref, f"Z^+ (singular values > rcond s_1 kept, rcond = {rcond:g})",
                   RTOL_FIT, 0.0),
            (consistent <= RTOL_FIT * scale, f"||W Z - C - R|| = {consistent:.1e}: R must be W Z - C"),
            (outside <= RTOL_FIT * float(np.linalg.norm(W_ref)),
             f"W has a part of norm {outside:.1e} outside the span of the kept left singular vectors of Z: "
             "W = C Z^+ with the truncated Z^+ is the minimum-norm solution"),
            (normal <= RTOL_FIT * scale * float(np.linalg.norm(Z)),
             f"||R Z_r^T|| = {normal:.1e}: the residual must be orthogonal to the rows of the (truncated) Z"),
            _close(W, W_ref, "W", RTOL_FIT, 0.0),
            _close(R, R_ref, "R", RTOL_FIT, RTOL_FIT * scale))

    return Question({"m": m, "n": n, "k": k, "rcond": rcond}, {"Z": Z, "C": C}, judge)


def _fit_questions(rng):
    questions = []
    for k in range(4):  # features of quadratic units, full rank
        L, m = int(rng.integers(2, 8)), int(rng.integers(1, 6))
        n = int(rng.integers(m + 2, 31))
        Z = _unit_features(rng, L, m, n)[3]
        questions.append(_fit_question(rng, Z, _targets(rng, int(rng.integers(2, 7)), n,
                                                          ("labels", "real")[k % 2]), RCOND))
    Z = _unit_features(rng, 5, 4, 20, duplicate=True)[3]                  # a duplicated unit: rank 3
    questions.append(_fit_question(rng, Z, _targets(rng, 3, 20, "labels"), RCOND))
    Z = _unit_features(rng, 4, 9, 6)[3]                                   # more units than examples
    questions.append(_fit_question(rng, Z, _targets(rng, 4, 6, "labels"), RCOND))
    # synthetic spectra (kept condition number 1e3): singular values of 1e-12 s_1 (1e-8 s_1 for rcond 1e-6)
    # and 1e-13 s_1 that numpy's default cut-off keeps (drop them); with s_1 = 1e3 the dropped one is
    # above an absolute cut-off 1e-10, with s_1 = 1e-5 the kept 1e-3 s_1 is below an absolute 1e-6
    for scale, relative, rcond in ((1e3, [1, 0.5, 1e-3, 1e-12], RCOND), (1e-5, [1, 0.3, 1e-3, 1e-8], 1e-6),
                                   (1.0, [1, 0.2, 0.01, 1e-13, 1e-14], RCOND)):
        m, n = len(relative), int(rng.integers(len(relative) + 3, 25))
        Z = _spectrum_features(rng, m, n, scale * np.array(relative))
        questions.append(_fit_question(rng, Z, _targets(rng, 3, n, "real"), rcond))
    return questions


# --- the exact Jacobian and its transpose -----------------------------------------------------------
def _varpro_problem(rng, kind, duplicate=False):
    """(layer, theta, Y, C, problem (meganet's VarProResidual), pieces {Z, Z_pinv, W, R})."""
    L, m = int(rng.integers(2, 8)), int(rng.integers(1, 6))
    if duplicate:
        L, m = max(L, 3), max(m, 3)
    n = int(rng.integers(m + 3, 31))
    layer, theta, Y, Z = _unit_features(rng, L, m, n, duplicate)
    C = _targets(rng, int(rng.integers(2, 7)), n, kind, Z)
    problem = VarProResidual(layer, Y, C, rcond=RCOND)
    U, s, V = truncated_svd(Z, RCOND)
    Z_pinv = (V / s) @ U.T
    W = problem.weights(theta)
    R = mat(problem.residual(theta), C.shape)
    return layer, theta, Y, C, problem, {"Z": Z, "Z_pinv": Z_pinv, "W": W, "R": R}


def _natural_size(pieces, D):
    """||W|| ||D|| (1 + ||Z^+|| ||Z||) + ||R|| ||D|| ||Z^+||: the size of either term before cancelling."""
    norm = np.linalg.norm
    Z, Z_pinv, W, R = (pieces[name] for name in ("Z", "Z_pinv", "W", "R"))
    return float(norm(W) * norm(D) * (1 + norm(Z_pinv) * norm(Z)) + norm(R) * norm(D) * norm(Z_pinv))


def _jacobian_question(rng, kind, duplicate=False):
    layer, theta, Y, C, problem, pieces = _varpro_problem(rng, kind, duplicate)
    v = rng.standard_normal(theta.size)
    v *= STEP * np.linalg.norm(theta) / np.linalg.norm(v)
    Z, lin = layer.linearize(theta, Y)
    dZ = lin.Jtheta(v)
    Jv_ref = mat(problem.jacobian(theta, "exact") @ v, C.shape)
    floor = FLOOR * _natural_size(pieces, dZ)

    def judge(answer):
        Jv = answer_array(answer, "Jv", C.shape)
        checks = [_close(Jv, Jv_ref, "J v (the exact Golub-Pereyra Jacobian)", RTOL, floor)]
        if not duplicate:  # a step that separates the duplicated units changes the rank: no Taylor test
            checks.append(lambda: _taylor(lambda t: (problem.residual(t), lambda _: vec(Jv)), theta, v,
                                          "Taylor test of meganet's r(theta) with your J v"))
        return first_failure(*checks)

    return Question({"m": Z.shape[0], "n": Z.shape[1], "k": C.shape[0]}, {**pieces, "dZ": dZ}, judge)


def _transpose_question(rng, kind, duplicate=False):
    layer, theta, Y, C, problem, pieces = _varpro_problem(rng, kind, duplicate)
    Z, lin = layer.linearize(theta, Y)
    G = rng.standard_normal(C.shape) * 10.0 ** rng.uniform(-1, 1)
    dZ = rng.standard_normal(Z.shape)                      # the adjoint test's direction (not sent)
    in_Z = _in_Z(Z, C).jacobian(vec(Z), "exact")
    M_ref = mat(in_Z.rmatvec(vec(G)), Z.shape)
    JdZ = mat(in_Z @ vec(dZ), C.shape)
    g_ref = problem.jacobian(theta, "exact").rmatvec(vec(G))
    floor = FLOOR * _natural_size(pieces, G)

    def judge(answer):
        M = answer_array(answer, "M", Z.shape)
        lhs, rhs = float(np.sum(G * JdZ)), float(np.sum(M * dZ))
        allowed = RTOL * (np.linalg.norm(G) * np.linalg.norm(JdZ) + np.linalg.norm(M) * np.linalg.norm(dZ)) \
            + floor * np.linalg.norm(dZ)
        return first_failure(
            (abs(lhs - rhs) <= allowed, f"adjoint test failed: <G, J dZ> = {lhs:.6e}, <M, dZ> = {rhs:.6e}"),
            _close(M, M_ref, "M (J^T vec(G) in the features)", RTOL, floor),
            lambda: _close(lin.JthetaT(M), g_ref, "J_theta^T vec(M) (J^T vec(G) in theta)", RTOL,
                           floor * float(np.linalg.norm(lin.J_theta @ np.eye(theta.size), 2))))

    return Question({"m": Z.shape[0], "n": Z.shape[1], "k": C.shape[0]}, {**pieces, "G": G}, judge)


KINDS = ("labels", "real", "labels", "noisy", "exact", "labels")


def questions(rng):
    units = [_units_question(rng, int(rng.integers(2, 8)), int(rng.integers(1, 6)), int(rng.integers(1, 31)),
                             bool(k % 2)) for k in range(6)]
    units += [_units_question(rng, 1, 2, 7, False), _units_question(rng, 10, 3, 4, True)]
    derivative = [_derivative_question(rng, int(rng.integers(2, 8)), int(rng.integers(1, 6)),
                                       int(rng.integers(1, 31)), bool(k % 2)) for k in range(6)]
    derivative += [_derivative_question(rng, 1, 2, 7, False), _derivative_question(rng, 10, 3, 4, True)]
    jacobian = [_jacobian_question(rng, kind) for kind in KINDS] + [_jacobian_question(rng, "labels", True)]
    transpose = [_transpose_question(rng, kind) for kind in KINDS] + [_transpose_question(rng, "labels", True)]
    return {"test_units": units, "test_units_derivative": derivative, "test_fit": _fit_questions(rng),
            "test_jacobian": jacobian, "test_transpose": transpose}
