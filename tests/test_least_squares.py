"""Least-squares solvers against numpy.linalg.lstsq and scipy's LSQR."""
import numpy as np
import pytest
from scipy.sparse.linalg import lsqr

from meganet.optim import cgls, lstsq, solve_svd
from meganet.regularizers import difference_1d


def _problem(m=40, n=8, k=3, cond=1e3, seed=0):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((m, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = U @ np.diag(np.geomspace(1, 1 / cond, n)) @ V.T
    return A, rng.standard_normal((m, k))


@pytest.mark.parametrize("method", ["normal", "qr", "svd", "cgls"])
def test_matches_numpy_lstsq(method):
    A, B = _problem()
    expected = np.linalg.lstsq(A, B, rcond=None)[0]
    result = lstsq(A, B, method=method)
    assert result.success, result.message
    assert np.allclose(result.x, expected, atol=1e-8)


@pytest.mark.parametrize("method", ["normal", "qr", "svd", "cgls"])
def test_tikhonov_matches_damped_lsqr(method):
    A, B = _problem(k=1)
    b, alpha = B[:, 0], 1e-2
    expected = lsqr(A, b, damp=np.sqrt(alpha), atol=1e-15, btol=1e-15, iter_lim=1000)[0]
    assert np.allclose(lstsq(A, b, method=method, alpha=alpha).x, expected, atol=1e-9)


def test_general_L_agrees_between_normal_qr_and_cgls():
    A, B = _problem(k=2)
    L = difference_1d(A.shape[1])
    x = [lstsq(A, B, method=m, alpha=0.5, L=L).x for m in ("normal", "qr", "cgls")]
    assert np.allclose(x[0], x[1]) and np.allclose(x[1], x[2], atol=1e-8)


def test_cgls_iterates_equal_lsqr_iterates():
    """CGLS and LSQR build the same Krylov iterates; check the first few one by one."""
    A, B = _problem(cond=10)
    b = B[:, 0]
    history = cgls(A, b, maxiter=5, store_iterates=True).history
    for k in range(1, 6):
        assert np.allclose(history["x"][k], lsqr(A, b, iter_lim=k, atol=0, btol=0)[0], atol=1e-12)


def test_cgls_residual_decreases_and_maxiter_is_respected():
    A, B = _problem(cond=1e6)
    res = cgls(A, B[:, 0], maxiter=3)
    r = np.array(res.history["residual_norm"])
    assert res.nit == 3 and res.status == 1 and np.all(np.diff(r) <= 1e-12)


def test_truncated_svd_keeps_only_leading_components():
    A, B = _problem(k=1)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    x2 = Vt[:2].T @ ((U[:, :2].T @ B[:, 0]) / s[:2])
    assert np.allclose(solve_svd(A, B[:, 0], rank=2).x, x2)


def test_rank_deficient_normal_equations_fail_cleanly():
    A = np.ones((5, 2))
    result = lstsq(A, np.ones(5), method="normal")
    assert not result.success and "singular" in result.message
    assert lstsq(A, np.ones(5), method="svd").success  # the pseudo-inverse still answers


def test_svd_refuses_a_general_L():
    with pytest.raises(ValueError, match="identity"):
        lstsq(np.eye(3), np.ones(3), method="svd", alpha=1.0, L=np.eye(3))
