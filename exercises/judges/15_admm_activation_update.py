"""Judge of exercise 15 (the ADMM activation and pre-activation updates): runs in the judge's clean process.

Both parts are graded by optimality, on problems drawn from the student's seed; the judge never
compares with one stored number.

test_activation_update: a = argmin_a beta ||z_next - W_next a||^2 + gamma ||a - h(z)||^2 (h = ReLU,
all columns at once) for 1 to 25 units, 1 to 25 next units (fewer, as many and more than the units:
W_next^T W_next singular or not), 1 to 30 examples, beta and gamma from 1e-2 to 1e2 independently,
W_next of spectral norm 0.3 to 3 (condition numbers of beta W^T W + gamma I below ~1e4, so that any
accurate solver passes). Judged here by: the gradient 2 beta W^T (W a - z_next) + 2 gamma (a - h(z))
vanishes (relative 1e-10 of the size of its terms); the objective at the answer is not above the
objective at the judge's own minimiser (scipy.linalg.lstsq on the stacked problem
[sqrt(beta) W; sqrt(gamma) I] a = [sqrt(beta) z_next; sqrt(gamma) h(z)]), nor at points perturbed
along random directions and along the negative gradient.

test_preactivation_update: z = argmin_z gamma (a - h(z))^2 + beta (z - W a_prev)^2 entry by entry,
with entries on both branches, a zero row of W (W a_prev = 0 exactly), a row of size 1e-9, entries
placed at the jump between the branches (a > 0, m = W a_prev < 0 with equal values on both branches,
and 1e-6 to either side), inside the band where gamma a + beta m > 0 but the branch z <= 0 is lower,
and at gamma a + beta m = 0 (the positive branch's minimiser at 0). Judged per entry: the objective
at the answer is not above (relative 1e-12 of gamma a^2 + beta m^2) the smallest of the judge's
two-case minimiser, a dense grid (4001 points) and scipy.optimize.minimize_scalar on each branch
(z <= 0 and z >= 0); and where the two branches' minima differ by more than 1e-6 (relative), so
the minimiser is unique, the answer is the judge's minimiser to 1e-9 relative.
"""
import numpy as np
import scipy.linalg
from scipy.optimize import minimize_scalar

from meganet.grading.judge import Question, answer_array

RTOL_GRADIENT = 1e-10   # of the size of the gradient's terms
RTOL_OBJECTIVE = 1e-12  # of the objective's natural size (its value at 0)
RTOL_Z = 1e-9           # |z - z_ref| relative to |a| + |m| where the minimiser is unique
TIE = 1e-6              # branches whose minima differ by less (relative) count as a tie: both are right
GRID = 4001


def _relu(x):
    return np.maximum(x, 0.0)


def _weights(rng):
    return float(10.0 ** rng.uniform(-2, 2)), float(10.0 ** rng.uniform(-2, 2))


# --- part 1: the activation update ------------------------------------------------------------------
def _activation_objective(a, W, z_next, h, beta, gamma):
    return beta * float(np.sum((z_next - W @ a) ** 2)) + gamma * float(np.sum((a - h) ** 2))


