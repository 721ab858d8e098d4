"""Layers: one nonlinear step (sigma(K Y + b), K_2^T sigma(K_1 Y + b), -K^T sigma(K Y + b)),
fixed linear maps (pooling), the activations sigma, and the linearisation every element offers."""
from .activations import (ACTIVATIONS, Activation, get_activation, identity, relu, sigmoid, sin,
                          smooth_relu, tanh)
from .base import Element, check_batch
from .bias import Bias
from .double_layer import DoubleLayer
from .linear_map import LinearMap
from .linearization import Linearization
from .quadratic_scalarization import QuadraticScalarization
from .single_layer import LayerLinearization, SingleLayer
from .symmetric_layer import SymmetricLayer
from .support import (MaskedLayer, PositiveHardThreshold, fix_support, forward_with_support, pht,
                      support_masks, threshold_of, thresholding_layers)

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "tanh", "relu", "smooth_relu", "sigmoid",
           "sin", "identity", "Element", "check_batch", "Bias", "Linearization", "SingleLayer", "LayerLinearization",
           "DoubleLayer", "SymmetricLayer", "LinearMap",
           "QuadraticScalarization"]
__all__ += ["pht", "PositiveHardThreshold", "threshold_of", "MaskedLayer", "support_masks", "forward_with_support",
            "fix_support", "thresholding_layers"]
