"""Submissions of exercise 09 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.
"""


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def backprop_Y" in nb.cells[k].source][0]
    nb.cells[i].source = nb.cells[i].source.replace("W = W + h * lin.JYT(W)", "W = W + lin.JYT(W)")  # no h
    return nb


WRONG_PART_LOSES = "test_backprop_Y"

ZERO_BODIES = {"forward_theta": "np.zeros((lins[0].JY(np.zeros((1, 1))).shape[0], 1))",
               "backprop_theta": "np.zeros(lins[0].n_params * len(lins))",
               "backprop_Y": "np.zeros_like(W)"}
