"""Derivative checks for notebooks, exercises and tests: the Taylor test, the adjoint test and a
finite-difference Jacobian."""
from .adjoint import AdjointCheck, check_adjoint
from .finite_differences import finite_difference_jacobian
from .taylor import DerivativeCheck, check_derivative, directional_derivative

__all__ = ["check_derivative", "check_adjoint", "DerivativeCheck", "AdjointCheck",
           "directional_derivative", "finite_difference_jacobian"]
