"""Submissions of exercise 14 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the gradient without its projection, -2 t / (n r) instead of
-2 (t - (t^T z) z) / (n r): only test_gradient may lose its points (the value and the Hessian
product compute their own directions, and the judge of each part uses meganet's ScaleInvariant,
never the student's other functions).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def gradient(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count("(T_examples - a * Z)") == 1
    nb.cells[i].source = source.replace("(T_examples - a * Z)", "T_examples")  # no projection
    return nb


WRONG_PART_LOSES = "test_gradient"

WRONG_SOLUTIONS = {
    "value without 1/n": ([("return float(np.sum(D * D)) / S.shape[1]", "return float(np.sum(D * D))")],
                          "test_value"),
    "value with ||s||^2 in the direction": ([("return S / np.linalg.norm(S, axis=0)",
                                              "return S / np.linalg.norm(S, axis=0) ** 2")], "test_value"),
    "gradient without the projection (-2t/r)": ([("(T_examples - a * Z)", "T_examples")], "test_gradient"),
    "gradient with the sign flipped": ([("return -(2.0 / (n * r)) * (T_examples - a * Z)",
                                         "return (2.0 / (n * r)) * (T_examples - a * Z)")], "test_gradient"),
    "gradient with ||s||^2 instead of ||s||": ([("-(2.0 / (n * r)) *", "-(2.0 / (n * r ** 2)) *")],
                                               "test_gradient"),
    "gradient without 1/n": ([("-(2.0 / (n * r)) *", "-(2.0 / r) *")], "test_gradient"),
    "Hessian with -a z (z^T ds) for -3a z (z^T ds)": ([("- 3.0 * a * z_ds * Z", "- a * z_ds * Z")],
                                                      "test_hessian"),
    "Hessian with 2 t (z^T ds) for t (z^T ds) + z (t^T ds)": ([("T_examples * z_ds + Z * t_ds",
                                                               "2.0 * T_examples * z_ds")], "test_hessian"),
    "Hessian with 2/r for 2/r^2": ([("(2.0 / (n * r ** 2)) * B", "(2.0 / (n * r)) * B")], "test_hessian"),
}

ZERO_BODIES = {"unit_columns": "np.zeros_like(S)",
               "scale_invariant_cost": "0.0",
               "gradient": "np.zeros_like(S)",
               "hessian_product": "np.zeros_like(dS)"}
