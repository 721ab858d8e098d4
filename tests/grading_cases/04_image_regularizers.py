"""Submissions of exercise 04 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the matrix-free adjoint with its sign flipped (the backward difference without
its minus): G x is still right, only the adjoint test fails, and only test_gradient_pair may lose
its points (the matrix and the Laplacian are built on their own, and the judge of each part uses
meganet.regularizers only, never the student's other functions).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""

_ADJOINT = "return vec(-(back1 + back2))"


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def gradient_adjoint(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_ADJOINT) == 1
    nb.cells[i].source = source.replace(_ADJOINT, "return vec(back1 + back2)")  # sign error
    return nb


WRONG_PART_LOSES = "test_gradient_pair"

WRONG_SOLUTIONS = {
    "G: row-major vec (kron factors swapped)": (
        [("D1 = sp.kron(sp.identity(n2), D(n1))", "D1 = sp.kron(D(n1), sp.identity(n2))"),
         ("D2 = sp.kron(D(n2), sp.identity(n1))", "D2 = sp.kron(sp.identity(n1), D(n2))")], "test_gradient_matrix"),
    "G: periodic boundary (n differences per line)": (
        [("return sp.diags([-1.0, 1.0], [0, 1], shape=(n - 1, n))",
          "return sp.diags([-1.0, 1.0, 1.0], [0, 1, 1 - n], shape=(n, n))")], "test_gradient_matrix"),
    "G: the differences along the rows first": (
        [("return sp.vstack([D1, D2]).tocsr()", "return sp.vstack([D2, D1]).tocsr()")], "test_gradient_matrix"),
    "pair: x reshaped row-major": ([("image = mat(x, (n1, n2))", "image = np.reshape(x, (n1, n2))")],
                                   "test_gradient_pair"),
    "pair: adjoint with the sign flipped": ([(_ADJOINT, "return vec(back1 + back2)")], "test_gradient_pair"),
    "pair: adjoint without the border rows (diff without padding)": (
        [("back1 = np.diff(np.pad(W1, ((1, 1), (0, 0))), axis=0)",
          "back1 = np.pad(np.diff(W1, axis=0), ((1, 1), (0, 0)))"),
         ("back2 = np.diff(np.pad(W2, ((0, 0), (1, 1))), axis=1)",
          "back2 = np.pad(np.diff(W2, axis=1), ((0, 0), (1, 1)))")], "test_gradient_pair"),
    "L: centre weight 4 everywhere (Dirichlet)": ([("centre[[0, -1]] = 1.0", "centre[[0, -1]] = 2.0")],
                                                  "test_laplacian"),
    "L: periodic boundary": ([("centre[[0, -1]] = 1.0", "centre[[0, -1]] = 2.0"),
                              ("sp.diags([-np.ones(n - 1), centre, -np.ones(n - 1)], [-1, 0, 1])",
                               "sp.diags([-np.ones(n - 1), centre, -np.ones(n - 1), -np.ones(1), -np.ones(1)], "
                               "[-1, 0, 1, n - 1, 1 - n])")], "test_laplacian"),
    "L: the sign flipped (the 5-point Laplacian, -G^T G)": (
        [("return (sp.kron(sp.identity(n2), T(n1)) + sp.kron(T(n2), sp.identity(n1))).tocsr()",
          "return -(sp.kron(sp.identity(n2), T(n1)) + sp.kron(T(n2), sp.identity(n1))).tocsr()")], "test_laplacian"),
}

ZERO_BODIES = {"gradient_matrix": "sp.csr_matrix(((n1 - 1) * n2 + n1 * (n2 - 1), n1 * n2))",
               "gradient_apply": "np.zeros((n1 - 1) * n2 + n1 * (n2 - 1))",
               "gradient_adjoint": "np.zeros(n1 * n2)",
               "laplacian_matrix": "sp.csr_matrix((n1 * n2, n1 * n2))"}
