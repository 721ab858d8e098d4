"""Judge of exercise 07 (the Jacobian of a single layer in its inputs): runs in the judge's clean process.

Each question sends a random dense layer Z = sigma(K Y + b 1^T) drawn from the student's seed (K, b, the
inputs Y and the activation's name in the header: tanh or sigmoid; 1 to 8 inputs and neurons, 1 to 12
examples, weights of size 0.1 to 3, so that sigma' ranges from about its peak to nearly 0) and the
direction the part asks about; then the fixed corners: square K (where sigma'(Y) and K^T have the right
shapes), one feature, one neuron, one example, small and large weights. The answers are judged here
with meganet's SingleLayer (dense kernel) only, never with another of the student's functions:

  J_Y V       against lin.JY(V) (relative 1e-10 above a round-off floor of 1e-12 ||K|| ||V||), and the
              Taylor test of meganet's forward map Y -> vec(Z) with it along V;
  J_Y^T W     against lin.JYT(W), the adjoint test against meganet's J_Y (a direction U of the judge's),
              and the Taylor test of <W, Z(Y)> with it as the gradient;
  operator    its shape (m n, n_in n), J v and J^T w against meganet's J_Y operator (vec by columns),
              the adjoint test of the student's pair <w, J v> = <J^T w, v>, and the Taylor test of the
              forward map along v.
"""
import numpy as np

from meganet.checks import check_derivative
from meganet.grading.judge import Question, answer_array, first_failure
from meganet.kernels import dense_kernel
from meganet.layers import SingleLayer
from meganet.linalg import mat, vec

RTOL = 1e-10     # relative to the reference: a few roundings per entry
FLOOR = 1e-12    # times ||K|| ||direction||: the round-off of sigma'(A) where the layer saturates
ACTIVATIONS = ("tanh", "sigmoid")


def _layer(rng, n_in, m, n, sigma, scale):
    """(SingleLayer, p = [vec(K); b], K, b, Y, its linearisation) of a random dense layer."""
    K = scale * rng.standard_normal((m, n_in)) / np.sqrt(n_in)
    b = rng.standard_normal(m)
    Y = rng.standard_normal((n_in, n))
    reference = SingleLayer(dense_kernel(m, n_in), sigma)
    p = np.concatenate([vec(K), b])
    return reference, p, K, b, Y, reference.linearize(p, Y)[1]


def _close(value, reference, name, floor):
    error = float(np.linalg.norm(value - reference))
    tolerance = RTOL * float(np.linalg.norm(reference)) + floor
    return error <= tolerance, f"{name} differs from meganet's by {error:.1e} (allowed {tolerance:.1e})"


def _taylor_forward(reference, p, Y, V, JV, label):
    """Taylor test of Y -> vec(Z) (meganet's forward map) with the product JV = J_Y V, along V / ||V||."""
    size = float(np.linalg.norm(V))
    taylor = check_derivative(lambda y: (vec(reference.forward(p, mat(y, Y.shape))), lambda _: vec(JV) / size),
                              vec(Y), v=vec(V) / size)
    return taylor.passed, f"Taylor test of meganet's layer with your {label}: {taylor.message}"


def _adjoint(W, JU, JTW, U, label):
    """<W, J U> = <J^T W, U> to 1e-10 relative to the sizes of both sides."""
    lhs, rhs = float(np.sum(W * JU)), float(np.sum(JTW * U))
    scale = np.linalg.norm(W) * np.linalg.norm(JU) + np.linalg.norm(JTW) * np.linalg.norm(U)
    return (abs(lhs - rhs) <= RTOL * scale + 1e-300,
            f"adjoint test ({label}): <w, J v> = {lhs:.6e}, <J^T w, v> = {rhs:.6e}")


def _header(K, Y, sigma):
    return {"n_in": int(Y.shape[0]), "m": int(K.shape[0]), "n": int(Y.shape[1]), "sigma": sigma}


