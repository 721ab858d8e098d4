"""Losses E(W Z, C) with value, gradient and Hessian products in the weights W and features Z."""
from .base import Loss, LossDerivatives
from .hinge import Hinge
from .least_squares import LeastSquares
from .logistic import Logistic
from .scale_invariant import ScaleInvariant, simplex_targets
from .softmax import SoftmaxCrossEntropy

__all__ = ["Loss", "LossDerivatives", "Hinge", "LeastSquares", "Logistic", "SoftmaxCrossEntropy", "ScaleInvariant",
           "simplex_targets"]
