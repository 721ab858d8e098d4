"""Submissions of exercise 08 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.
The wrong part is J_matvec, which no other part's code calls (the check of J_rmatvec uses
meganet's J; varpro_gradient uses layer, solve_W and J_rmatvec, so a bug in one of these
would also cost the VarPro parts).
"""


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def J_matvec" in nb.cells[k].source][0]
    old = "vec(dsigma * (dK @ Y + db[:, None]))"
    assert old in nb.cells[i].source
    nb.cells[i].source = nb.cells[i].source.replace(old, "vec(dsigma * (dK @ Y) + db[:, None])")  # no sigma' on db
    return nb


WRONG_PART_LOSES = "test_J_matvec"

ZERO_BODIES = {"layer": "np.zeros((K.shape[0], Y.shape[1]))",
               "J_matvec": "np.zeros(K.shape[0] * Y.shape[1])",
               "J_rmatvec": "(np.zeros_like(K), np.zeros_like(b))",
               "solve_W": "np.zeros((C.shape[0], Z.shape[0] + 1))",
               "varpro_gradient": "np.zeros(K.size + b.size)"}
