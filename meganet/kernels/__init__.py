"""Parametric kernels K(theta): linear operators with exact derivatives in theta."""
from .base import Kernel, KernelLinearization
from .conv_periodic import ConvPeriodic
from .conv_zero import ConvZero
from .linear_form import (LinearFormKernel, antisymmetric_kernel, dense_kernel, diagonal_kernel,
                          lower_triangle, m_matrix_kernel)
from .pooling import average_pooling, subsample
from .shifted import Shifted

__all__ = ["Kernel", "KernelLinearization", "LinearFormKernel", "dense_kernel", "diagonal_kernel",
           "antisymmetric_kernel", "lower_triangle", "m_matrix_kernel", "ConvPeriodic", "ConvZero", "average_pooling", "subsample",
           "Shifted"]
