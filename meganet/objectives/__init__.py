"""Objectives J(x) with derivatives (J, grad, H) for meganet's optimizers."""
from .linear_model import LinearModelObjective

__all__ = ["LinearModelObjective"]
