"""The derivative families: every differentiable piece passes the Taylor and adjoint tests.

Cases live in derivative_cases.py; a new component joins by adding its cases there.
"""
import numpy as np
import pytest

from meganet.checks import check_adjoint, check_derivative
from derivative_cases import ALL_CASES, OPERATOR_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=repr)
def test_taylor(case):
    result = check_derivative(case.fun, case.x, seed=4, h0=case.h0)
    assert result.passed, f"{case.name}\n{result.table()}"


@pytest.mark.parametrize("case", OPERATOR_CASES, ids=repr)
def test_adjoint(case):
    result = check_adjoint(case.operator(case.x), seed=5, rtol=1e-12)
    assert result.passed, f"{case.name}: {result}"


@pytest.mark.parametrize("case", ALL_CASES, ids=repr)
def test_taylor_fails_for_a_perturbed_derivative(case):
    """The family would notice a wrong derivative: scale J v by 1.01 and the test must fail."""
    from meganet.checks import directional_derivative

    def wrong(x):
        f, df = case.fun(x)
        return f, lambda v: 1.01 * directional_derivative(df, v, f)

    result = check_derivative(wrong, case.x, seed=4, h0=case.h0)
    if np.all(result.E1 <= result.floor):  # pragma: no cover - no case is linear and exact
        pytest.skip("f is linear along v")
    assert not result.passed, f"{case.name}: a 1% error in J went unnoticed\n{result.table()}"
