"""Judge of exercise 13 (the support of a PHT layer, the masked layer and its least-squares weights):
runs in the judge's clean process.

Every question is drawn from the student's seed; the answers are judged here with meganet's
layers (`pht`, `SingleLayer` with a dense kernel and `support_masks`, `MaskedLayer`) and numpy only,
never with another of the student's functions and never against one stored number.

test_support: an array X and a layer (K, b, Y) with a threshold tau (in the header). Ties: X holds
entries exactly at tau, at -tau, at 0 and -0.0, between 0 and tau and above tau, and the layers with
dyadic entries (K in Z/4, Y in Z/2, b in Z/8, all sums exact in any order) have b chosen so that
K y_j + b = tau exactly in some entries; tau in {0, 0.25, 0.5, 1, 1.5}. Then layers with Gaussian
entries and tau in [0, 1], where an entry within 1e-12 of tau (relative to the sizes of its terms)
is not judged (its side of tau depends on the order of summation). Judged: PHT_tau(X) against
meganet's pht(tau) (1e-14 relative per entry: the correct answer involves no arithmetic), the
mask against support_masks of SingleLayer(dense_kernel, pht(tau)) entry by entry, exactly, with
values 0/1 (or True/False) only.

test_masked_jacobian: a mask M (0/1, random densities, a row that is all 0, a row all 1, square
sizes d = m = n where misplaced products and sums still have the right shapes), weights K of size
0.1 to 10, a bias b, inputs Y, a direction (dK, db) and an output direction W. Judged with
MaskedLayer(dense_kernel(m, d), M): the forward map and J[dK, db], J^T W against meganet's
(relative 1e-10 above a round-off floor of 1e-12 times the products' natural size); the Taylor test
of meganet's forward map p -> vec(Z) with the student's J[dK, db] (the map is linear: E1 must stay
at round-off for every h); the adjoint test <W, J v> = <J^T W, v> of meganet's J against the
student's J^T, and of the student's J against the student's J^T.

test_weight_update: with the mask M fixed, (K, b) = argmin ||W [M * (K Y + b 1^T); 1^T] - C||_F^2
+ alpha (||K||_F^2 + ||b||^2) for a classifier W (c, m + 1) (its last column the classifier's bias)
and one-hot C, alpha in [1e-2, 10]: masks from the support of a random PHT layer (tau 0 or 0.3)
with a unit off for every example and one on for every example, fewer classes than units (the
units' weights are coupled), fewer equations than unknowns (only alpha makes the minimiser
unique), one input feature, one unit, one class. Judged: the gradient 2 (J^T (W_K^T (S - C)) +
alpha p) (meganet's J^T) vanishes, relative 1e-10 of 2 ||B|| (||r|| + ||B|| ||p||) for the stacked
matrix B = [A; sqrt(alpha) I]; no point perturbed along random directions (1e-2 and 1e-5 of ||p||)
or along the negative gradient has a lower objective; and p agrees with numpy.linalg.lstsq on the
stacked problem, the matrix A built column by column from meganet's J (A e_k = vec(W_K J e_k)),
within max(1e-10, 100 eps kappa(B)^2) (what the normal equations with the mask meet).
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.grading.judge import Question, answer_array, first_failure
from meganet.kernels import dense_kernel
from meganet.layers import MaskedLayer, SingleLayer, pht, support_masks
from meganet.linalg import vec

EPS = np.finfo(float).eps
RTOL = 1e-10         # relative to the reference: a few roundings per entry
FLOOR = 1e-12        # times the natural size of a product: the round-off of a correct formula
AMBIGUOUS = 1e-12    # Gaussian layers: entries this close to tau (relative) are not judged
RTOL_OBJECTIVE = 1e-12
TIE_TAUS = (0.0, 0.25, 0.5, 1.0, 1.5)


def _binary(answer, name, shape):
    """The student's mask as bools; a ValueError for entries other than 0/1."""
    value = answer_array(answer, name, shape)
    if not np.all((value == 0) | (value == 1)):
        raise ValueError(f"{name} must hold only 0 and 1 (or True and False)")
    return value == 1


def _close(value, reference, name, floor):
    error = float(np.linalg.norm(value - reference))
    tolerance = RTOL * float(np.linalg.norm(reference)) + floor
    return error <= tolerance, f"{name} differs from meganet's by {error:.1e} (allowed {tolerance:.1e})"


