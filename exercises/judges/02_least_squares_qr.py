"""Judge of exercise 02 (least squares by QR): runs in the judge's clean process.

Each question sends a problem drawn from the student's seed: A and b (a vector or a matrix of
right-hand sides) for `lstsq_qr`; A, b, alpha (in the header) and L (an array, or absent for
L=None) for `tikhonov_qr`. The kernel answers with x. Both parts are judged here as the least-
squares problem min ||M x - c|| they are (M = A, c = b, or M = [A; sqrt(alpha) L], c = [b; 0]),
column by column, against numpy.linalg.lstsq (the SVD) with the tolerances a backward-stable
solver meets (Higham, Accuracy and Stability of Numerical Algorithms, ch. 20):
- forward error ||x - x_ref|| <= tol (kappa + kappa^2 tan theta) ||x_ref||, tan theta =
  ||r_ref|| / (||M|| ||x_ref||) (the normal equations lose this on the ill-conditioned problems);
- residual ||M (x - x_ref)|| <= tol kappa (||c|| + ||M|| ||x_ref||);
- optimality: the gradient ||M^T (M x - c)|| <= 1e-10 ||M|| (||c|| + ||M|| ||x||),
with tol = max(1e-10, 1e3 eps) times the factor shown, so a well-conditioned problem asks
1e-10 (relative), and an ill-conditioned one what its condition number allows.
"""
import numpy as np

from meganet.grading.judge import Question

EPS = np.finfo(float).eps
RTOL = 1e-10          # the tightest relative tolerance asked
STABLE = 1e3 * EPS    # the constant of a backward-stable solver's bounds, with a wide margin

# (m, n, n_rhs or None, condition number or None (Gaussian A), scale of A, residual): b is
# Gaussian (residual None), or A x plus noise of this size (a small residual, where QR's error
# is about kappa eps and the normal equations' about kappa^2 eps). The old hidden tests' problems
# (tall, square, several right-hand sides, condition numbers 1e7 and 1e5), a 1 x 1 problem, one
# column with b a one-column matrix, a badly scaled A, and an ill-conditioned small-residual one.
LSTSQ = [(200, 10, None, None, 1.0, None), (12, 12, None, None, 1.0, None), (40, 6, 3, None, 1.0, None),
         (100, 8, None, 1e7, 1.0, None), (60, 5, 2, 1e5, 1.0, None), (1, 1, None, None, 1.0, None),
         (7, 1, 1, None, 1.0, None), (30, 4, None, 1e3, 1e4, None), (80, 6, None, 1e7, 1.0, 1e-9)]
# (m, n, alpha, L, n_rhs): the old hidden tests' problems (identity and first-difference L, more
# unknowns than data, L=None with several right-hand sides), alpha = 0 (plain least squares), a
# 1 x 1 A, and a small alpha on an ill-conditioned A.
TIKHONOV = [(50, 10, 1e-3, "identity", None), (50, 10, 10.0, "difference", None),
            (6, 15, 0.1, "identity", None), (6, 15, 2.0, "difference", None),
            (30, 7, 1.0, "none", 4), (25, 6, 0.0, "difference", None), (1, 1, 0.5, "none", None),
            (40, 8, 1e-6, "difference", 2)]


def random_matrix(rng, m, n, condition_number=None):
    """A Gaussian (m, n) matrix, or one with singular values logspaced from 1 to 1/condition_number."""
    if condition_number is None:
        return rng.standard_normal((m, n))
    U = np.linalg.qr(rng.standard_normal((m, n)))[0]
    V = np.linalg.qr(rng.standard_normal((n, n)))[0]
    return (U * np.logspace(0, -np.log10(condition_number), n)) @ V.T


def judge_least_squares(x, M, c):
    """(passed, message): is x (the shape of c's columns) the least-squares solution of M x = c?"""
    x_ref = np.linalg.lstsq(M, c, rcond=None)[0]
    x = np.asarray(x, dtype=float)
    if x.shape != x_ref.shape:
        return False, f"x has shape {x.shape}, expected {x_ref.shape}"
    if not np.all(np.isfinite(x)):
        return False, "x has entries that are not finite"
    norm_M, kappa = np.linalg.norm(M, 2), np.linalg.cond(M)
    X, X_ref, C = x.reshape(M.shape[1], -1), x_ref.reshape(M.shape[1], -1), c.reshape(M.shape[0], -1)
    for k in range(C.shape[1]):
        xk, xk_ref, ck = X[:, k], X_ref[:, k], C[:, k]
        column = f" (right-hand side {k + 1})" if C.shape[1] > 1 else ""
        norm_x_ref, norm_c = np.linalg.norm(xk_ref), np.linalg.norm(ck)
        tan = np.linalg.norm(M @ xk_ref - ck) / max(norm_M * norm_x_ref, 1e-300)
        error = np.linalg.norm(xk - xk_ref) / max(norm_x_ref, 1e-300)
        allowed = max(RTOL, STABLE * (kappa + kappa**2 * tan))
        if not error <= allowed:
            return False, (f"x differs from the least-squares solution by {error:.1e} (relative){column}; "
                           f"a stable solver stays within {allowed:.1e} here (condition number {kappa:.1e})")
        scale = norm_c + norm_M * norm_x_ref
        residual_error = np.linalg.norm(M @ (xk - xk_ref)) / scale
        allowed = max(RTOL, STABLE * kappa)
        if not residual_error <= allowed:
            return False, (f"the residual of x differs from the least-squares residual by {residual_error:.1e} "
                           f"(relative){column}; allowed {allowed:.1e}")
        gradient = np.linalg.norm(M.T @ (M @ xk - ck)) / (norm_M * (norm_c + norm_M * np.linalg.norm(xk)))
        if not gradient <= RTOL:
            return False, (f"the gradient M^T (M x - c) at x is {gradient:.1e} (relative to the problem's scale)"
                           f"{column}, not zero: x is not a minimiser")
    return True, "correct"


def lstsq_question(rng, m, n, n_rhs, condition_number, scale, residual):
    A = scale * random_matrix(rng, m, n, condition_number)
    b = rng.standard_normal(m if n_rhs is None else (m, n_rhs))
    if residual is not None:
        b = A @ rng.standard_normal(n if n_rhs is None else (n, n_rhs)) + residual * b
    header = {"m": m, "n": n}

    def judge(answer, A=A, b=b):
        return judge_least_squares(answer["x"], A, b)

    return Question(header, {"A": A, "b": b}, judge)


def tikhonov_question(rng, m, n, alpha, L_kind, n_rhs):
    alpha = float(alpha * 10 ** rng.uniform(-0.3, 0.3))
    A = random_matrix(rng, m, n, 1e6 if 0 < alpha < 1e-4 else None)
    b = rng.standard_normal(m if n_rhs is None else (m, n_rhs))
    L = {"identity": np.eye(n), "difference": np.diff(np.eye(n), axis=0), "none": None}[L_kind]
    arrays = {"A": A, "b": b} if L is None else {"A": A, "b": b, "L": L}
    L_full = np.eye(n) if L is None else L
    M = np.vstack([A, np.sqrt(alpha) * L_full])
    c = np.concatenate([b, np.zeros((L_full.shape[0],) + b.shape[1:])])

    def judge(answer, M=M, c=c):
        return judge_least_squares(answer["x"], M, c)

    return Question({"m": m, "n": n, "alpha": alpha, "L": L_kind}, arrays, judge)


def questions(rng):
    return {"test_lstsq_qr": [lstsq_question(rng, *case) for case in LSTSQ],
            "test_tikhonov_qr": [tikhonov_question(rng, *case) for case in TIKHONOV]}
