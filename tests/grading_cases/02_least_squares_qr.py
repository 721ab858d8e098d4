"""Submissions of exercise 02 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.
"""


def WRONG_PART(nb, solution_cells):
    """lstsq_qr by the normal equations: right on the visible (well-conditioned) check, its error
    grows like kappa^2 on the judge's ill-conditioned problems. The Tikhonov check runs with
    numpy in place of lstsq_qr, so that part keeps its points."""
    i = [k for k in solution_cells if "def lstsq_qr" in nb.cells[k].source][0]
    qr = ('    Q, R = np.linalg.qr(A, mode="reduced")\n'
          '    return solve_triangular(R, Q.T @ b, lower=False)\n')
    assert qr in nb.cells[i].source
    nb.cells[i].source = nb.cells[i].source.replace(qr, "    return np.linalg.solve(A.T @ A, A.T @ b)\n")
    return nb


WRONG_PART_LOSES = "test_lstsq_qr"

ZERO_BODIES = {"lstsq_qr": "np.zeros((np.shape(A)[1],) + np.shape(b)[1:])",
               "tikhonov_qr": "np.zeros((np.shape(A)[1],) + np.shape(b)[1:])"}
