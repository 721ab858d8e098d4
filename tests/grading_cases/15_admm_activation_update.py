"""Submissions of exercise 15 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the pre-activation update that keeps only the branch z >= 0 (right wherever the
unit is on, wrong where the branch z <= 0 is lower): only test_preactivation_update may lose its
points (the two updates share no code, and each part's judge uses its own reference only).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""

_M = "M = beta * (W_next.T @ W_next) + gamma * np.eye(n_units)"
_R = "R = beta * (W_next.T @ z_next) + gamma * relu(z)"
_CHOICE = "return np.where(f_pos <= f_neg, z_pos, z_neg)"


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def preactivation_update" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_CHOICE) == 1
    nb.cells[i].source = source.replace(_CHOICE, "return z_pos")  # only the branch z >= 0
    return nb


WRONG_PART_LOSES = "test_preactivation_update"

WRONG_SOLUTIONS = {
    "a: beta and gamma swapped in the matrix": ([(_M, "M = gamma * (W_next.T @ W_next) + beta * np.eye(n_units)")],
                                                "test_activation_update"),
    "a: W W^T for W^T W (fails on shapes unless square)": (
        [(_M, "M = beta * (W_next @ W_next.T) + gamma * np.eye(W_next.shape[0])")], "test_activation_update"),
    "a: the inverse applied from the wrong side, R M^-1": (
        [("return np.linalg.solve(M, R)", "return R @ np.linalg.inv(M)")], "test_activation_update"),
    "a: beta forgotten": ([(_M, "M = W_next.T @ W_next + gamma * np.eye(n_units)"),
                           (_R, "R = W_next.T @ z_next + gamma * relu(z)")], "test_activation_update"),
    "a: gamma forgotten": ([(_M, "M = beta * (W_next.T @ W_next) + np.eye(n_units)"),
                            (_R, "R = beta * (W_next.T @ z_next) + relu(z)")], "test_activation_update"),
    "a: z for h(z)": ([(_R, "R = beta * (W_next.T @ z_next) + gamma * z")], "test_activation_update"),
    "z: only the branch z >= 0": ([(_CHOICE, "return z_pos")], "test_preactivation_update"),
    "z: W a_prev clipped at 0": ([("m = W @ a_prev", "m = np.maximum(W @ a_prev, 0.0)")],
                                 "test_preactivation_update"),
    "z: branch chosen by the sign of gamma a + beta m": (
        [(_CHOICE, "return np.where(gamma * a + beta * m > 0, z_pos, z_neg)")], "test_preactivation_update"),
    "z: z_- = 0 instead of min(m, 0)": ([("z_neg = np.minimum(m, 0.0)", "z_neg = np.zeros_like(m)")],
                                        "test_preactivation_update"),
}

ZERO_BODIES = {"activation_update": "np.zeros((W_next.shape[1], z_next.shape[1]))",
               "preactivation_update": "np.zeros_like(a)"}
