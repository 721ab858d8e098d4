"""Submissions of exercise 05 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the classifier with alpha^2 in place of alpha (s / (s^2 + alpha^2)): only
test_weights may lose its points (the features and the rank share no code with it, and the judge of
each part uses numpy's references only, never the student's other functions).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""

_S2 = "s2 = s ** 2 + alpha"
_SVD = "U, s, Vt = np.linalg.svd(Z, full_matrices=False)"
_W = "return ((C @ Vt.T) * phi) @ U.T"


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def elm_weights(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_S2) == 1
    nb.cells[i].source = source.replace(_S2, "s2 = s ** 2 + alpha ** 2")  # alpha applied as alpha^2
    return nb


WRONG_PART_LOSES = "test_weights"

WRONG_SOLUTIONS = {
    "Z: b added along the rows (1 b^T)": ([("return sigma(K @ Y + b[:, None])", "return sigma(K @ Y + b)")],
                                          "test_features"),
    "Z: sigma before the bias": ([("return sigma(K @ Y + b[:, None])", "return sigma(K @ Y) + b[:, None]")],
                                 "test_features"),
    "W transposed": ([(_W, "return (((C @ Vt.T) * phi) @ U.T).T")], "test_weights"),
    "W: alpha applied as alpha^2": ([(_S2, "s2 = s ** 2 + alpha ** 2")], "test_weights"),
    "W: the lecture's scaling, n alpha for alpha": ([(_S2, "s2 = s ** 2 + Z.shape[1] * alpha")], "test_weights"),
    "W: 1/2 ||WZ - C||^2 + alpha ||W||^2 (2 alpha)": ([(_S2, "s2 = s ** 2 + 2.0 * alpha")], "test_weights"),
    "W: normal equations without alpha, explicit inverse": (
        [(_SVD, "return C @ Z.T @ np.linalg.inv(Z @ Z.T)\n    " + _SVD)], "test_weights"),
    "W: normal equations with alpha, explicit inverse (ill-conditioned Z)": (
        [(_SVD, "return C @ Z.T @ np.linalg.inv(Z @ Z.T + alpha * np.eye(Z.shape[0]))\n    " + _SVD)], "test_weights"),
    "rank: absolute tolerance s_i > rtol": ([("s > rtol * s[0]", "s > rtol")], "test_rank"),
    "rank: numpy's default tolerance (eps max(m, n) s_1), not rtol": (
        [("return int(np.sum(s > rtol * s[0])) if s.size else 0", "return int(np.linalg.matrix_rank(Z))")],
        "test_rank"),
}

ZERO_BODIES = {"elm_features": "np.zeros((K.shape[0], Y.shape[1]))",
               "elm_weights": "np.zeros((C.shape[0], Z.shape[0]))",
               "numerical_rank": "0"}
