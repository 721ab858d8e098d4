"""Judge of exercise 08 (a single layer and its VarPro gradient): runs in the judge's clean process.

Each question is a random problem drawn from the student's seed (sizes n_f, m, n_classes, n and
alpha from CASES: one feature and one neuron, more neurons than examples, n = m, one example;
one-hot labels or real-valued targets) sent as arrays; the kernel answers with the one
function the part grades, on these inputs only (solve_W gets meganet's features Z, not the
student's layer). Answers are judged here with meganet's SingleLayer and VarProObjective:
against their values (relative 1e-10, 1e-9 where a linear solve is involved), by the Taylor
test (an explicit direction) for J v and the VarPro gradient, by the adjoint test against
meganet's J for J^T w, by the optimality condition grad_W J = 0 for W, and step by step for
the three steepest-descent iterates.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.data import one_hot
from meganet.grading.judge import Question
from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.linalg import vec
from meganet.losses import LeastSquares
from meganet.objectives import SingleLayerObjective
from meganet.optim import VarProObjective

# (n_f, m, n_classes, n, alpha): the old hidden tests' sizes, then n = m and a single example
CASES = [(2, 8, 3, 50, 1e-2), (6, 4, 5, 17, 0.3), (4, 10, 3, 8, 5e-2), (1, 1, 2, 25, 1e-1),
         (5, 7, 4, 40, 2e-3), (3, 6, 2, 6, 1e-2), (2, 3, 2, 1, 0.1)]
RTOL_EXACT = 1e-10    # products with the layer's Jacobian: a few roundings per entry
RTOL_SOLVE = 1e-9     # W and the gradients through a linear solve (condition number <= ~1e4 here)
STEP, N_STEPS = 2.0, 3  # the check cell's steepest descent


def layer_of(m, n_f):
    return SingleLayer(dense_kernel(m, n_f), "tanh")


def _check_shape(array, shape, name):
    array = np.asarray(array, dtype=float)
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    return array


def _close(answer, reference, name, rtol):
    try:
        answer = _check_shape(answer, reference.shape, name)
    except ValueError as shape:
        return False, str(shape)
    error = np.linalg.norm(answer - reference) / max(np.linalg.norm(reference), 1e-300)
    return bool(error <= rtol), f"{name} differs from the reference by {error:.1e} (relative)"


def _problem(rng, n_f, m, n_classes, n, real_targets):
    K = rng.standard_normal((m, n_f)) / np.sqrt(n_f)
    b = rng.standard_normal(m)
    Y = rng.standard_normal((n_f, n))
    C = rng.standard_normal((n_classes, n)) if real_targets else one_hot(rng.integers(n_classes, size=n), n_classes)
    return K, b, Y, C


def _reduced(m, n_f, Y, C, alpha):
    full = SingleLayerObjective(layer_of(m, n_f), LeastSquares(), Y, C, alpha_p=0.0, alpha_W=alpha)
    return full, VarProObjective(full)


def questions(rng):
    parts = {name: [] for name in ("test_layer", "test_J_matvec", "test_J_rmatvec", "test_solve_W",
                                   "test_varpro_gradient", "test_varpro_steps")}
    for k, (n_f, m, n_classes, n, alpha) in enumerate(CASES):
        alpha = float(alpha * 10 ** rng.uniform(-0.3, 0.3))
        K, b, Y, C = _problem(rng, n_f, m, n_classes, n, real_targets=bool(k % 2))
        p = np.concatenate([vec(K), b])
        reference = layer_of(m, n_f)
        Z, lin = reference.linearize(p, Y)
        header = {"n_f": n_f, "m": m, "n_classes": n_classes, "n": n, "alpha": alpha}

        def judge_layer(answer, Z=Z):
            return _close(answer["Z"], Z, "Z", RTOL_EXACT)

        dK, db = rng.standard_normal((m, n_f)), rng.standard_normal(m)
        v = np.concatenate([vec(dK), db])

        def judge_J_matvec(answer, reference=reference, p=p, Y=Y, v=v, lin=lin):
            Jv = np.asarray(answer["Jv"], dtype=float)
            ok = _close(Jv, lin.J_theta.matvec(v), "J v", RTOL_EXACT)
            if not ok[0]:
                return ok
            scale = np.linalg.norm(v)
            taylor = check_derivative(lambda q: (vec(reference.forward(q, Y)), lambda d: Jv / scale), p, v=v / scale)
            return taylor.passed, f"Taylor test: {taylor.message}"

        W = rng.standard_normal((m, n))
        u = rng.standard_normal(p.size)

        def judge_J_rmatvec(answer, W=W, u=u, lin=lin, m=m, n_f=n_f):
            try:
                g = np.concatenate([vec(_check_shape(answer["dK"], (m, n_f), "dK")),
                                    _check_shape(answer["db"], (m,), "db")])
            except ValueError as shape:
                return False, str(shape)
            ok = _close(g, lin.J_theta.rmatvec(vec(W)), "J^T vec(W)", RTOL_EXACT)
            if not ok[0]:
                return ok
            lhs, rhs = float(vec(W) @ lin.J_theta.matvec(u)), float(g @ u)
            scale = np.linalg.norm(W) * np.linalg.norm(lin.J_theta.matvec(u)) + np.linalg.norm(g) * np.linalg.norm(u)
            return bool(abs(lhs - rhs) <= 1e-10 * scale), f"adjoint test: <w, J u> = {lhs:.6e}, <J^T w, u> = {rhs:.6e}"

        full, reduced = _reduced(m, n_f, Y, C, alpha)
        W_reference = reduced.solve_W(p)

        def judge_solve_W(answer, full=full, p=p, Z=Z, C=C, alpha=alpha, W_reference=W_reference):
            W = np.asarray(answer["W"], dtype=float)
            ok = _close(W, W_reference, "W", RTOL_SOLVE)
            if not ok[0]:
                return ok
            Z1 = np.vstack([Z, np.ones((1, Z.shape[1]))])
            grad_W = full.linearize(p, W)[2]
            scale = np.linalg.norm(C @ Z1.T) / Z.shape[1] + alpha * np.linalg.norm(W_reference)
            return (bool(np.linalg.norm(grad_W) <= 1e-10 * scale),
                    f"||grad_W J|| = {np.linalg.norm(grad_W):.1e} at your W (scale {scale:.1e}): not the minimiser")

        direction = rng.standard_normal(p.size)
        direction /= np.linalg.norm(direction)

        def judge_gradient(answer, reduced=reduced, p=p, direction=direction):
            g = np.asarray(answer["g"], dtype=float)
            ok = _close(g, reduced.derivatives(p)[1], "the gradient of J_red", RTOL_SOLVE)
            if not ok[0]:
                return ok
            taylor = check_derivative(lambda q: (reduced(q), g), p, v=direction)
            return taylor.passed, f"Taylor test of J_red: {taylor.message}"

        def judge_steps(answer, reduced=reduced, p=p):
            P = np.asarray(answer["P"], dtype=float)
            if P.shape != (p.size, N_STEPS + 1):
                return False, f"the iterates have shape {P.shape}, expected {(p.size, N_STEPS + 1)}"
            if not np.array_equal(P[:, 0], p):
                return False, "the first iterate is not the starting point"
            for j in range(N_STEPS):
                step = STEP * reduced.derivatives(P[:, j])[1]
                error = np.linalg.norm(P[:, j + 1] - (P[:, j] - step))
                tolerance = RTOL_SOLVE * np.linalg.norm(step) + 1e-13 * np.linalg.norm(P[:, j])
                if not error <= tolerance:
                    return False, (f"step {j + 1}: p_{j + 1} - (p_{j} - t grad J_red(p_{j})) has norm {error:.1e} "
                                   f"(the step has norm {np.linalg.norm(step):.1e})")
            return True, "correct"

        parts["test_layer"].append(Question(header, {"K": K, "b": b, "Y": Y}, judge_layer))
        parts["test_J_matvec"].append(Question(header, {"K": K, "b": b, "Y": Y, "dK": dK, "db": db}, judge_J_matvec))
        parts["test_J_rmatvec"].append(Question(header, {"K": K, "b": b, "Y": Y, "W": W}, judge_J_rmatvec))
        parts["test_solve_W"].append(Question(header, {"Z": Z, "C": C}, judge_solve_W))
        parts["test_varpro_gradient"].append(Question(header, {"K": K, "b": b, "Y": Y, "C": C}, judge_gradient))
        parts["test_varpro_steps"].append(Question({**header, "step": STEP, "n_steps": N_STEPS},
                                                   {"K": K, "b": b, "Y": Y, "C": C}, judge_steps))
    return parts

