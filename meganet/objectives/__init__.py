"""Objectives J(x) with derivatives (J, grad, H) for meganet's optimizers."""
from .linear_model import LinearModelObjective
from .single_layer import SingleLayerObjective

__all__ = ["LinearModelObjective", "SingleLayerObjective"]
