"""The course's named networks, built from the elements, so lectures, widgets, exercises and
benchmarks train the same architecture.

peaks_resnet:  Y (2, n) -> sigma(K_0 Y + b_0) (width w) -> N ResNet steps of sigma(K Y + b)
residual_cnn:  images (n1 n2 c, n) -> per stage: a connecting convolution (channels c_k),
               N residual steps (parabolic or hyperbolic), average pooling by 2.
"""
from __future__ import annotations

from ..kernels import ConvZero, antisymmetric_kernel, average_pooling, dense_kernel
from ..layers import LinearMap, SingleLayer, SymmetricLayer
from .chain import Chain
from .hamiltonian import HamiltonianNet
from .hyperbolic import HyperbolicNet
from .resnet import ResNet

__all__ = ["peaks_resnet", "residual_cnn"]


def peaks_resnet(n_features: int = 2, width: int = 8, n_steps: int = 16, T: float = 4.0,
                 sigma="sin", kernel: str = "dense", gamma: float = 0.0) -> Chain:
    """Opening layer sigma(K_0 Y + b_0) to `width`, then a ResNet of n_steps steps over [0, T].

    kernel: "dense" (K_j any width x width matrix), "antisymmetric" (K_j = T_j - T_j^T -
    gamma I), or "hamiltonian" (two streams by Verlet, F = sigma(K Z + b), G = sigma(K' Y + b)).
    The slides' Peaks experiment: width 8, 16 steps, T = 4, sin.
    """
    opening = SingleLayer(dense_kernel(width, n_features), sigma)
    if kernel == "dense":
        body = ResNet(SingleLayer(dense_kernel(width, width), sigma), n_steps, T)
    elif kernel == "antisymmetric":
        body = ResNet(SingleLayer(antisymmetric_kernel(width, gamma), sigma), n_steps, T)
    elif kernel == "hamiltonian":
        body = HamiltonianNet(SingleLayer(dense_kernel(width, width), sigma),
                              SingleLayer(dense_kernel(width, width), sigma), n_steps, T)
    else:
        raise ValueError(f"kernel must be 'dense', 'antisymmetric' or 'hamiltonian', got {kernel!r}")
    return Chain([opening, body])


def residual_cnn(image_shape=(28, 28), channels=(4, 8), n_steps: int = 2, T: float = 1.0,
                 sigma="relu", kind: str = "parabolic", stencil=(3, 3), c_in: int = 1) -> Chain:
    """A multi-stage residual CNN: stage k opens with a convolution c_{k-1} -> c_k (channel
    bias), takes n_steps residual steps with the 3x3 convolution kernel, then average-pools
    by 2. kind: "parabolic" (Y - h K^T sigma(K Y + b)) or "hyperbolic" (leapfrog,
    Y_{j+1} = 2 Y_j - Y_{j-1} - h^2 K^T sigma(K Y_j + b)). Zero boundary throughout.
    Output: the last stage's pooled feature maps, (n1 n2 c_last / 4^stages, n).
    """
    if kind not in ("parabolic", "hyperbolic"):
        raise ValueError(f"kind must be 'parabolic' or 'hyperbolic', got {kind!r}")
    shape, c_prev, elements = tuple(image_shape), int(c_in), []
    for c in channels:
        elements.append(SingleLayer(ConvZero(shape, stencil, c_prev, c), sigma, "channel"))
        step = SymmetricLayer(ConvZero(shape, stencil, c, c), sigma, "channel")
        elements.append(ResNet(step, n_steps, T) if kind == "parabolic"
                        else HyperbolicNet(step, n_steps, T))
        pool = average_pooling(shape, c, 2)
        elements.append(LinearMap(pool, f"average pooling 2x2, {c} channels"))
        shape, c_prev = (shape[0] // 2, shape[1] // 2), c
    return Chain(elements)