# --- part 1: J_Y V ------------------------------------------------------------------------------------
def _matvec_question(rng, n_in, m, n, sigma, scale):
    reference, p, K, b, Y, lin = _layer(rng, n_in, m, n, sigma, scale)
    V = rng.standard_normal(Y.shape)
    floor = FLOOR * np.linalg.norm(K) * np.linalg.norm(V)

    def judge(answer):
        JV = answer_array(answer, "JV", (m, n))
        return first_failure(_close(JV, lin.JY(V), "J_Y V", floor),
                         lambda: _taylor_forward(reference, p, Y, V, JV, "J_Y V"))

    return Question(_header(K, Y, sigma), {"K": K, "b": b, "Y": Y, "V": V}, judge)


# --- part 2: J_Y^T W ----------------------------------------------------------------------------------
def _rmatvec_question(rng, n_in, m, n, sigma, scale):
    reference, p, K, b, Y, lin = _layer(rng, n_in, m, n, sigma, scale)
    W, U = rng.standard_normal((m, n)), rng.standard_normal(Y.shape)
    floor = FLOOR * np.linalg.norm(K) * np.linalg.norm(W)

    def judge(answer):
        JTW = answer_array(answer, "JTW", (n_in, n))

        def taylor():
            result = check_derivative(lambda y: (float(np.sum(W * reference.forward(p, mat(y, Y.shape)))), vec(JTW)),
                                       vec(Y))
            return result.passed, f"Taylor test of <W, Z(Y)> (meganet's layer) with your J_Y^T W: {result.message}"

        return first_failure(_close(JTW, lin.JYT(W), "J_Y^T W", floor),
                         _adjoint(W, lin.JY(U), JTW, U, "meganet's J_Y, your J_Y^T"),
                         taylor)

    return Question(_header(K, Y, sigma), {"K": K, "b": b, "Y": Y, "W": W}, judge)


# --- part 3: the operator on vectors -----------------------------------------------------------------
def _operator_question(rng, n_in, m, n, sigma, scale):
    reference, p, K, b, Y, lin = _layer(rng, n_in, m, n, sigma, scale)
    v, w = rng.standard_normal(n_in * n), rng.standard_normal(m * n)

    def judge(answer):
        shape = tuple(int(s) for s in answer_array(answer, "shape", (2,)))
        if shape != (m * n, n_in * n):
            return False, f"the operator has shape {shape}, expected (m n, n_in n) = {(m * n, n_in * n)}"
        Jv, JTw = answer_array(answer, "Jv", (m * n,)), answer_array(answer, "JTw", (n_in * n,))
        return first_failure(_close(Jv, lin.J_Y.matvec(v), "J v (vec by columns)",
                                FLOOR * np.linalg.norm(K) * np.linalg.norm(v)),
                         _close(JTw, lin.J_Y.rmatvec(w), "J^T w (vec by columns)",
                                FLOOR * np.linalg.norm(K) * np.linalg.norm(w)),
                         _adjoint(w, Jv, JTw, v, "your matvec and rmatvec"),
                         lambda: _taylor_forward(reference, p, Y, mat(v, Y.shape), mat(Jv, (m, n)), "operator"))

    return Question(_header(K, Y, sigma), {"K": K, "b": b, "Y": Y, "v": v, "w": w}, judge)


def _cases(rng, count):
    """(n_in, m, n, sigma, scale) drawn at random, then the fixed corners."""
    cases = [(int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 13)), ACTIVATIONS[k % 2],
              float(10.0 ** rng.uniform(-1, 0.5))) for k in range(count)]
    cases += [(4, 4, 6, "tanh", 1.0), (5, 5, 3, "sigmoid", 2.0),      # square K
              (1, 3, 5, "tanh", 1.0), (3, 1, 4, "sigmoid", 1.0),      # one feature, one neuron
              (6, 2, 1, "tanh", 3.0), (2, 7, 9, "sigmoid", 0.1),      # one example; small weights
              (3, 3, 8, "sigmoid", 3.0), (6, 4, 5, "tanh", 0.1)]
    return cases


def questions(rng):
    return {"test_JY_matvec": [_matvec_question(rng, *case) for case in _cases(rng, 6)],
            "test_JY_rmatvec": [_rmatvec_question(rng, *case) for case in _cases(rng, 6)],
            "test_JY_operator": [_operator_question(rng, *case) for case in _cases(rng, 6)]}
