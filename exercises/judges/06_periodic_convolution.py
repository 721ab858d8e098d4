"""Judge of exercise 06 (periodic convolution by the FFT): runs in the judge's clean process.

Each question sends a stencil theta of size s and, where the function takes one, signals of
length n (header: n or s), drawn from the student's seed, over the old hidden tests' (s, n)
(odd and even stencils, s = 1, s = n) plus 1 x 1 and 2 x 2 problems and two random sizes.
The kernel answers with the student's function through the notebook's `judged`, which sends an
answer's real part under its name and, only when the answer is complex, its imaginary part
under "<name>_imag" (so the judge sees whether K y, K^T z and J_theta^T w are real arrays).
Each part is judged here against meganet's ConvPeriodic (relative 1e-10) and scipy's
convolution, the transpose and the stencil gradient also by the adjoint test against
meganet's forward products, the stencil derivatives by the Taylor test along a direction
chosen here.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.signal import convolve

from meganet.checks import check_derivative
from meganet.grading.judge import Question
from meganet.kernels import ConvPeriodic

# (s, n) of the old hidden tests, then 1 x 1 and 2 x 2 problems, s = 1 with n = 2, s = n = 6
SIZES = [(1, 7), (1, 8), (2, 7), (2, 8), (3, 7), (3, 10), (4, 9), (4, 8), (5, 11), (5, 6), (7, 13), (7, 8),
         (7, 7), (4, 4), (1, 1), (2, 2), (1, 2), (6, 6)]
RTOL = 1e-10
NEGLIGIBLE = 1e-10  # an imaginary part below this (relative to the answer) is round-off


def _sizes(rng):
    """The fixed sizes, then two random ones (one with an even stencil)."""
    n1, n2 = int(rng.integers(9, 65)), int(rng.integers(9, 65))
    s1 = int(rng.integers(1, 6)) * 2 - 1
    s2 = int(rng.integers(1, 5)) * 2
    return SIZES + [(s1, n1), (s2, n2)]


def _relative(answer, reference):
    return np.linalg.norm(answer - reference) / max(np.linalg.norm(reference), 1e-300)


def _answer(arrays, name, shape, *, real=False):
    """(value, None) or (None, failure message): the answer's array `name` of shape `shape`.

    real=True: the student's array must have been real (no imaginary part sent at all);
    otherwise an imaginary part is accepted when negligible (round-off of an FFT).
    """
    value = np.asarray(arrays[name], dtype=float)
    if value.shape != shape:
        return None, f"{name} has shape {value.shape}, expected {shape}"
    imag = arrays.get(f"{name}_imag")
    if imag is not None:
        if real:
            return None, f"{name} is a complex array: return the real part of the inverse FFT"
        imag = np.asarray(imag, dtype=float)
        if imag.shape != shape or np.linalg.norm(imag) > NEGLIGIBLE * max(np.linalg.norm(value), 1e-300):
            return None, f"{name} has a non-negligible imaginary part"
    return value, None


def _complex_answer(arrays, name, shape):
    value = np.asarray(arrays[name], dtype=float)
    imag = np.asarray(arrays.get(f"{name}_imag", np.zeros(shape)), dtype=float)
    if value.shape != shape or imag.shape != shape:
        return None, f"{name} has shape {value.shape}, expected {shape}"
    return value + 1j * imag, None


def _verdicts(*checks):
    for passed, message in checks:
        if not passed:
            return False, message
    return True, "correct"


def _close(answer, reference, what):
    error = _relative(answer, reference)
    return error <= RTOL, f"{what} differs from the reference by {error:.1e} (relative)"


def _wrapped_convolution(theta, y):
    """scipy's convolve(..., mode='same') of the signal wrapped around: K(theta) y."""
    s, n = theta.size, y.size
    return convolve(np.pad(y, s, mode="wrap"), theta, mode="same")[s:s + n]


def _adjoint(lhs, rhs, scale):
    return abs(lhs - rhs) <= RTOL * max(scale, 1e-300), f"adjoint test failed: {lhs!r} != {rhs!r}"


def _weight(rng, conv, theta, y, v):
    """w for the gradient question, redrawn while <w, K(t) y> cancels along theta + h v.

    The Taylor test's round-off floor is relative to the size of f(t) = <w, K(t) y>, while its
    round-off (and that of a correct FFT gradient) is relative to |w| |K(t) y|: w is redrawn
    until their ratio is at most 10 (about one draw in seven is redrawn; correct gradients then
    stay 100 times below the floor).
    """
    def f(t):
        return float(w @ conv.apply(t, y[:, None])[:, 0])

    for _ in range(1000):
        w = rng.standard_normal(y.size)
        rough = np.linalg.norm(w) * max(np.linalg.norm(conv.apply(t, y[:, None])) for t in (theta, theta + v))
        if rough <= 10 * max(abs(f(theta)), abs(f(theta + v) - f(theta))):
            break
    return w


