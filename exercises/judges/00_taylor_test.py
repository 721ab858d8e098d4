"""Judge of exercise 00 (vec/mat and the Taylor test): runs in the judge's clean process.

Part 1 sends matrices X of hidden random shapes (1 to 7 rows and columns, square and not) and vectors
x with a shape, and compares the student's vec(X) and mat(x, shape) with meganet.linalg's column
stacking (exactly: they only move numbers); one question also sends A and B and asks for
vec(A X B), compared with (B^T kron A) vec(X).

Part 2 sends a hidden function as arrays (its kind in the header; the notebook's locked setup cell
`judged_problem` builds f and its directional derivative from them), a point x, a direction v, h0 and
the number of steps, and compares the student's table h, E0(h), E1(h) with the judge's own, computed
by meganet.checks.check_derivative on the same function: E0 of order 1 and E1 of order 2 (tanh layers),
E1 exactly h^2/2 |v^T Q v| (a quadratic), E1 at round-off (an affine map: the table must show it at
round-off too), and a wrong derivative (E1 of order 1). Tolerance: 1e-8 relative plus 100 eps times
the size of f (the round-off of f(x + hv) - f(x) - h Jv in another order of operations).

Part 3 sends tables E (the judge's own E0 and E1 of hidden functions, all entries positive, step
sizes halving) and compares the student's observed orders with log2(E_k / E_{k+1}) computed here, at
every k where both entries lie above the round-off floor, to 0.01.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.grading.judge import Question, first_failure
from meganet.linalg import vec, mat

EPS = np.finfo(float).eps
RTOL = 1e-8          # E0, E1 relative to the reference
FLOOR = 100 * EPS    # times the size of f: round-off of the differences in another order of operations
ORDER_TOL = 1e-2     # observed orders where the table is resolved
RESOLVED = 1e4 * EPS  # times the size of f: entries above this give orders to 1e-3


def _answer(answer, name, shape):
    value = np.asarray(answer[name], dtype=float)
    if value.shape != shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    return value


# --- part 1: vec and mat ------------------------------------------------------------------------------
def _vec_question(rng, m, n):
    X = rng.standard_normal((m, n))
    x = rng.standard_normal(m * n)

    def judge(answer):
        v, M = _answer(answer, "vec", (m * n,)), _answer(answer, "mat", (m, n))
        return first_failure((np.array_equal(v, vec(X)), f"vec(X) of a {m} x {n} matrix: the columns of X, "
                                                     f"one after the other (column stacking), expected"),
                         (np.array_equal(M, mat(x, (m, n))), f"mat(x, ({m}, {n})) must refill the columns "
                                                             f"first (the inverse of vec)"))

    return Question({"kind": "vec_mat", "shape": [int(m), int(n)]}, {"X": X, "x": x}, judge)


def _kron_question(rng, m, n, p, q):
    A, X, B = rng.standard_normal((p, m)), rng.standard_normal((m, n)), rng.standard_normal((n, q))
    expected = np.kron(B.T, A) @ vec(X)

    def judge(answer):
        v = _answer(answer, "vec", (p * q,))
        error = float(np.linalg.norm(v - expected))
        return (error <= 1e-12 * float(np.linalg.norm(expected)) * max(m, n),
                f"vec(A X B) differs from (B^T kron A) vec(X) by {error:.1e}")

    return Question({"kind": "kron", "shape": [int(m), int(n)]}, {"A": A, "X": X, "B": B}, judge)


# --- the hidden functions of parts 2 and 3 -------------------------------------------------------------
def _function(rng, kind, n):
    """(header, arrays, f, df): f and its directional derivative df(x, v) = J(x) v as the notebook builds them."""
    m = int(rng.integers(1, 6))
    if kind in ("tanh", "wrong"):
        A, b = rng.standard_normal((m, n)), rng.standard_normal(m)
        D = A if kind == "tanh" else A + 0.3 * rng.standard_normal((m, n))  # the wrong derivative's matrix
    elif kind == "quadratic":
        R = rng.standard_normal((n, n))
        A, b = R + R.T, rng.standard_normal(n)
        D = A
    else:  # affine
        A, b = rng.standard_normal((m, n)), rng.standard_normal(m)
        D = A
    arrays = {"A": A, "b": b, "D": D}
    if kind in ("tanh", "wrong"):
        def f(x):
            return np.tanh(A @ x + b)

        def df(x, v):
            return (1.0 - np.tanh(A @ x + b) ** 2) * (D @ v)
    elif kind == "quadratic":
        def f(x):
            return 0.5 * x @ (A @ x) + b @ x

        def df(x, v):
            return (D @ x + b) @ v
    else:
        def f(x):
            return A @ x + b

        def df(x, v):
            return D @ v
    return {"kind": "tanh" if kind == "wrong" else kind}, arrays, f, df


def _table(rng, kind):
    """The hidden problem and the judge's own Taylor table (meganet.checks.check_derivative)."""
    n = int(rng.integers(1, 7))
    header, arrays, f, df = _function(rng, kind, n)
    x, v = rng.standard_normal(n), rng.standard_normal(n)
    h0, n_steps = float(10.0 ** rng.uniform(-1, 0.3)), int(rng.integers(8, 17))
    check = check_derivative(lambda y: (f(y), lambda w: df(y, w)), x, v=v, n_steps=n_steps, h0=h0)
    size = max(float(np.linalg.norm(f(x))), float(np.max(check.E0)), 1e-300)
    header = {**header, "h0": h0, "n_steps": n_steps}
    return header, {**arrays, "x": x, "v": v}, check, size


