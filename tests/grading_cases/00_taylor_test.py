"""Submissions of exercise 00 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the Taylor table without the h in h J v: only test_taylor_errors may lose its
points (vec/mat are judged alone, and the orders are judged on the judge's own tables).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def taylor_errors(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count("step - hk * Jv") == 1
    nb.cells[i].source = source.replace("step - hk * Jv", "step - Jv")  # forgets the h in h J v
    return nb


WRONG_PART_LOSES = "test_taylor_errors"

WRONG_SOLUTIONS = {
    "row-major vec (order C)": ([('return np.asarray(X).reshape(-1, order="F")', "return np.asarray(X).reshape(-1)")],
                                "test_vec_mat"),
    "row-major mat (order C)": ([('return np.asarray(x).reshape(shape, order="F")',
                                  "return np.asarray(x).reshape(shape)")], "test_vec_mat"),
    "E1 without the h in h J v": ([("step - hk * Jv", "step - Jv")], "test_taylor_errors"),
    "steps h0 / k instead of h0 2^-k": ([("h = h0 * 0.5 ** np.arange(n_steps)", "h = h0 / np.arange(1, n_steps + 1)")],
                                        "test_taylor_errors"),
    "v normalised": ([("f0, Jv = np.asarray(f(x), dtype=float)",
                       "v = v / np.linalg.norm(v)\n    f0, Jv = np.asarray(f(x), dtype=float)")], "test_taylor_errors"),
    "E1 with the squared norm": ([("E1[k] = np.linalg.norm(step - hk * Jv)", "E1[k] = np.linalg.norm(step - hk * Jv) ** 2")],
                                 "test_taylor_errors"),
    "orders from E(h_k+1) / E(h_k) (sign flipped)": ([("np.log2(E[:-1] / E[1:])", "np.log2(E[1:] / E[:-1])")],
                                                     "test_observed_orders"),
    "orders with the natural log": ([("np.log2(E[:-1] / E[1:])", "np.log(E[:-1] / E[1:])")], "test_observed_orders"),
    "orders with log10": ([("np.log2(E[:-1] / E[1:])", "np.log10(E[:-1] / E[1:])")], "test_observed_orders"),
}

ZERO_BODIES = {"vec": "np.zeros(np.size(X))",
               "mat": "np.zeros(shape)",
               "taylor_errors": "(np.zeros(n_steps), np.zeros(n_steps), np.zeros(n_steps))",
               "observed_orders": "np.zeros(len(E) - 1)"}