def _activation_question(rng, n_units, n_next, n_examples):
    beta, gamma = _weights(rng)
    W = rng.standard_normal((n_next, n_units))
    W *= 10.0 ** rng.uniform(-0.5, 0.5) / np.linalg.norm(W, 2)     # spectral norm 0.3 to 3
    size = 10.0 ** rng.uniform(-1, 1)
    z_next, z = size * rng.standard_normal((n_next, n_examples)), size * rng.standard_normal((n_units, n_examples))
    h = _relu(z)
    stacked = np.vstack([np.sqrt(beta) * W, np.sqrt(gamma) * np.eye(n_units)])
    a_ref = scipy.linalg.lstsq(stacked, np.vstack([np.sqrt(beta) * z_next, np.sqrt(gamma) * h]))[0]
    f_ref = _activation_objective(a_ref, W, z_next, h, beta, gamma)
    f_zero = _activation_objective(np.zeros_like(a_ref), W, z_next, h, beta, gamma)
    norm_W = np.linalg.norm(W, 2)
    directions = [rng.standard_normal(a_ref.shape) for _ in range(3)]

    def judge(answer):
        a = answer_array(answer, "a", (n_units, n_examples))
        f = lambda x: _activation_objective(x, W, z_next, h, beta, gamma)  # noqa: E731
        gradient = 2 * beta * W.T @ (W @ a - z_next) + 2 * gamma * (a - h)
        scale = (2 * (beta * norm_W ** 2 + gamma) * max(np.linalg.norm(a), np.linalg.norm(a_ref))
                 + 2 * beta * norm_W * np.linalg.norm(z_next) + 2 * gamma * np.linalg.norm(h))
        if not np.linalg.norm(gradient) <= RTOL_GRADIENT * scale:
            return False, (f"the gradient of the sub-problem at your a has norm {np.linalg.norm(gradient):.2e} "
                           f"(allowed {RTOL_GRADIENT * scale:.1e}): a is not its minimiser")
        tolerance = RTOL_OBJECTIVE * (f_zero + f_ref)
        if f(a) > f_ref + tolerance:
            return False, f"the objective at your a is {f(a):.12e}, above the minimum {f_ref:.12e}"
        steps = [D * (t * max(np.linalg.norm(a), 1e-300) / np.linalg.norm(D)) for D in directions
                 for t in (1e-2, 1e-5)]
        if np.linalg.norm(gradient) > 0:
            steps += [-gradient * (t / (2 * (beta * norm_W ** 2 + gamma))) for t in (1.0, 1e-3)]
        for step in steps:
            if f(a + step) < f(a) - tolerance:
                return False, (f"a point at distance {np.linalg.norm(step):.1e} from your a has a lower "
                               f"objective ({f(a + step):.12e} < {f(a):.12e})")
        return True, "correct"

    header = {"n_units": n_units, "n_next": n_next, "n_examples": n_examples, "beta": beta, "gamma": gamma}
    return Question(header, {"W_next": W, "z_next": z_next, "z": z}, judge)


# --- part 2: the pre-activation update --------------------------------------------------------------
def _objective(z, a, m, beta, gamma):
    return gamma * (a - _relu(z)) ** 2 + beta * (z - m) ** 2


def _two_case(a, m, beta, gamma):
    """The judge's minimiser and the two branches' minima (f_pos on z >= 0, f_neg on z <= 0)."""
    z_pos = _relu((gamma * a + beta * m) / (gamma + beta))
    z_neg = np.minimum(m, 0.0)
    f_pos, f_neg = _objective(z_pos, a, m, beta, gamma), _objective(z_neg, a, m, beta, gamma)
    return np.where(f_pos <= f_neg, z_pos, z_neg), f_pos, f_neg


def _numerical_minimum(a, m, beta, gamma):
    """The smallest objective found per entry by a dense grid and minimize_scalar on each branch."""
    reach = np.abs(a) + np.abs(m) + 1e-300
    lo, hi = np.minimum(m, 0.0) - reach, np.maximum(np.maximum(a, m), 0.0) + reach
    t = np.linspace(0.0, 1.0, GRID)
    grid = lo.reshape(-1, 1) + (hi - lo).reshape(-1, 1) * t
    best = np.min(_objective(grid, a.reshape(-1, 1), m.reshape(-1, 1), beta, gamma), axis=1)
    for k, (ak, mk) in enumerate(zip(a.ravel(), m.ravel())):
        for bounds in ((lo.flat[k], 0.0), (0.0, hi.flat[k])):
            found = minimize_scalar(lambda x: float(_objective(x, ak, mk, beta, gamma)), bounds=bounds,
                                    method="bounded", options={"xatol": 1e-12 * reach.flat[k]})
            best[k] = min(best[k], float(found.fun))
    return best.reshape(a.shape)