def questions(rng):
    parts = {name: [] for name in ("test_conv_matrix", "test_eigenvalues", "test_apply_K", "test_apply_KT",
                                   "test_J_theta_matvec", "test_J_theta_rmatvec")}
    for s, n in _sizes(rng):
        conv = ConvPeriodic((n,), (s,))
        theta, y, z = rng.standard_normal(s), rng.standard_normal(n), rng.standard_normal(n)
        v, u = rng.standard_normal(s), rng.standard_normal(n)
        w = _weight(rng, conv, theta, y, v)
        K = conv.dense(theta)
        lin = conv.linearize(theta, y[:, None])[1]

        def matrix(answer, n=n, K=K, theta=theta, y=y):
            Ks, failure = _answer(answer, "K", (n, n))
            if failure:
                return False, failure
            return _verdicts(_close(Ks, K, "K"), _close(Ks @ y, _wrapped_convolution(theta, y), "K y"))

        def spectrum(answer, n=n, K=K, theta=theta, conv=conv):
            lam, failure = _complex_answer(answer, "lam", (n,))
            if failure:
                return False, failure
            modes = np.exp(2j * np.pi * np.outer(np.arange(n), np.arange(n)) / n)  # column j: v_j
            residual = np.linalg.norm(K @ modes - modes * lam) / (np.linalg.norm(K) * np.linalg.norm(modes))
            distance = np.abs(lam[:, None] - np.linalg.eigvals(K)[None, :])
            mismatch = distance[linear_sum_assignment(distance)].max()
            return _verdicts(_close(lam, conv.eigenvalues(theta).ravel(), "lambda (in FFT order)"),
                             (residual <= RTOL, f"K v_j != lambda_j v_j for the Fourier modes ({residual:.1e})"),
                             (mismatch <= RTOL * (1 + np.abs(theta).sum()), "not the eigenvalues of K"))

        def forward(answer, n=n, K=K, theta=theta, y=y):
            Ky, failure = _answer(answer, "Ky", (n,), real=True)
            if failure:
                return False, failure
            return _verdicts(_close(Ky, K @ y, "K y"), _close(Ky, _wrapped_convolution(theta, y), "K y"))

        def transpose(answer, n=n, K=K, theta=theta, z=z, u=u, conv=conv):
            KTz, failure = _answer(answer, "KTz", (n,), real=True)
            if failure:
                return False, failure
            ok = _close(KTz, conv.apply_transpose(theta, z[:, None])[:, 0], "K^T z")
            if not ok[0]:
                return ok
            Ku = conv.apply(theta, u[:, None])[:, 0]
            return _adjoint(float(z @ Ku), float(KTz @ u),
                            np.linalg.norm(z) * np.linalg.norm(Ku) + np.linalg.norm(KTz) * np.linalg.norm(u))

        def derivative(answer, n=n, theta=theta, y=y, v=v, conv=conv, lin=lin):
            Jv, failure = _answer(answer, "Jv", (n,))
            if failure:
                return False, failure
            taylor = check_derivative(lambda t: (conv.apply(t, y[:, None])[:, 0], lambda d: Jv), theta, v=v)
            return _verdicts(_close(Jv, lin.J_theta.matvec(v), "J_theta v"), (taylor.passed, taylor.message))

        def gradient(answer, s=s, theta=theta, y=y, w=w, v=v, conv=conv, lin=lin):
            g, failure = _answer(answer, "g", (s,), real=True)
            if failure:
                return False, failure
            ok = _close(g, lin.J_theta.rmatvec(w), "J_theta^T w")
            if not ok[0]:
                return ok
            Jv = lin.J_theta.matvec(v)
            adjoint = _adjoint(float(w @ Jv), float(g @ v),
                               np.linalg.norm(w) * np.linalg.norm(Jv) + np.linalg.norm(g) * np.linalg.norm(v))
            taylor = check_derivative(lambda t: (float(w @ conv.apply(t, y[:, None])[:, 0]), g), theta, v=v)
            return _verdicts(adjoint, (taylor.passed, taylor.message))

        parts["test_conv_matrix"].append(Question({"n": n}, {"theta": theta}, matrix))
        parts["test_eigenvalues"].append(Question({"n": n}, {"theta": theta}, spectrum))
        parts["test_apply_K"].append(Question({}, {"theta": theta, "y": y}, forward))
        parts["test_apply_KT"].append(Question({}, {"theta": theta, "z": z}, transpose))
        parts["test_J_theta_matvec"].append(Question({}, {"y": y, "v": v}, derivative))
        parts["test_J_theta_rmatvec"].append(Question({"s": s}, {"y": y, "w": w}, gradient))
    return parts
