"""Submissions of exercise 06 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.
"""


def WRONG_PART(nb, solution_cells):
    # the stencil gradient centred at s // 2 instead of (s - 1) // 2: wrong for even stencils only;
    # no other part calls J_theta_rmatvec
    i = [k for k in solution_cells if "def J_theta_rmatvec" in nb.cells[k].source][0]
    source = nb.cells[i].source
    wrong = source.replace("return r[(np.arange(s) - (s - 1) // 2) % y.size]", "return r[(np.arange(s) - s // 2) % y.size]")
    assert wrong != source
    nb.cells[i].source = wrong
    return nb


WRONG_PART_LOSES = "test_J_theta_rmatvec"

ZERO_BODIES = {"conv_matrix": "np.zeros((n, n))",
               "eigenvalues": "np.zeros(n, dtype=complex)",
               "apply_K": "np.zeros(np.size(y))",
               "apply_KT": "np.zeros(np.size(z))",
               "J_theta_matvec": "np.zeros(np.size(y))",
               "J_theta_rmatvec": "np.zeros(s)"}