# --- part 1: PHT and the support -------------------------------------------------------------------
def _threshold_array(rng, shape, tau):
    """X with entries at tau, -tau, 0, -0.0, in (0, tau), above tau and below -tau (all dyadic)."""
    X = rng.integers(-16, 17, size=shape) / 8.0 * max(tau, 0.5)
    special = [tau, -tau, 0.0, -0.0, tau / 2.0, tau + 0.5, -tau - 0.5, 2.0 * tau + 1.0]
    flat = X.reshape(-1)
    spots = rng.choice(flat.size, size=min(len(special), flat.size), replace=False)
    flat[spots] = special[:spots.size]
    return X


def _dyadic_layer(rng, d, m, n, tau):
    """(K, b, Y) with entries in Z/4, Z/8, Z/2: every sum exact; K y_j + b = tau in chosen entries."""
    K = rng.integers(-6, 7, size=(m, d)) / 4.0
    Y = rng.integers(-4, 5, size=(d, n)) / 2.0
    b = rng.integers(-8, 9, size=m) / 8.0
    for i in rng.choice(m, size=max(1, m // 2), replace=False):
        b[i] = tau - K[i] @ Y[:, rng.integers(n)]
    return K, b, Y


def _gaussian_layer(rng, d, m, n):
    return (rng.standard_normal((m, d)) / np.sqrt(d), rng.standard_normal(m), rng.standard_normal((d, n)))


def _support_question(rng, d, m, n, tau, dyadic):
    K, b, Y = _dyadic_layer(rng, d, m, n, tau) if dyadic else _gaussian_layer(rng, d, m, n)
    X = _threshold_array(rng, (m, n), tau)
    layer = SingleLayer(dense_kernel(m, d), pht(tau))
    M_ref = support_masks(layer, np.concatenate([vec(K), b]), Y)[0]
    P_ref = pht(tau)(X)
    if dyadic:
        judged = np.ones((m, n), dtype=bool)
    else:  # an entry within round-off of tau may land on either side
        size = np.abs(K) @ np.abs(Y) + np.abs(b)[:, None] + tau
        judged = np.abs(K @ Y + b[:, None] - tau) > AMBIGUOUS * size

    def judge(answer):
        P = answer_array(answer, "P", X.shape)
        M = _binary(answer, "M", (m, n))
        wrong_P = np.abs(P - P_ref) > 1e-14 * np.maximum(np.abs(X), 1e-300)
        wrong_M = judged & (M != M_ref)

        def pht_check():
            if not np.any(wrong_P):
                return True, "correct"
            i, j = np.argwhere(wrong_P)[0]
            return False, (f"PHT_tau(X) with tau = {tau:g}: at x = {X[i, j]:g} your value is {P[i, j]:g}, "
                           f"expected {P_ref[i, j]:g}")

        def mask_check():
            if not np.any(wrong_M):
                return True, "correct"
            i, j = np.argwhere(wrong_M)[0]
            a = K[i] @ Y[:, j] + b[i]
            return False, (f"the mask with tau = {tau:g}: entry ({i}, {j}) has K y_j + b = {a:.6g}, your mask says "
                           f"{int(M[i, j])}, expected {int(M_ref[i, j])}")

        return first_failure(pht_check, mask_check)

    header = {"tau": float(tau), "d": d, "m": m, "n": n}
    return Question(header, {"X": X, "K": K, "b": b, "Y": Y}, judge)


def _support_questions(rng):
    questions = []
    for tau in rng.permutation(TIE_TAUS):
        d, m, n = int(rng.integers(1, 5)), int(rng.integers(2, 8)), int(rng.integers(2, 12))
        questions.append(_support_question(rng, d, m, n, float(tau), dyadic=True))
    for d, m, n in [(3, 5, 9), (1, 4, 6), (6, 2, 1), (4, 4, 4)]:
        questions.append(_support_question(rng, d, m, n, float(rng.uniform(0.05, 1.0)), dyadic=False))
    questions.append(_support_question(rng, 2, 3, 5, 0.0, dyadic=False))
    questions.append(_support_question(rng, 3, 6, 7, 0.5, dyadic=True))   # the tie at tau > 0 last too
    return questions


# --- part 2: the masked layer and its Jacobian in (K, b) -------------------------------------------
def _mask(rng, m, n, density, full_rows=True):
    M = (rng.uniform(size=(m, n)) < density).astype(float)
    if full_rows and m >= 3:
        M[0], M[1] = 0.0, 1.0       # a unit off for every example, one on for every example
    if not M.any():
        M[-1, -1] = 1.0
    return M


def _jacobian_question(rng, d, m, n, density, scale):
    M = _mask(rng, m, n, density)
    K = scale * rng.standard_normal((m, d)) / np.sqrt(d)
    b, Y = rng.standard_normal(m), rng.standard_normal((d, n))
    dK, db, W = rng.standard_normal((m, d)), rng.standard_normal(m), rng.standard_normal((m, n))
    reference = MaskedLayer(dense_kernel(m, d), M)
    p, v = np.concatenate([vec(K), b]), np.concatenate([vec(dK), db])
    Z_ref, lin = reference.linearize(p, Y)
    JV_ref, JTW_ref = lin.Jtheta(v), lin.JthetaT(W)
    size_Y = np.linalg.norm(Y) + np.sqrt(n)                     # of [Y; 1^T]
    floor_Z = FLOOR * (np.linalg.norm(K) + np.linalg.norm(b)) * size_Y
    floor_JV = FLOOR * np.linalg.norm(v) * size_Y
    floor_JTW = FLOOR * np.linalg.norm(W) * size_Y

    def judge(answer):
        Z = answer_array(answer, "Z", (m, n))
        JV = answer_array(answer, "JV", (m, n))
        JTW = np.concatenate([vec(answer_array(answer, "dK", (m, d))), answer_array(answer, "db", (m,))])

        def taylor():
            size = float(np.linalg.norm(v))
            check = check_derivative(lambda q: (vec(reference.forward(q, Y)), lambda _: vec(JV) / size),
                                     p, v=v / size)
            return check.passed, f"Taylor test of meganet's masked layer with your J [dK, db]: {check.message}"

        def adjoint(JV_used, label):
            lhs, rhs = float(np.sum(W * JV_used)), float(JTW @ v)
            scale_adj = np.linalg.norm(W) * np.linalg.norm(JV_used) + np.linalg.norm(JTW) * np.linalg.norm(v)
            return (abs(lhs - rhs) <= RTOL * scale_adj + 1e-300,
                    f"adjoint test ({label}): <W, J v> = {lhs:.6e}, <J^T W, v> = {rhs:.6e}")

        return first_failure(_close(Z, Z_ref, "the masked layer M * (K Y + b 1^T)", floor_Z),
                             _close(JV, JV_ref, "J [dK, db]", floor_JV),
                             taylor,
                             lambda: adjoint(JV_ref, "meganet's J, your J^T"),
                             lambda: adjoint(JV, "your J and your J^T"),
                             _close(JTW, JTW_ref, "J^T W = [vec(dK); db]", floor_JTW))

    header = {"d": d, "m": m, "n": n}
    arrays = {"K": K, "b": b, "Y": Y, "M": M, "dK": dK, "db": db, "W": W}
    return Question(header, arrays, judge)


def _jacobian_questions(rng):
    cases = [(int(rng.integers(1, 7)), int(rng.integers(1, 9)), int(rng.integers(1, 13)),
              float(rng.uniform(0.2, 0.8)), float(10.0 ** rng.uniform(-1, 1))) for _ in range(5)]
    cases += [(4, 4, 4, 0.5, 1.0), (5, 5, 5, 0.3, 3.0),          # square: misplaced products keep their shape
              (1, 6, 9, 0.5, 1.0), (3, 1, 7, 0.6, 0.1),          # one feature, one unit
              (5, 4, 1, 0.7, 10.0), (3, 6, 10, 0.95, 1.0)]       # one example, nearly all on
    return [_jacobian_question(rng, *case) for case in cases]


# --- part 3: the weights by least squares with the support fixed ----------------------------------
def _weights_problem(rng, d, m, n, c):
    Y = rng.uniform(-2.0, 2.0, size=(d, n))
    K0, b0 = rng.standard_normal((m, d)) / np.sqrt(d), 0.5 * rng.standard_normal(m)
    tau = float(rng.choice([0.0, 0.3]))
    layer = SingleLayer(dense_kernel(m, d), pht(tau))
    M = support_masks(layer, np.concatenate([vec(K0), b0]), Y)[0].astype(float)
    if m >= 3:
        M[0], M[1] = 0.0, 1.0       # a dead unit (its weights must be 0) and one always on
    if not M.any():
        M[0, 0] = 1.0
    W = rng.standard_normal((c, m + 1))
    C = np.eye(c)[:, rng.integers(c, size=n)]
    return Y, M, W, C


def _weights_question(rng, d, m, n, c, alpha):
    Y, M, W, C = _weights_problem(rng, d, m, n, c)
    reference = MaskedLayer(dense_kernel(m, d), M)
    n_p = m * (d + 1)
    W_K, w_0 = W[:, :m], W[:, m]
    lin = reference.linearize(np.zeros(n_p), Y)[1]
    A = np.column_stack([vec(W_K @ lin.Jtheta(e)) for e in np.eye(n_p)])   # p -> vec(W_K Z(p)), from meganet
    r = vec(C - w_0[:, None])
    B = np.vstack([A, np.sqrt(alpha) * np.eye(n_p)])
    p_ref = np.linalg.lstsq(B, np.concatenate([r, np.zeros(n_p)]), rcond=None)[0]
    norm_B, kappa = np.linalg.norm(B, 2), np.linalg.cond(B)

    def objective(p):
        S = W_K @ reference.forward(p, Y) + w_0[:, None]
        return float(np.sum((S - C) ** 2)) + alpha * float(p @ p)

    def gradient(p):
        S = W_K @ reference.forward(p, Y) + w_0[:, None]
        return 2.0 * (lin.JthetaT(W_K.T @ (S - C)) + alpha * p)

    f_ref, f_zero = objective(p_ref), objective(np.zeros(n_p))
    directions = [rng.standard_normal(n_p) for _ in range(3)]

    def judge(answer):
        p = np.concatenate([vec(answer_array(answer, "K", (m, d))), answer_array(answer, "b", (m,))])
        g = gradient(p)
        scale = 2.0 * norm_B * (np.linalg.norm(r) + norm_B * np.linalg.norm(p))
        if not np.linalg.norm(g) <= RTOL * scale:
            return False, (f"the gradient of the fixed-support objective at your (K, b) is {np.linalg.norm(g) / scale:.1e} "
                           f"relative to the problem's scale, not 0 (alpha = {alpha:.3g}): not the minimiser")
        f, tolerance = objective(p), RTOL_OBJECTIVE * (f_zero + f_ref)
        if f > f_ref + tolerance:
            return False, f"the objective at your (K, b) is {f:.12e}, above the minimum {f_ref:.12e}"
        steps = [D * (t * max(np.linalg.norm(p), 1e-300) / np.linalg.norm(D)) for D in directions for t in (1e-2, 1e-5)]
        if np.linalg.norm(g) > 0:
            steps += [-g * (t / (2.0 * norm_B ** 2)) for t in (1.0, 1e-3)]
        for step in steps:
            if objective(p + step) < f - tolerance:
                return False, (f"a point at distance {np.linalg.norm(step):.1e} from your (K, b) has a lower "
                               f"objective ({objective(p + step):.12e} < {f:.12e})")
        error = np.linalg.norm(p - p_ref) / max(np.linalg.norm(p_ref), 1e-300)
        allowed = max(RTOL, 100.0 * EPS * kappa ** 2)
        return error <= allowed, (f"[vec(K); b] differs from numpy.linalg.lstsq on the stacked problem by {error:.1e} "
                                  f"(relative; allowed {allowed:.1e})")

    header = {"d": d, "m": m, "n": n, "c": c, "alpha": float(alpha)}
    return Question(header, {"Y": Y, "M": M, "W": W, "C": C}, judge)


def _weights_questions(rng):
    cases = [(int(rng.integers(1, 5)), int(rng.integers(2, 9)), int(rng.integers(10, 41)), int(rng.integers(2, 6)),
              float(10.0 ** rng.uniform(-2, 1))) for _ in range(4)]
    cases += [(2, 6, 30, 3, 0.1),        # fewer classes than units: coupled units
              (3, 5, 4, 2, 1.0),         # 8 equations, 20 unknowns: alpha makes it unique
              (1, 4, 25, 3, 0.01),       # one input feature
              (2, 1, 15, 2, 3.0),        # one unit
              (3, 4, 20, 1, 0.5),        # one class
              (4, 4, 4, 4, 2.0)]         # square sizes
    return [_weights_question(rng, *case) for case in cases]


def questions(rng):
    return {"test_support": _support_questions(rng),
            "test_masked_jacobian": _jacobian_questions(rng),
            "test_weight_update": _weights_questions(rng)}
