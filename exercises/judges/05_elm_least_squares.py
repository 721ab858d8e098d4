"""Judge of exercise 05 (the extreme learning machine by least squares): runs in the judge's clean process.

Each question is drawn from the student's seed. Features: Y, K, b and the activation's name
(tanh, relu, identity) in the header, sizes from one example to wider than the data (m = n included,
so that b added along the wrong axis broadcasts and is caught by value). Weights: features Z
(tanh, ReLU or identity of a random layer, scaled by 10^u, u in [-2, 2]), one-hot C (n_c != m) and
alpha in the header: a wide layer (m > n), duplicated units and identity features (Z rank-deficient,
alpha > 0), alpha = 0 with Z of full row rank (checked here), and random problems with alpha in
[1e-3, 0.3] or [3, 30] (so alpha^2 and n alpha differ from alpha), and last an ill-conditioned
Z (condition number 1e6, alpha = 0) with C = W_0 Z, a zero residual, where the normal equations (solved
or inverted) lose about kappa^2 eps and fail the comparison with lstsq while QR and the SVD pass. Rank: Z and rtol in the header:
tanh features with duplicated units, a wide layer, identity features, and matrices with a chosen
spectrum scaled by 3e-4 or 3e4, so that a threshold rtol (absolute) and rtol s_1 (relative)
count differently; no singular value lies within a factor 3 of either threshold.

Judged here with numpy only: Z against sigma(K Y + b 1^T) (relative 1e-12); W by its shape
(n_c, m), by optimality of J(W) = ||W Z - C||_F^2 + alpha ||W||_F^2, the gradient
2 ((W Z - C) Z^T + alpha W) relative to 2 ||M|| (||C|| + ||M|| ||W||), M = [Z^T; sqrt(alpha) I],
at most 1e-10, and against numpy.linalg.lstsq on the stacked problem within what a backward-stable
solver meets, max(1e-10, 1e3 eps (kappa + kappa^2 tan theta)) (Higham, ch. 20; as exercise 02's
judge); the rank against numpy.linalg.matrix_rank(Z, tol=rtol * s_1).
"""
import numpy as np

from meganet.grading.judge import Question

EPS = np.finfo(float).eps
RTOL = 1e-10
STABLE = 1e3 * EPS
ACTIVATIONS = {"tanh": np.tanh, "relu": lambda X: np.maximum(X, 0.0), "identity": lambda X: X}


def _layer(rng, n_features, width, n_examples, duplicated=0):
    Y = rng.uniform(-3, 3, size=(n_features, n_examples))
    K = rng.standard_normal((width, n_features)) / np.sqrt(n_features)
    b = rng.standard_normal(width)
    if duplicated:
        copies = rng.integers(width - duplicated, size=duplicated)
        K[width - duplicated:], b[width - duplicated:] = K[copies], b[copies]
    return Y, K, b


def _labels(rng, n_classes, n_examples):
    return np.eye(n_classes)[:, rng.integers(n_classes, size=n_examples)]


def _answer(answer, name, shape):
    value = np.asarray(answer[name], dtype=float)
    if shape == () and value.size == 1:
        value = value.reshape(())
    if value.shape != shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} has entries that are not finite")
    return value


# --- part 1: the features ------------------------------------------------------------------------
FEATURES = [(2, 5, 7, "tanh"), (3, 6, 6, "tanh"), (1, 4, 1, "relu"), (4, 9, 9, "identity"),
            (2, 30, 10, "relu"), (5, 3, 12, "identity")]


def _features_question(rng, n_features, width, n_examples, activation):
    Y, K, b = _layer(rng, n_features, width, n_examples)
    Z_ref = ACTIVATIONS[activation](K @ Y + b[:, None])

    def judge(answer):
        Z = _answer(answer, "Z", Z_ref.shape)
        error = np.linalg.norm(Z - Z_ref)
        allowed = 1e-12 * np.linalg.norm(Z_ref) + 1e-14
        return error <= allowed, (f"Z differs from sigma(K Y + b 1^T) ({activation}, m = {width}, n = {n_examples}) "
                                  f"by {error:.1e} (allowed {allowed:.1e})")

    return Question({"activation": activation}, {"Y": Y, "K": K, "b": b}, judge)


