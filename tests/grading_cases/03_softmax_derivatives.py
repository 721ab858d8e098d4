"""Submissions of exercise 03 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the gradient in W without its 1/n (P - C instead of (P - C)/n): only
test_gradient_W may lose its points. test_hessian_W's checks take the gradient in W from
meganet, never from value_and_gradient_W, and hessian_product_W does not call it.
"""


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def value_and_gradient_W" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count("gradient(scores, C) @ Y.T") == 1
    nb.cells[i].source = source.replace("gradient(scores, C) @ Y.T", "(softmax(scores) - C) @ Y.T")  # no 1/n
    return nb


WRONG_PART_LOSES = "test_gradient_W"

ZERO_BODIES = {"softmax": "np.zeros_like(S)",
               "softmax_cross_entropy": "0.0",
               "gradient": "np.zeros_like(S)",
               "hessian_product": "np.zeros_like(dS)",
               "value_and_gradient_W": "(0.0, np.zeros_like(W))",
               "hessian_product_W": "np.zeros_like(dW)"}
