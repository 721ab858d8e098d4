"""Submissions of exercise 12 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is Kaufman's Jacobian passed off as the exact one, W dZ P_perp without the term
-R dZ^T (Z^+)^T: only test_jacobian may lose its points (the transpose has its own code, and the
judges of parts 4 and 5 send meganet's pieces Z^+, W, R, never the student's part 3).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds, and without them for forty more: each loses exactly its part on
every seed. (R Z^+ = -C P_perp Z^+ = 0, since the columns of Z^+ lie in the row space of Z: both
"wrong factor" mistakes below are Kaufman's Jacobian in disguise, up to round-off.)
"""

_A = 'A = np.einsum("ki,klj,li->ij", units, X, units)       # A_ij = w_i^T X_j w_i'
_DA = 'dA = np.einsum("ki,klj,li->ij", V, S, units)          # v_i^T (X_j + X_j^T) w_i'
_S = "S = X + X.transpose(1, 0, 2)                          # X_j + X_j^T for every j"
_DZ = "return s * (1 - s) * dA"
_KEEP = "keep = s > rcond * s[0]                               # relative cut-off: the rest is round-off"
_PINV = "W = C @ truncated_pinv(Z, rcond)"
_JV = "return W @ dZ @ P_perp - R @ dZ.T @ Z_pinv.T"
_JT = "return W.T @ G @ P_perp - (G @ Z_pinv).T @ R"


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def varpro_jacobian(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_JV) == 1
    nb.cells[i].source = source.replace(_JV, "return W @ dZ @ P_perp")  # Kaufman's, passed off as exact
    return nb


WRONG_PART_LOSES = "test_jacobian"

WRONG_SOLUTIONS = {
    "unit: sigma left out (A for sigma(A))": ([("    return sigmoid(A)\n", "    return A\n")], "test_units"),
    "unit: tanh for the sigmoid": ([("    return sigmoid(A)\n", "    return np.tanh(A)\n")], "test_units"),
    "unit: ||X w||^2 = w^T X^T X w for w^T X w": (
        [(_A, 'A = np.einsum("klj,li->kij", X, units)\n    A = np.sum(A * A, axis=0)')], "test_units"),
    "derivative: 2 X w for (X + X^T) w (assumes symmetric images)": ([(_S, "S = 2 * X")],
                                                                      "test_units_derivative"),
    "derivative: X w for (X + X^T) w (half the product rule)": ([(_S, "S = X")], "test_units_derivative"),
    "derivative: sigma'(A) left out": ([(_DZ, "return dA")], "test_units_derivative"),
    "derivative: tanh's 1 - sigma^2 for sigma (1 - sigma)": ([(_DZ, "return (1 - s ** 2) * dA")],
                                                             "test_units_derivative"),
    "derivative: v^T X v (the second-order term) for the first-order one": (
        [(_DA, 'dA = np.einsum("ki,klj,li->ij", V, X, V)')], "test_units_derivative"),
    "fit: no truncation (np.linalg.pinv with its default cut-off)": (
        [(_PINV, "W = C @ np.linalg.pinv(Z)")], "test_fit"),
    "fit: an absolute cut-off s > rcond": ([(_KEEP, "keep = s > rcond")], "test_fit"),
    "fit: the normal equations W = C Z^T (Z Z^T)^-1 (no minimum norm)": (
        [(_PINV, "W = np.linalg.solve(Z @ Z.T, Z @ C.T).T")], "test_fit"),
    "fit: W = C Z^T (the transpose for the pseudo-inverse)": ([(_PINV, "W = C @ Z.T")], "test_fit"),
    "fit: the sign of R flipped (C - W Z)": ([("return W, W @ Z - C", "return W, C - W @ Z")], "test_fit"),
    "Jacobian: Kaufman's passed off as exact": ([(_JV, "return W @ dZ @ P_perp")], "test_jacobian"),
    "Jacobian: P_perp left out of the first term": ([(_JV, "return W @ dZ - R @ dZ.T @ Z_pinv.T")],
                                                    "test_jacobian"),
    "Jacobian: the sign of the second term flipped": ([(_JV, "return W @ dZ @ P_perp + R @ dZ.T @ Z_pinv.T")],
                                                      "test_jacobian"),
    "Jacobian: R Z^+ dZ for R (Z^+ dZ)^T (the transpose on the wrong factor)": (
        [(_JV, "return W @ dZ @ P_perp - R @ Z_pinv @ dZ")], "test_jacobian"),
    "Jacobian: Z for (Z^+)^T in the second term": ([(_JV, "return W @ dZ @ P_perp - R @ dZ.T @ Z")],
                                                    "test_jacobian"),
    "transpose: (Z^+)^T R^T G for (G Z^+)^T R (the transpose of the wrong factor)": (
        [(_JT, "return W.T @ G @ P_perp - Z_pinv.T @ R.T @ G")], "test_transpose"),
    "transpose: Z for (Z^+)^T in the second term": ([(_JT, "return W.T @ G @ P_perp - Z @ G.T @ R")],
                                                     "test_transpose"),
    "transpose: Kaufman's (second term dropped)": ([(_JT, "return W.T @ G @ P_perp")], "test_transpose"),
    "transpose: P_perp left out": ([(_JT, "return W.T @ G - (G @ Z_pinv).T @ R")], "test_transpose"),
    "transpose: the sign of the second term flipped": ([(_JT, "return W.T @ G @ P_perp + (G @ Z_pinv).T @ R")],
                                                       "test_transpose"),
}

ZERO_BODIES = {"quadratic_units": "np.zeros((units.shape[1], Y.shape[1]))",
               "quadratic_units_derivative": "np.zeros((units.shape[1], Y.shape[1]))",
               "truncated_pinv": "np.zeros(Z.shape[::-1])",
               "varpro_fit": "(np.zeros((C.shape[0], Z.shape[0])), np.zeros_like(C))",
               "varpro_jacobian": "np.zeros_like(R)",
               "varpro_jacobian_transpose": "np.zeros_like(Z)"}