# --- part 2: the classifier ----------------------------------------------------------------------
# (n_f, m, n, n_c, alpha, activation, duplicated units); alpha None: drawn at random
WEIGHTS = [(2, 30, 12, 3, 1e-2, "tanh", 0),        # wide: m > n
           (3, 16, 40, 4, 1e-1, "tanh", 6),        # duplicated units
           (2, 25, 25, 4, 1e-3, "identity", 0),    # rank n_f + 1 = 3
           (2, 10, 50, 3, 0.0, "tanh", 0),         # alpha = 0, full row rank
           (3, 6, 30, 2, 0.0, "tanh", 0),
           (3, 20, 60, 2, 5.0, "relu", 0),
           (2, 12, 30, 5, 1e-3, "tanh", 3)]


def _stacked(Z, C, alpha):
    M = np.vstack([Z.T, np.sqrt(alpha) * np.eye(Z.shape[0])])
    R = np.vstack([C.T, np.zeros((Z.shape[0], C.shape[0]))])
    return M, R


def _weights_question(rng, n_features, width, n_examples, n_classes, alpha, activation, duplicated):
    while True:
        Y, K, b = _layer(rng, n_features, width, n_examples, duplicated)
        Z = float(10.0 ** rng.uniform(-2, 2)) * ACTIVATIONS[activation](K @ Y + b[:, None])
        if alpha is None:
            alpha = float(10.0 ** (rng.uniform(-3, -0.5) if rng.uniform() < 0.5 else rng.uniform(0.5, 1.5)))
        if alpha > 0 or np.linalg.matrix_rank(Z) == width:  # alpha = 0 only with a unique minimiser
            break
    C = _labels(rng, n_classes, n_examples)
    M, R = _stacked(Z, C, alpha)
    W_ref = np.linalg.lstsq(M, R, rcond=None)[0].T
    norm_M, kappa = np.linalg.norm(M, 2), np.linalg.cond(M)

    def judge(answer):
        if np.shape(answer["W"]) != W_ref.shape:
            return False, f"W has shape {np.shape(answer['W'])}, expected (n_c, m) = {W_ref.shape}"
        W = _answer(answer, "W", W_ref.shape)
        gradient = np.linalg.norm(2.0 * ((W @ Z - C) @ Z.T + alpha * W))
        scale = 2.0 * norm_M * (np.linalg.norm(C) + norm_M * np.linalg.norm(W))
        if not gradient <= RTOL * scale:
            return False, (f"the gradient of ||W Z - C||^2 + alpha ||W||^2 (alpha = {alpha:.3g}) at your W is "
                           f"{gradient / scale:.1e} relative to the problem's scale, not 0: W is not the minimiser")
        tan = np.linalg.norm(M @ W_ref.T - R) / max(norm_M * np.linalg.norm(W_ref), 1e-300)
        error = np.linalg.norm(W - W_ref) / max(np.linalg.norm(W_ref), 1e-300)
        allowed = max(RTOL, STABLE * (kappa + kappa ** 2 * tan))
        return error <= allowed, (f"W differs from numpy.linalg.lstsq on [Z^T; sqrt(alpha) I] W^T = [C^T; 0] by "
                                  f"{error:.1e} (relative; allowed {allowed:.1e})")

    return Question({"alpha": float(alpha), "m": width, "n": n_examples}, {"Z": Z, "C": C}, judge)


