"""Judge of exercise 04 (the image gradient and Laplacian): runs in the judge's clean process.

Each question names an image size (n1, n2) in its header, drawn from the student's seed: fixed
corners (2 x 2, 2 x n, n x 2, square and not) and random sizes up to 15 x 15 (n1 != n2). The
gradient matrix and the Laplacian come back dense; the matrix-free pair answers G x, G^T w and G c
for a random image x, a random w and a constant image c sent from here.

The answers are judged here with meganet.regularizers (gradient_2d, laplacian_2d: forward
differences inside the image, Neumann boundary, vec by columns, L = G^T G) only: the matrices by
their shape, the property G 1 = 0 (L 1 = 0 and symmetry for L) and entry by entry against the
reference (entries are 0, +-1, 2, 3, 4: absolute 1e-12); the pair by the adjoint test
<w, G x> = <G^T w, x> on the student's own two answers (relative 1e-10), G c = 0 and against the
reference products (relative 1e-10).
"""
import numpy as np

from meganet.grading.judge import Question, answer_array, first_failure
from meganet.regularizers import gradient_2d, laplacian_2d

ATOL = 1e-12   # matrices with small integer entries
RTOL = 1e-10   # products and the adjoint test
SIZES = [(2, 2), (2, 5), (6, 2), (3, 3), (4, 7), (7, 4), (6, 6)]


def _sizes(rng):
    """The fixed corners, then two random sizes with n1 != n2."""
    sizes = list(SIZES)
    while len(sizes) < len(SIZES) + 2:
        n1, n2 = (int(n) for n in rng.integers(2, 16, size=2))
        if n1 != n2:
            sizes.append((n1, n2))
    return sizes


def _header(n1, n2):
    return {"n1": int(n1), "n2": int(n2)}


def _n_differences(n1, n2):
    return (n1 - 1) * n2 + n1 * (n2 - 1)


# --- part 1: the gradient matrix ------------------------------------------------------------------
def _matrix_question(n1, n2):
    G_ref = gradient_2d((n1, n2)).toarray()

    def judge(answer):
        if np.shape(answer["G"]) != G_ref.shape:
            return False, (f"G has shape {np.shape(answer['G'])} for a {n1} x {n2} image, expected {G_ref.shape} "
                           f"((n1-1) n2 + n1 (n2-1) differences inside the image, n1 n2 pixels)")
        G = answer_array(answer, "G", G_ref.shape)
        constant = float(np.max(np.abs(G @ np.ones(n1 * n2))))
        error = float(np.max(np.abs(G - G_ref)))
        return first_failure((constant <= ATOL, f"G 1 has an entry {constant:.2g}: a constant image must have zero gradient"),
                         (error <= ATOL, f"G differs from the gradient (forward differences inside the image, "
                                         f"vec by columns, the differences down the columns first) for a "
                                         f"{n1} x {n2} image: largest entry error {error:.2g}"))

    return Question(_header(n1, n2), {}, judge)


# --- part 2: the gradient and its adjoint without a matrix ------------------------------------------
def _pair_question(rng, n1, n2):
    G_ref = gradient_2d((n1, n2))
    m, n = _n_differences(n1, n2), n1 * n2
    x = rng.standard_normal(n) * 10.0 ** rng.uniform(-2, 2)
    w = rng.standard_normal(m) * 10.0 ** rng.uniform(-2, 2)
    c = np.full(n, float(rng.uniform(-5, 5)))
    Gx_ref, GTw_ref = G_ref @ x, G_ref.T @ w

    def judge(answer):
        Gx, GTw, Gc = answer_array(answer, "Gx", (m,)), answer_array(answer, "GTw", (n,)), answer_array(answer, "Gc", (m,))
        lhs, rhs = float(w @ Gx), float(GTw @ x)
        scale = np.linalg.norm(w) * np.linalg.norm(Gx) + np.linalg.norm(GTw) * np.linalg.norm(x)
        error_x = np.linalg.norm(Gx - Gx_ref) / np.linalg.norm(Gx_ref)
        error_w = np.linalg.norm(GTw - GTw_ref) / np.linalg.norm(GTw_ref)
        return first_failure(
            (abs(lhs - rhs) <= RTOL * scale,
             f"adjoint test failed for a {n1} x {n2} image: <w, G x> = {lhs:.6e}, <G^T w, x> = {rhs:.6e}"),
            (np.linalg.norm(Gc) <= RTOL * np.linalg.norm(c), "G applied to a constant image is not 0"),
            (error_x <= RTOL, f"G x differs from the gradient by {error_x:.1e} (relative) for a {n1} x {n2} image"),
            (error_w <= RTOL, f"G^T w differs from the transpose of the gradient by {error_w:.1e} (relative) "
                              f"for a {n1} x {n2} image"))

    return Question(_header(n1, n2), {"x": x, "w": w, "c": c}, judge)


# --- part 3: the Laplacian -----------------------------------------------------------------------
def _laplacian_question(n1, n2):
    L_ref = laplacian_2d((n1, n2)).toarray()

    def judge(answer):
        if np.shape(answer["L"]) != L_ref.shape:
            return False, f"L has shape {np.shape(answer['L'])} for a {n1} x {n2} image, expected {L_ref.shape}"
        L = answer_array(answer, "L", L_ref.shape)
        asymmetry = float(np.max(np.abs(L - L.T)))
        constant = float(np.max(np.abs(L @ np.ones(n1 * n2))))
        error = float(np.max(np.abs(L - L_ref)))
        return first_failure((asymmetry <= ATOL, f"L is not symmetric (largest |L - L^T| = {asymmetry:.2g})"),
                         (constant <= ATOL, f"L 1 has an entry {constant:.2g}: L = G^T G must vanish on constants"),
                         (error <= ATOL, f"L differs from G^T G (the negative 5-point Laplacian, Neumann "
                                         f"boundary) for a {n1} x {n2} image: largest entry error {error:.2g}"))

    return Question(_header(n1, n2), {}, judge)


def questions(rng):
    return {"test_gradient_matrix": [_matrix_question(*size) for size in _sizes(rng)],
            "test_gradient_pair": [_pair_question(rng, *size) for size in _sizes(rng)],
            "test_laplacian": [_laplacian_question(*size) for size in _sizes(rng)]}