def _errors_question(rng, kind):
    header, arrays, check, size = _table(rng, kind)
    n_steps = header["n_steps"]

    def judge(answer):
        h = _answer(answer, "h", (n_steps,))
        E0, E1 = _answer(answer, "E0", (n_steps,)), _answer(answer, "E1", (n_steps,))
        checks = [(np.allclose(h, check.h, rtol=1e-14, atol=0), f"the step sizes must be h_k = h0 2^-k, "
                                                               f"k = 0..{n_steps - 1}")]
        for name, mine, ref in (("E0", E0, check.E0), ("E1", E1, check.E1)):
            error = np.abs(mine - ref)
            allowed = RTOL * ref + FLOOR * size
            bad = np.flatnonzero(~(error <= allowed))
            checks.append((bad.size == 0, f"{name}(h) at h = {check.h[bad[0]] if bad.size else 0:.3e} is "
                                          f"{mine[bad[0]] if bad.size else 0:.6e}, expected "
                                          f"{ref[bad[0]] if bad.size else 0:.6e} ({header['kind']} function)"))
        return first_failure(*checks)

    return Question(header, arrays, judge)


# --- part 3: observed orders ---------------------------------------------------------------------------
def _orders_question(rng, kind, which):
    _, _, check, size = _table(rng, kind)
    E = check.E0 if which == "E0" else check.E1
    resolved = (E[:-1] > RESOLVED * size) & (E[1:] > RESOLVED * size)
    reference = np.log2(E[:-1] / E[1:])

    def judge(answer):
        orders = _answer(answer, "orders", (E.size - 1,))
        error = np.abs(orders - reference)
        bad = np.flatnonzero(resolved & ~(error <= ORDER_TOL))
        if bad.size:
            k = bad[0]
            return False, (f"the observed order between E(h_{k}) = {E[k]:.4e} and E(h_{k + 1}) = {E[k + 1]:.4e} "
                           f"(h halved) is {reference[k]:.3f}, your table says {orders[k]:.3f}")
        return True, "correct"

    return Question({"kind": "orders", "n": int(E.size)}, {"E": E}, judge)


def questions(rng):
    shapes = [(int(rng.integers(2, 8)), int(rng.integers(2, 8))) for _ in range(4)]
    shapes += [(int(k), int(k)) for k in rng.integers(2, 6, size=2)] + [(1, int(rng.integers(2, 6))), (int(rng.integers(2, 6)), 1)]
    vec_mat = [_vec_question(rng, m, n) for m, n in shapes]
    vec_mat.append(_kron_question(rng, *(int(k) for k in rng.integers(2, 6, size=4))))
    kinds = ["tanh", "tanh", "quadratic", "affine", "wrong", "wrong"]
    errors = [_errors_question(rng, kind) for kind in kinds]
    orders = [_orders_question(rng, kind, which) for kind, which in
              [("tanh", "E0"), ("tanh", "E1"), ("quadratic", "E1"), ("wrong", "E1"), ("affine", "E0"),
               ("tanh", "E1")]]
    return {"test_vec_mat": vec_mat, "test_taylor_errors": errors, "test_observed_orders": orders}