def _ill_conditioned_question(rng, width=6, n_examples=20, n_classes=3, condition_number=1e6):
    """alpha = 0, Z of full row rank with singular values from 1 to 1e-6 and C = W_0 Z (a zero residual):
    a backward-stable solver (QR, SVD) errs by about kappa eps, the normal equations by kappa^2 eps."""
    U = np.linalg.qr(rng.standard_normal((width, width)))[0]
    V = np.linalg.qr(rng.standard_normal((n_examples, width)))[0]
    Z = (U * np.logspace(0, -np.log10(condition_number), width)) @ V.T
    C = rng.standard_normal((n_classes, width)) @ Z
    W_ref = np.linalg.lstsq(Z.T, C.T, rcond=None)[0].T
    kappa = np.linalg.cond(Z)

    def judge(answer):
        if np.shape(answer["W"]) != W_ref.shape:
            return False, f"W has shape {np.shape(answer['W'])}, expected (n_c, m) = {W_ref.shape}"
        W = _answer(answer, "W", W_ref.shape)
        error = np.linalg.norm(W - W_ref) / np.linalg.norm(W_ref)
        allowed = max(RTOL, STABLE * kappa)
        return error <= allowed, (f"alpha = 0, Z of condition number {kappa:.1e} and a zero residual: W differs from "
                                  f"the least-squares solution by {error:.1e} (relative; a stable solver stays within "
                                  f"{allowed:.1e}; the normal equations square the condition number)")

    return Question({"alpha": 0.0, "m": width, "n": n_examples}, {"Z": Z, "C": C}, judge)


def _random_weights(rng):
    width, n_examples = int(rng.integers(5, 41)), int(rng.integers(5, 61))
    n_classes = int(rng.integers(2, 6))
    if n_classes == width:
        n_classes += 1
    return (int(rng.integers(1, 5)), width, n_examples, n_classes, None,
            str(rng.choice(["tanh", "relu", "identity"])), int(rng.integers(0, width // 2)))


# --- part 3: the numerical rank ------------------------------------------------------------------
SPECTRUM = np.array([1.0, 0.3, 1e-2, 1e-4, 1e-9, 1e-11, 1e-13])  # rtol 1e-6: relative rank 4


def _rank_questions(rng):
    questions = []

    def question(Z, rtol):
        s = np.linalg.svd(Z, compute_uv=False)
        rank_ref = int(np.linalg.matrix_rank(Z, tol=rtol * s[0]))

        def judge(answer):
            rank = _answer(answer, "rank", ())
            return rank == rank_ref, (f"the numerical rank is {rank_ref} (singular values above {rtol:g} s_1, "
                                      f"s_1 = {s[0]:.3g}), not {rank:g}")

        return Question({"rtol": float(rtol), "m": Z.shape[0], "n": Z.shape[1]}, {"Z": Z}, judge)

    for n_features, width, n_examples, activation, duplicated in [(3, 20, 50, "tanh", 5), (2, 40, 15, "tanh", 0),
                                                                  (3, 30, 40, "identity", 0), (2, 12, 30, "relu", 4)]:
        Y, K, b = _layer(rng, n_features, width, n_examples, duplicated)
        questions.append(question(ACTIVATIONS[activation](K @ Y + b[:, None]), 1e-10))
    for scale in (3e-4, 3e4, 3e-4 * 10 ** rng.uniform(-0.2, 0.2), 3e4 * 10 ** rng.uniform(-0.2, 0.2)):
        m, n = int(rng.integers(7, 12)), int(rng.integers(7, 15))
        U = np.linalg.qr(rng.standard_normal((m, 7)))[0]
        V = np.linalg.qr(rng.standard_normal((n, 7)))[0]
        questions.append(question(scale * (U * SPECTRUM) @ V.T, 1e-6))
    order = rng.permutation(len(questions))
    return [questions[k] for k in order]


def questions(rng):
    return {"test_features": [_features_question(rng, *case) for case in FEATURES],
            "test_weights": [_weights_question(rng, *case) for case in WEIGHTS]
                            + [_weights_question(rng, *_random_weights(rng)) for _ in range(3)]
                            + [_ill_conditioned_question(rng)],
            "test_rank": _rank_questions(rng)}
