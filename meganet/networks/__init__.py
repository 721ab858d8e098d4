"""Networks: elements composed of elements, with the same interface as a layer.

Chain (plain and multi-stage networks), Stack (sub-networks side by side), ResNet (forward Euler), HyperbolicNet (leapfrog, second
order in time), HamiltonianNet (two streams, Verlet); `prolong` doubles the depth of a trained
network for multilevel training. Back-propagation is J_theta^T of the composed element.
"""
from .architectures import peaks_resnet, residual_cnn
from .chain import Chain
from .hamiltonian import HamiltonianNet
from .hyperbolic import HyperbolicNet
from .prolongation import prolong, resample_steps
from .resnet import ResNet
from .stack import Stack
from .time_stepping import TimeStepping

__all__ = ["Chain", "Stack", "ResNet", "HyperbolicNet", "HamiltonianNet", "TimeStepping", "prolong", "resample_steps",
           "peaks_resnet", "residual_cnn"]