def _special_entries(rng, a, m, beta, gamma):
    """Place some entries of a at the jump, inside the band before it and at gamma a + beta m = 0."""
    a = a.copy()
    flat_a, flat_m = a.reshape(-1), m.reshape(-1)
    negative = np.flatnonzero(flat_m < -1e-6 * (np.abs(flat_m).max() + 1e-300))
    rng.shuffle(negative)
    root = np.sqrt(1.0 + gamma / beta)
    for k, j in enumerate(negative[:12]):
        mj = flat_m[j]
        if k < 6:      # at the jump (equal values), and 1e-6 to either side: a (1 - root) = m
            flat_a[j] = mj / (1.0 - root) * (1.0 + (-1e-6, 0.0, 1e-6)[k % 3])
        elif k < 9:    # the band -gamma a / beta < m < a (1 - root): z_pos > 0, but z <= 0 is lower
            a_jump, a_zero = mj / (1.0 - root), -beta * mj / gamma
            flat_a[j] = a_jump + rng.uniform(0.2, 0.8) * (a_zero - a_jump)
        else:          # gamma a + beta m = 0: the positive branch's minimiser is 0 (and a hair off)
            flat_a[j] = -beta * mj / gamma * (1.0 + (-1e-9, 0.0, 1e-9)[k % 3])
    return a


def _preactivation_question(rng, n_units, n_prev, n_examples, nonnegative_input):
    beta, gamma = _weights(rng)
    size = 10.0 ** rng.uniform(-1.5, 1.5)
    W = rng.standard_normal((n_units, n_prev)) / np.sqrt(n_prev)
    if n_units >= 3:
        W[0] = 0.0          # W a_prev = 0 exactly in this row
        W[1] *= 1e-9        # and tiny in this one
    a_prev = size * rng.standard_normal((n_prev, n_examples))
    if nonnegative_input:   # a_prev as the previous layer's activations usually are
        a_prev = _relu(a_prev)
    m = W @ a_prev
    a = _special_entries(rng, size * rng.standard_normal((n_units, n_examples)), m, beta, gamma)
    z_ref, f_pos, f_neg = _two_case(a, m, beta, gamma)
    f_best = np.minimum(np.minimum(f_pos, f_neg), _numerical_minimum(a, m, beta, gamma))
    natural = gamma * a ** 2 + beta * m ** 2     # the objective at z = 0
    unique = np.abs(f_pos - f_neg) > TIE * natural

    def judge(answer):
        z = answer_array(answer, "z", a.shape)
        f = _objective(z, a, m, beta, gamma)
        excess = (f - f_best) / np.where(natural > 0, natural, 1.0)
        if np.any(f > f_best + RTOL_OBJECTIVE * natural):
            i, j = np.unravel_index(np.argmax(np.where(f > f_best, excess, -np.inf)), a.shape)
            return False, (f"entry ({i}, {j}): a = {a[i, j]:.6g}, W a_prev = {m[i, j]:.6g}, your z = {z[i, j]:.6g} "
                           f"gives {f[i, j]:.10g}, but the minimum is {f_best[i, j]:.10g}: not the global minimiser")
        error = np.abs(z - z_ref)
        allowed = RTOL_Z * (np.abs(a) + np.abs(m)) + 1e-300
        wrong = unique & (error > allowed)
        if np.any(wrong):
            i, j = np.argwhere(wrong)[0]
            return False, (f"entry ({i}, {j}): a = {a[i, j]:.6g}, W a_prev = {m[i, j]:.6g}: your z = {z[i, j]:.10g} "
                           f"is {error[i, j]:.1e} from the minimiser")
        return True, "correct"

    header = {"n_units": n_units, "n_prev": n_prev, "n_examples": n_examples, "beta": beta, "gamma": gamma}
    return Question(header, {"a": a, "W": W, "a_prev": a_prev}, judge)


def questions(rng):
    sizes = [(int(rng.integers(2, 26)), int(rng.integers(1, 26)), int(rng.integers(2, 31))) for _ in range(5)]
    sizes += [(8, 3, 12), (5, 12, 5), (6, 6, 6), (1, 4, 7), (7, 1, 9), (4, 5, 1)]   # fewer/more/as many
    activation = [_activation_question(rng, *s) for s in sizes]
    shapes = [(int(rng.integers(3, 13)), int(rng.integers(1, 9)), int(rng.integers(5, 21))) for _ in range(4)]
    shapes += [(6, 4, 10), (10, 2, 12), (3, 1, 1), (1, 3, 8)]
    preactivation = [_preactivation_question(rng, *s, nonnegative_input=bool(k % 2)) for k, s in enumerate(shapes)]
    return {"test_activation_update": activation, "test_preactivation_update": preactivation}
