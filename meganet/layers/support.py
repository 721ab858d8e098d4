"""Positive hard thresholding and the support of a network as explicit state (Huang, Kong, Lucey).

PHT(x) = x 1[x > tau] (tau >= 0; tau = 0 is ReLU). Written with its support, a thresholding
layer is Y_l = M_l * A_l with A_l = K_l Y_{l-1} + B_l b_l and the binary mask
M_l = 1[A_l > tau] (n_l, n), one column per example. With the masks of all layers FIXED the
layer is linear in (theta_l, b_l) and in Y_{l-1}, so a chain of masked layers and linear maps
(pooling) is multilinear in its layers' parameters (affine in each, because of the biases):

    Z(p_l + s q) = Z(p_l) + s J_{p_l} q     exactly, for every s   (the others fixed)
    Z(.., c p_l, c b_{l+1}, .., c b_L) = c Z(..)     (scale layer l and all later biases)

and without biases Z(c_1 p_1, .., c_L p_L) = c_1 ... c_L Z. With masks = 1[A_l > tau] computed
at the current parameters the masked network IS the PHT network there (same output, same
derivatives almost everywhere), which is what alternation between weights and support uses.

    pht(tau)                       the activation, usable in SingleLayer(kernel, pht(tau))
    MaskedLayer(kernel, M, bias)   Z = M * (K(theta) Y + B b) for a fixed mask M
    support_masks(net, p, Y)       [1[A_l > tau_l]] for the thresholding layers of net
    fix_support(net, masks)        the Chain with each thresholding layer replaced by its mask
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .linear_map import LinearMap
from .single_layer import LayerLinearization, SingleLayer

__all__ = ["PositiveHardThreshold", "pht", "threshold_of", "MaskedLayer", "support_masks",
           "forward_with_support", "fix_support", "thresholding_layers"]


@dataclass(frozen=True, repr=False)
class PositiveHardThreshold(Activation):
    """PHT(x) = x 1[x > tau]; PHT'(x) = 1[x > tau] and PHT''(x) = 0 for x != tau.

    For tau > 0 PHT jumps by tau at x = tau (it is not continuous there); derivative checks
    must stay away from x = tau. tau = 0 gives ReLU.
    """

    tau: float = 0.0


def pht(tau: float = 0.0) -> PositiveHardThreshold:
    """The positive hard-thresholding activation x 1[x > tau] for a threshold tau >= 0."""
    try:
        tau = float(tau)
    except (TypeError, ValueError):
        raise ValueError(f"pht: the threshold tau must be a number >= 0, got {tau!r}") from None
    if not np.isfinite(tau) or tau < 0:
        raise ValueError(f"pht: the threshold tau must be a finite number >= 0, got {tau}")

    def both(x):
        mask = x > tau
        return x * mask, mask.astype(float)

    return PositiveHardThreshold(f"pht(tau={tau:g})", lambda x: both(x)[0], lambda x: both(x)[1],
                                 lambda x: np.zeros_like(x, dtype=float), both, tau=tau)


def threshold_of(sigma) -> float | None:
    """tau if sigma is PHT (ReLU counts as PHT with tau = 0), else None."""
    sigma = get_activation(sigma)
    if isinstance(sigma, PositiveHardThreshold):
        return sigma.tau
    return 0.0 if sigma.name == "relu" else None


def _check_mask(M, n_out: int, name: str) -> np.ndarray:
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != n_out or M.shape[1] < 1:
        raise ValueError(f"{name} must be a binary matrix with {n_out} rows (one per output feature) "
                         f"and one column per example (or 1 column for all), got shape {M.shape}")
    if M.dtype != bool:
        if not np.issubdtype(M.dtype, np.number) or not np.all((M == 0) | (M == 1)):
            raise ValueError(f"{name} must hold only 0 and 1 (or True/False)")
        M = M != 0
    return M


class MaskedLayer(SingleLayer):
    """Z = M * (K(theta) Y + B b): a thresholding layer whose support M is fixed (explicit state).

    M: binary (n_out, n), column j the support of example j (or (n_out, 1), the same support for
    every example); Y must then have n columns. Linear in p = [theta; b] and in Y, with
        J_p v   = vec(M * (K(v_theta) Y + B v_b 1^T)),   J_p^T w = [K's J_theta^T vec(M * W); B^T (M * W) 1]
        J_Y v   = vec(M * (K(theta) V)),                  J_Y^T w = vec(K(theta)^T (M * W)),
    i.e. a SingleLayer's products with sigma'(A) replaced by M (LayerLinearization, reused).
    """

    def __init__(self, kernel, mask, bias="feature"):
        super().__init__(kernel, "identity", bias)
        self.mask = _check_mask(mask, kernel.n_out, "mask M")
        self._M = self.mask.astype(float)

    @classmethod
    def from_layer(cls, layer: SingleLayer, mask) -> "MaskedLayer":
        """The layer's kernel and bias with the fixed support `mask` in place of its activation."""
        return cls(layer.kernel, mask, layer.bias.kind)

    def _check_columns(self, n: int):
        if self._M.shape[1] not in (1, n):
            raise ValueError(f"{self!r}: the mask has {self._M.shape[1]} columns (examples) but Y has "
                             f"{n}; fix the support of the same examples that are passed in")

    def _forward(self, p, Y):
        self._check_columns(Y.shape[1])
        return self._M * self._pre_activation(p, Y)[1]

    def _linearize(self, p, Y):
        self._check_columns(Y.shape[1])
        theta, A = self._pre_activation(p, Y)
        dsigma = np.broadcast_to(self._M, A.shape)
        return dsigma * A, LayerLinearization(self, theta, Y, A, dsigma)

    def __repr__(self) -> str:
        return (f"MaskedLayer({self.kernel!r}, mask {self.mask.shape[0]} x {self.mask.shape[1]}, "
                f"bias={self.bias.kind})")


def _elements(network):
    """(elements, slices) of a Chain, or of one layer as a chain of one."""
    if isinstance(network, SingleLayer):
        return [network], [(0, network.n_params)]
    elements, slices = getattr(network, "elements", None), getattr(network, "slices", None)
    if elements is None or slices is None:
        raise ValueError(f"the support is defined for a SingleLayer or a Chain of SingleLayers and LinearMaps, "
                         f"got {network!r}")
    return elements, slices


def thresholding_layers(network) -> list[int]:
    """Positions in the chain of the layers with a PHT (or ReLU) activation.

    Raises ValueError for an element that is neither such a layer, nor a SingleLayer with the
    identity, nor a LinearMap (for those the masked network would not be multilinear).
    """
    elements, _ = _elements(network)
    positions = []
    for k, e in enumerate(elements):
        if isinstance(e, MaskedLayer) or isinstance(e, LinearMap):
            continue
        if isinstance(e, SingleLayer) and threshold_of(e.sigma) is not None:
            positions.append(k)
        elif not (isinstance(e, SingleLayer) and e.sigma.name == "identity"):
            raise ValueError(f"element {k} ({e!r}) is not a PHT/ReLU layer, an identity layer or a "
                             "LinearMap; the support of such a network is not defined here")
    return positions


def forward_with_support(network, p, Y):
    """(Z, masks): the PHT network's output and masks[l] = 1[A_l > tau_l] (bool, (n_l, n)),
    one per thresholding layer in order, from one forward pass."""
    elements, slices = _elements(network)
    positions = set(thresholding_layers(network))
    p = network.check_parameters(p)
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or Y.shape[0] != network.n_in:
        raise ValueError(f"Y must have shape ({network.n_in}, n) (features x examples), got {Y.shape}")
    masks = []
    for k, (e, (i, j)) in enumerate(zip(elements, slices)):
        if k in positions:
            A = e._pre_activation(p[i:j], Y)[1]
            masks.append(A > threshold_of(e.sigma))
            Y = A * masks[-1]                 # PHT(A), bit for bit what sigma.f(A) gives
        else:
            Y = e._forward(p[i:j], Y)
    return Y, masks


def support_masks(network, p, Y) -> list[np.ndarray]:
    """masks[l] = 1[A_l > tau_l] at parameters p for examples Y: the support of each PHT layer."""
    return forward_with_support(network, p, Y)[1]


def fix_support(network, masks):
    """The network with thresholding layer l replaced by MaskedLayer(kernel_l, masks[l], bias_l).

    A Chain gives a Chain of the same class (other elements, LinearMaps and identity layers, are
    kept); one layer gives its MaskedLayer. The parameters p are the same vector.
    """
    elements, _ = _elements(network)
    positions = thresholding_layers(network)
    masks = list(masks)
    if len(masks) != len(positions):
        raise ValueError(f"expected {len(positions)} masks (one per PHT/ReLU layer of {network!r}), "
                         f"got {len(masks)}")
    replaced = list(elements)
    for k, M in zip(positions, masks):
        replaced[k] = MaskedLayer.from_layer(elements[k], M)
    n_columns = {replaced[k].mask.shape[1] for k in positions} - {1}
    if len(n_columns) > 1:
        raise ValueError(f"the masks must all have the same number of columns (examples), got {sorted(n_columns)}")
    if isinstance(network, SingleLayer):
        return replaced[0]
    return type(network)(replaced)  # the Chain class, without importing the networks package
