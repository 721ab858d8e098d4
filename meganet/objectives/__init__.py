"""Objectives J(x) with derivatives (J, grad, H) for meganet's optimizers."""
from .conditioning import residual_jacobian, singular_values
from .landscape import random_direction, slice_1d, slice_2d
from .linear_model import LinearModelObjective
from .network import NetworkObjective, SingleLayerObjective
from .separable_least_squares import JointResidual, VarProResidual, truncated_svd

__all__ = ["LinearModelObjective", "VarProResidual", "JointResidual", "truncated_svd", "NetworkObjective", "SingleLayerObjective", "residual_jacobian", "singular_values",
           "random_direction", "slice_1d", "slice_2d"]
