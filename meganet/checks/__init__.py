"""Derivative checks for notebooks, exercises and tests: the Taylor test and the adjoint test."""
from .adjoint import AdjointCheck, check_adjoint
from .taylor import DerivativeCheck, check_derivative, directional_derivative

__all__ = ["check_derivative", "check_adjoint", "DerivativeCheck", "AdjointCheck",
           "directional_derivative"]
