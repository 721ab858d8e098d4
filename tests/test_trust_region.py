"""Trust-region Newton-CG: Steihaug-CG solves the subproblem, the ratio rho steers the radius.

The subproblem: minimise q(s) = g^T s + 1/2 s^T H s over ||s|| <= radius. Steihaug-CG runs CG
from s = 0 and stops early at the boundary, on negative curvature, or at a small residual.
"""
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit
from scipy.sparse.linalg import aslinearoperator

from meganet.optim import OptimizationResult, newton_cg, steihaug_cg, trust_region_newton_cg


def q(H, g, s):
    """The quadratic model q(s) = g^T s + 1/2 s^T H s (q(0) = 0)."""
    return g @ s + 0.5 * s @ H @ s


def spd(n=8, cond=50.0, seed=0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return Q @ np.diag(np.geomspace(1, cond, n)) @ Q.T, rng.standard_normal(n)


class Rosenbrock:
    n = 2

    def __call__(self, x):
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    def grad(self, x):
        return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])

    def hess(self, x):
        return np.array([[2 - 400 * x[1] + 1200 * x[0] ** 2, -400 * x[0]], [-400 * x[0], 200]])

    def derivatives(self, x):
        return self(x), self.grad(x), aslinearoperator(self.hess(x))


class Logistic:
    """Regularised logistic regression: mean_i log(1 + exp(-y_i a_i^T w)) + lam/2 ||w||^2."""

    def __init__(self, m=200, n=6, lam=1e-3, seed=1):
        rng = np.random.default_rng(seed)
        self.A = rng.standard_normal((m, n))
        self.y = np.sign(self.A @ rng.standard_normal(n) + 0.5 * rng.standard_normal(m))
        self.lam, self.n = lam, n

    def __call__(self, w):
        return np.mean(np.logaddexp(0, -self.y * (self.A @ w))) + 0.5 * self.lam * w @ w

    def grad(self, w):
        return -self.A.T @ (self.y * expit(-self.y * (self.A @ w))) / len(self.y) + self.lam * w

    def hess(self, w):
        p = expit(self.A @ w)
        return (self.A.T * (p * (1 - p))) @ self.A / len(self.y) + self.lam * np.eye(self.n)

    def derivatives(self, w):
        return self(w), self.grad(w), aslinearoperator(self.hess(w))


# --- Steihaug-CG, the subproblem -------------------------------------------------------------

def test_large_radius_gives_the_cg_solution_of_the_newton_system():
    H, g = spd()
    s, info = steihaug_cg(H, g, radius=1e6, rtol=1e-12, maxiter=100)
    assert info["stop"] == "converged" and not info["on_boundary"]
    assert np.allclose(s, np.linalg.solve(H, -g))
    # the predicted reduction is q(0) - q(s), computed without an extra product with H
    assert info["predicted_reduction"] == pytest.approx(-q(H, g, s))


def test_small_radius_stops_on_the_boundary_and_beats_the_cauchy_point():
    H, g = spd()
    radius = 0.1 * np.linalg.norm(np.linalg.solve(H, g))
    s, info = steihaug_cg(H, g, radius, rtol=1e-12, maxiter=100)
    assert info["stop"] == "boundary" and info["on_boundary"]
    assert np.linalg.norm(s) == pytest.approx(radius)
    # the Cauchy point: the model's minimiser along -g inside the ball (N&W (4.12));
    # Steihaug's first CG step is that point, and CG only decreases q further
    gHg, gnorm = g @ H @ g, np.linalg.norm(g)
    cauchy = -min(gnorm ** 3 / (radius * gHg), 1.0) * radius / gnorm * g
    assert q(H, g, s) <= q(H, g, cauchy) < 0


def test_negative_curvature_is_followed_to_the_boundary():
    H = np.diag([2.0, 1.0, -1.0])           # a saddle: q is unbounded below along e_3
    g = np.array([1.0, 1.0, 0.1])
    s, info = steihaug_cg(H, g, radius=3.0, rtol=1e-12, maxiter=10)
    assert info["stop"] == "negative curvature" and info["on_boundary"]
    assert np.linalg.norm(s) == pytest.approx(3.0)
    assert q(H, g, s) < q(H, g, np.linalg.solve(np.abs(H), -g))   # lower than any interior CG point
    # at the very first direction, d = -g, the step is the steepest-descent step to the boundary
    s0, info0 = steihaug_cg(-np.eye(3), g, radius=2.0, rtol=1e-12, maxiter=10)
    assert info0["cg_iterations"] == 1 and np.allclose(s0, -2.0 * g / np.linalg.norm(g))


