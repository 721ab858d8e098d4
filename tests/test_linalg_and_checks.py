"""vec/mat follow the slides, and the checkers tell right from wrong."""
import numpy as np
import pytest
from scipy.sparse.linalg import LinearOperator

from meganet import mat, vec
from meganet.checks import check_adjoint, check_derivative
from meganet.linalg import matrix_operator, to_dense


def test_vec_stacks_columns():
    X = np.array([[1, 2], [3, 4]])
    assert vec(X).tolist() == [1, 3, 2, 4]
    assert np.array_equal(mat(vec(X), X.shape), X)


def test_vec_of_product_is_kronecker():
    rng = np.random.default_rng(0)
    A, X, B = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((5, 2))
    assert np.allclose(vec(A @ X @ B), np.kron(B.T, A) @ vec(X))


def test_matrix_operator_is_kronecker_and_its_transpose_passes():
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((5, 2))
    op = matrix_operator(A, B, (4, 5))
    assert np.allclose(to_dense(op), np.kron(B.T, A))
    assert check_adjoint(op).passed


def test_mat_refuses_wrong_size():
    with pytest.raises(ValueError, match="cannot reshape"):
        mat(np.ones(5), (2, 3))


def test_taylor_test_passes_a_right_gradient_and_fails_a_wrong_one():
    f = lambda x: (np.sum(np.sin(x)), np.cos(x))           # noqa: E731
    wrong = lambda x: (np.sum(np.sin(x)), np.sin(x))       # noqa: E731
    x = np.linspace(0, 1, 6)
    good, bad = check_derivative(f, x), check_derivative(wrong, x)
    assert good.passed and np.allclose(good.order1[:6], 2, atol=0.1)
    assert not bad.passed and "wrong" in bad.message


def test_taylor_test_catches_a_small_error_at_small_h():
    f = lambda x: (np.sum(np.sin(x)), np.cos(x) + 1e-3)    # noqa: E731
    assert not check_derivative(f, np.ones(5)).passed


def test_taylor_test_accepts_jacobian_operator_and_callable_forms():
    A = np.random.default_rng(2).standard_normal((3, 4))
    x = np.ones(4)
    for df in (A, LinearOperator(A.shape, matvec=lambda v: A @ v), lambda v: A @ v):
        # f linear: E1 is round-off for every h, which counts as a pass
        assert check_derivative(lambda x: (A @ x + x @ x * 0, df), x).passed
    quad = lambda x: (A @ x + 0.5 * x**2 @ np.ones(4), lambda v: A @ v + (x @ v))  # noqa: E731
    assert check_derivative(quad, x).passed


def test_taylor_table_and_plot():
    import matplotlib
    matplotlib.use("Agg")
    res = check_derivative(lambda x: (x @ x, 2 * x), np.ones(3))
    assert "order E1" in res.table() and "PASSED" in res.table()
    ax = res.plot()
    assert ax.get_xlabel() == "step size $h$"


def test_wrong_gradient_shape_is_reported():
    with pytest.raises(ValueError, match="one per unknown"):
        check_derivative(lambda x: (x @ x, np.ones(2)), np.ones(3))


def test_adjoint_test_fails_a_wrong_transpose():
    A = np.random.default_rng(3).standard_normal((4, 3))
    right = check_adjoint(lambda v: A @ v, rmatvec=lambda w: A.T @ w, shape=A.shape)
    wrong = check_adjoint(lambda v: A @ v, rmatvec=lambda w: A[:3].T @ w[:3], shape=A.shape)
    assert right.passed and right.relative_error < 1e-14
    assert not wrong.passed


def test_adjoint_test_needs_shape_for_callables():
    with pytest.raises(ValueError, match="rmatvec"):
        check_adjoint(lambda v: v)


def test_taylor_test_of_a_matrix_valued_function_with_vec_derivative():
    """f(x) = mat(A x) returned as a matrix, its derivative as vec: orders must match (vec)."""
    A = np.random.default_rng(4).standard_normal((6, 3))
    f = lambda x: (mat(A @ x + (x @ x) * np.ones(6), (2, 3)), lambda v: A @ v + 2 * (x @ v))  # noqa: E731
    assert check_derivative(f, np.ones(3)).passed


def test_taylor_test_flattens_a_matrix_x_by_vec():
    """J v of an operator on vec(X) and the gradient of a scalar, both with a matrix X."""
    from meganet.linalg import matrix_operator

    rng = np.random.default_rng(3)
    A, X = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    op = matrix_operator(left=A, shape=X.shape)
    assert check_derivative(lambda X: (np.tanh(A @ X), lambda v: vec((1 - np.tanh(A @ X) ** 2)
                                                                     * (A @ mat(v, X.shape)))), X).passed
    assert check_derivative(lambda X: (vec(A @ X), op), X).passed
    assert check_derivative(lambda X: (0.5 * np.sum((A @ X) ** 2), A.T @ A @ X), X).passed
