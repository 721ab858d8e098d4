"""Submissions of exercise 07 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the transpose without sigma', K^T W instead of K^T (sigma'(A) * W): only
test_JY_rmatvec may lose its points (the operator computes its own sigma'(A) and products, and the
judge of each part uses meganet's SingleLayer, never the student's other functions).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""

_JY = "return dsigma * (K @ V)"
_JYT = "return K.T @ (dsigma * W)"


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def JY_rmatvec(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_JYT) == 1
    nb.cells[i].source = source.replace(_JYT, "return K.T @ W")  # no sigma' in the transpose
    return nb


WRONG_PART_LOSES = "test_JY_rmatvec"

WRONG_SOLUTIONS = {
    "J_Y: sigma' evaluated at Y instead of A = K Y + b 1^T": (
        [("dsigma = DSIGMA[sigma](K @ Y + b[:, None])     # sigma' at the pre-activation A",
          "dsigma = DSIGMA[sigma](Y)")], "test_JY_matvec"),
    "J_Y: K^T in place of K": ([(_JY, "return dsigma * (K.T @ V)")], "test_JY_matvec"),
    "J_Y: tanh' whatever the activation": (
        [("dsigma = DSIGMA[sigma](K @ Y + b[:, None])     # sigma' at the pre-activation A",
          "dsigma = 1.0 - np.tanh(K @ Y + b[:, None]) ** 2")], "test_JY_matvec"),
    "J_Y^T: sigma' missing": ([(_JYT, "return K.T @ W")], "test_JY_rmatvec"),
    "J_Y^T: sigma'(A) applied after K^T": ([(_JYT, "return dsigma * (K.T @ W)")], "test_JY_rmatvec"),
    "J_Y^T: K in place of K^T": ([(_JYT, "return K @ (dsigma * W)")], "test_JY_rmatvec"),
    "operator: row-major vec (reshape/ravel) in both products": (
        [("return vec(dsigma * (K @ mat(v, (n_in, n))))", "return (dsigma * (K @ v.reshape(n_in, n))).ravel()"),
         ("return vec(K.T @ (dsigma * mat(w, (m, n))))", "return (K.T @ (dsigma * w.reshape(m, n))).ravel()")],
        "test_JY_operator"),
    "operator: rmatvec without sigma'": ([("return vec(K.T @ (dsigma * mat(w, (m, n))))",
                                           "return vec(K.T @ mat(w, (m, n)))")], "test_JY_operator"),
}

ZERO_BODIES = {"JY_matvec": "np.zeros((K.shape[0], Y.shape[1]))",
               "JY_rmatvec": "np.zeros_like(Y)",
               "JY_operator": ("LinearOperator((K.shape[0] * Y.shape[1], Y.size), dtype=float, "
                               "matvec=lambda v: np.zeros(K.shape[0] * Y.shape[1]), rmatvec=lambda w: np.zeros(Y.size))")}