def test_maxiter_caps_the_cg_iterations():
    H, g = spd(n=30, cond=1e4)
    s, info = steihaug_cg(H, g, radius=1e6, rtol=1e-14, maxiter=3)
    assert info["stop"] == "maxiter" and info["cg_iterations"] == 3
    assert q(H, g, s) < 0


def test_an_exact_preconditioner_gives_the_newton_step_in_one_iteration():
    """With M = H^{-1} the trust region is the ellipsoid s^T H s <= radius^2."""
    H, g = spd()
    M = np.linalg.inv(H)
    s, info = steihaug_cg(H, g, radius=1e6, rtol=1e-10, maxiter=10, M=M)
    assert info["cg_iterations"] == 1 and np.allclose(s, -M @ g)
    s, info = steihaug_cg(H, g, radius=0.1, rtol=1e-10, maxiter=10, M=M)
    assert info["on_boundary"] and np.sqrt(s @ H @ s) == pytest.approx(0.1)


def test_bad_input_gets_a_clear_error():
    H, g = spd(n=4)
    with pytest.raises(ValueError, match="radius must be positive"):
        steihaug_cg(H, g, radius=0.0, rtol=0.1, maxiter=5)
    with pytest.raises(ValueError, match="radius must be positive"):
        steihaug_cg(H, g, radius=-1.0, rtol=0.1, maxiter=5)
    with pytest.raises(ValueError, match="H must be a 3 x 3 operator"):
        steihaug_cg(H, g[:3], radius=1.0, rtol=0.1, maxiter=5)
    with pytest.raises(ValueError, match="g .gradient. must be a vector"):
        steihaug_cg(H, np.ones((2, 2)), radius=1.0, rtol=0.1, maxiter=5)
    with pytest.raises(ValueError, match="maxiter must be at least 1"):
        steihaug_cg(H, g, radius=1.0, rtol=0.1, maxiter=0)
    with pytest.raises(ValueError, match="radius0 must be positive"):
        trust_region_newton_cg(Rosenbrock(), np.zeros(2), radius0=0.0)
    with pytest.raises(ValueError, match="eta must be in"):
        trust_region_newton_cg(Rosenbrock(), np.zeros(2), eta=0.5)
    with pytest.raises(ValueError, match="x0 must have 2 entries"):
        trust_region_newton_cg(Rosenbrock(), np.zeros(3))
    with pytest.raises(ValueError, match="globalization must be one of"):
        newton_cg(Rosenbrock(), np.zeros(2), globalization="wolfe")
    with pytest.raises(TypeError, match="need globalization='trust_region'"):
        newton_cg(Rosenbrock(), np.zeros(2), ftol=1e-6)


# --- the trust-region method ----------------------------------------------------------------

@pytest.mark.parametrize("problem, x0", [(Rosenbrock(), [-1.2, 1.0]), (Logistic(), np.zeros(6))])
def test_matches_scipy_trust_ncg(problem, x0):
    ours = newton_cg(problem, np.array(x0), globalization="trust_region", maxiter=200, rtol=1e-10)
    ref = minimize(problem, x0, jac=problem.grad, hess=problem.hess, method="trust-ncg",
                   options=dict(gtol=1e-8 * np.linalg.norm(problem.grad(np.array(x0)))))
    assert ours.success and ours.status == 0 and ref.success
    assert np.allclose(ours.x, ref.x, atol=1e-6)
    assert 0.5 * ref.nit <= ours.nit <= 2 * ref.nit + 2   # the same algorithm: similar iteration counts


def test_the_history_records_radius_rho_and_cg_iterations():
    res = newton_cg(Rosenbrock(), np.array([-1.2, 1.0]), globalization="trust_region", maxiter=100,
                    callback=lambda x: {"distance": np.linalg.norm(x - 1)})
    h = res.history.as_arrays()
    assert {"fun", "grad_norm", "time", "nfev", "radius", "rho", "cg_iterations", "accepted",
            "distance"} <= set(h)
    assert len(h["fun"]) == res.nit + 1
    # a rejected step (rho <= eta) leaves x and J unchanged and shrinks the radius
    rejected = np.flatnonzero(h["accepted"][:-1] == 0)
    assert rejected.size > 0
    assert np.all(h["fun"][rejected + 1] == h["fun"][rejected])
    assert np.all(h["radius"][rejected + 1] < h["radius"][rejected])
    # accepted steps decrease J: the objective never goes up
    assert np.all(np.diff(h["fun"]) <= 0)


