"""Regularisers R(W) and the grid operators used to build smooth weight images."""
from .grid import difference_1d, gradient_2d, identity, laplacian_2d
from .parameter_choice import lcurve_corner
from .tikhonov import Tikhonov

__all__ = ["Tikhonov", "difference_1d", "gradient_2d", "laplacian_2d", "identity",
           "lcurve_corner"]
