"""Submissions of exercise 13 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is the transpose of the masked layer without its mask, (W Y^T, W 1) instead of
((M * W) Y^T, (M * W) 1): only test_masked_jacobian may lose its points (the weight update builds its
own matrix, and the judge of each part uses meganet's layers, never the student's other functions).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). CORRECT_VARIANTS: other
correct ways to write a part (the same kind of replacements), which must keep every point.
tests/test_grading.py grades WRONG_PART only; these were graded outside the test suite, by running
the notebook in one process with `answer` calling the judge's questions directly, with and without
the visible checks, for five students' seeds: each wrong solution loses exactly its part on every
seed, and each correct variant keeps all 8 points.
"""

_PHT = "return np.where(X > tau, X, 0.0)"
_MASK = "return A > tau"
_PRE = "A = K @ Y + b[:, None]                         # the pre-activation, one column per example"
_LAYER = "return M * (K @ Y + b[:, None])"
_J = "return M * (dK @ Y + db[:, None])"
_G = "G = M * W                                      # the mask moves onto W"
_JT = "return G @ Y.T, G.sum(axis=1)"
_BLOCK = "A = np.vstack([np.kron(Y_hat[:, j], W_K * M[:, j]) for j in range(n)])   # y_hat_j^T kron W_K diag(m_j)"
_SOLVE = "p = np.linalg.lstsq(B, np.concatenate([vec(C - w_0[:, None]), np.zeros(n_p)]), rcond=None)[0]"
_P = "P = mat(p, (m, d + 1))                         # [K b], vec by columns"


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def masked_jacobian_transpose(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_G) == 1
    nb.cells[i].source = source.replace(_G, "G = W")  # the transpose without the mask
    return nb


WRONG_PART_LOSES = "test_masked_jacobian"

WRONG_SOLUTIONS = {
    "support: >= instead of > (ties at tau count as on)": ([(_PHT, "return np.where(X >= tau, X, 0.0)"),
                                                            (_MASK, "return A >= tau")], "test_support"),
    "support: the mask of >= only (PHT right)": ([(_MASK, "return A >= tau")], "test_support"),
    "support: PHT with >= only (the mask right)": ([(_PHT, "return np.where(X >= tau, X, 0.0)")], "test_support"),
    "support: the mask of K Y, bias forgotten": ([(_PRE, "A = K @ Y")], "test_support"),
    "support: |x| > tau (hard, not positive, thresholding)": ([(_PHT, "return np.where(np.abs(X) > tau, X, 0.0)"),
                                                               (_MASK, "return np.abs(A) > tau")], "test_support"),
    "support: soft threshold max(x - tau, 0)": ([(_PHT, "return np.maximum(X - tau, 0.0)")], "test_support"),
    "support: ReLU's mask A > 0 whatever tau": ([(_MASK, "return A > 0")], "test_support"),
    "support: the values PHT(A) returned for the mask": ([(_MASK, "return np.where(A > tau, A, 0.0)")],
                                                         "test_support"),
    "layer: the mask before the bias, M * (K Y) + b 1^T": ([(_LAYER, "return M * (K @ Y) + b[:, None]")],
                                                           "test_masked_jacobian"),
    "J: the mask before the bias, M * (dK Y) + db 1^T": ([(_J, "return M * (dK @ Y) + db[:, None]")],
                                                         "test_masked_jacobian"),
    "J: without the mask": ([(_J, "return dK @ Y + db[:, None]")], "test_masked_jacobian"),
    "J^T: without the mask": ([(_G, "G = W")], "test_masked_jacobian"),
    "J^T: the mask missing in db only": ([(_JT, "return G @ Y.T, W.sum(axis=1)")], "test_masked_jacobian"),
    "J^T: db summed over the units (axis 0)": ([(_JT, "return G @ Y.T, G.sum(axis=0)")], "test_masked_jacobian"),
    "weights: the matrix without the mask (a linear network's)": ([(_BLOCK, _BLOCK.replace("W_K * M[:, j]", "W_K"))],
                                                                  "test_weight_update"),
    "weights: normal equations that drop the mask": (
        [(_BLOCK, _BLOCK.replace("W_K * M[:, j]", "W_K")),
         (_SOLVE, "p = np.linalg.solve(A.T @ A + alpha * np.eye(n_p), A.T @ vec(C - w_0[:, None]))")],
        "test_weight_update"),
    "weights: the classifier's bias w_0 ignored": ([(_SOLVE, _SOLVE.replace("vec(C - w_0[:, None])", "vec(C)"))],
                                                   "test_weight_update"),
    "weights: the bias outside the mask": (
        [(_BLOCK, "A = np.vstack([np.hstack([np.kron(Y[:, j], W_K * M[:, j]), W_K]) for j in range(n)])")],
        "test_weight_update"),
    "weights: alpha for sqrt(alpha) in the stacked matrix": (
        [("B = np.vstack([A, np.sqrt(alpha) * np.eye(n_p)])", "B = np.vstack([A, alpha * np.eye(n_p)])")],
        "test_weight_update"),
    "weights: Kronecker factors swapped": ([(_BLOCK, _BLOCK.replace("np.kron(Y_hat[:, j], W_K * M[:, j])",
                                                                   "np.kron(W_K * M[:, j], Y_hat[:, j])"))],
                                           "test_weight_update"),
    "weights: p reshaped by rows (row-major vec)": ([(_P, "P = p.reshape(m, d + 1)")], "test_weight_update"),
}

CORRECT_VARIANTS = {
    "support: X * (X > tau) and a 0/1 float mask": [(_PHT, "return X * (X > tau)"),
                                                    (_MASK, "return (A > tau).astype(float)")],
    "support: the pre-activation summed in another order (einsum, bias first)": [
        (_PRE, "A = b[:, None] + np.einsum('ik,kj->ij', K, Y)")],
    "J^T by einsum": [(_JT, "return np.einsum('ij,kj->ik', G, Y), np.einsum('ij->i', G)")],
    "weights: normal equations with the mask": [
        (_SOLVE, "p = np.linalg.solve(A.T @ A + alpha * np.eye(n_p), A.T @ vec(C - w_0[:, None]))")],
    "weights: the matrix from part 2's Jacobian on unit vectors": [
        (_BLOCK, "A = np.column_stack([vec(W_K @ masked_jacobian(Y, M, mat(e[:m * d], (m, d)), e[m * d:])) "
                 "for e in np.eye(m * (d + 1))])")],
}

ZERO_BODIES = {"positive_hard_threshold": "np.zeros_like(X)",
               "support_mask": "np.zeros((K.shape[0], Y.shape[1]))",
               "masked_layer": "np.zeros_like(M)",
               "masked_jacobian": "np.zeros_like(M)",
               "masked_jacobian_transpose": "(np.zeros((M.shape[0], Y.shape[0])), np.zeros(M.shape[0]))",
               "weight_update": "(np.zeros((M.shape[0], Y.shape[0])), np.zeros(M.shape[0]))"}