def test_each_stopping_rule_has_its_status_and_message():
    r, x0 = Rosenbrock(), np.array([-1.2, 1.0])
    runs = {
        0: trust_region_newton_cg(r, x0, maxiter=200, rtol=1e-10),
        8: trust_region_newton_cg(r, x0, maxiter=200, rtol=1e-14, ftol=1e-3),
        1: trust_region_newton_cg(r, x0, maxiter=5, rtol=1e-14),
        3: trust_region_newton_cg(r, x0, callback=lambda x: True),
    }
    for status, res in runs.items():
        assert res.status == status and res.message.endswith(OptimizationResult.MESSAGES[status])
    assert runs[0].success and runs[8].success and not runs[1].success
    assert runs[8].nit < runs[0].nit and "relative reduction" in runs[8].message
    f = runs[8].history["fun"]
    assert f[-2] - f[-1] <= 1e-3 * max(abs(f[-2]), abs(f[-1]), 1)       # the test that fired
    assert runs[1].nit == 5 and len(runs[1].history["fun"]) == 6
    assert runs[3].nit == 0

    class WrongGradient(Rosenbrock):
        """The model predicts a decrease that never happens: every step is rejected."""

        def derivatives(self, x):
            f, g, H = super().derivatives(x)
            return f, -g, H

    res = trust_region_newton_cg(WrongGradient(), x0, maxiter=100, radius_tol=1e-8)
    assert res.status == 9 and "radius" in res.message and not res.success
    assert np.array_equal(res.x, x0) and res.history["radius"][-1] < 1e-8

    class Bad(Rosenbrock):
        def derivatives(self, x):
            return np.nan, np.full(2, np.nan), aslinearoperator(np.eye(2))

    assert trust_region_newton_cg(Bad(), x0).status == 4


def test_never_loops_forever_on_an_unbounded_problem():
    """J(x) = -x_1 has no minimiser; the radius grows to max_radius and maxiter stops the run."""

    class Linear:
        n = 2

        def __call__(self, x):
            return -x[0]

        def derivatives(self, x):
            return -x[0], np.array([-1.0, 0.0]), aslinearoperator(np.zeros((2, 2)))

    res = trust_region_newton_cg(Linear(), np.zeros(2), maxiter=30, max_radius=100.0)
    assert res.status == 1 and res.nit == 30
    assert max(res.history["radius"]) == 100.0 and res.x[0] > 1000


def test_the_classifier_block_preconditioner_inverts_the_w_block_exactly():
    from meganet.data import peaks_data
    from meganet.kernels import dense_kernel
    from meganet.layers import SingleLayer
    from meganet.losses import SoftmaxCrossEntropy
    from meganet.objectives import NetworkObjective
    from meganet.optim.newton_cg import classifier_block_preconditioner

    Y, C = peaks_data(100, 5, seed=0)
    layer = SingleLayer(dense_kernel(6, 2), "tanh")
    full = NetworkObjective(layer, SoftmaxCrossEntropy(), Y, C, alpha_p=1e-3, alpha_W=1e-4)
    rng = np.random.default_rng(0)
    x = np.concatenate([layer.initial_parameters(seed=0), rng.standard_normal(full.n - full.n_p)])
    _, g, H = full.derivatives(x)
    M = classifier_block_preconditioner(full, p_scale=2.0)(g, H, x)
    v = np.concatenate([np.zeros(full.n_p), rng.standard_normal(full.n - full.n_p)])
    assert np.allclose(M @ (H @ v), v)                     # H_WW^{-1} H_WW = I on the W block
    u = np.concatenate([rng.standard_normal(full.n_p), np.zeros(full.n - full.n_p)])
    assert np.allclose(M @ u, u / 2.0)                     # the layer block is scaled by 1/p_scale


def test_the_classifier_block_preconditioner_needs_a_network_objective():
    with pytest.raises(TypeError, match="needs a NetworkObjective"):
        newton_cg(Rosenbrock(), np.zeros(2), globalization="trust_region",
                  preconditioner="classifier_block")
