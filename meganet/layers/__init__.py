"""Layers: one nonlinear step sigma(K(theta) Y + b), and the activations sigma."""
from .activations import (ACTIVATIONS, Activation, get_activation, identity, relu, sigmoid, sin,
                          smooth_relu, tanh)
from .single_layer import LayerLinearization, SingleLayer

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "tanh", "relu", "smooth_relu", "sigmoid",
           "sin", "identity", "SingleLayer", "LayerLinearization"]
