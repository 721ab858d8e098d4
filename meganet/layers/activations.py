"""Activation functions sigma with their first and second derivatives, elementwise."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "tanh", "relu", "smooth_relu", "sigmoid",
           "sin", "identity"]


def _real_array(x) -> np.ndarray:
    """x as a float array (lists and scalars are converted); complex or non-numeric x is refused."""
    a = np.asarray(x)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"an activation takes a real numeric array, got dtype {a.dtype}")
    if np.iscomplexobj(a):
        raise TypeError(f"an activation takes real values, got dtype {a.dtype}")
    return a.astype(float, copy=False)


def _elementwise(fun):
    return None if fun is None else (lambda x: fun(_real_array(x)))


@dataclass(frozen=True)
class Activation:
    """sigma(x), sigma'(x) and sigma''(x), each elementwise on arrays.

    ReLU's second derivative is zero almost everywhere (its kink is not seen by Newton).
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    d2f: Callable[[np.ndarray], np.ndarray]
    both: Callable[[np.ndarray], tuple] | None = None  # (f, df) sharing work, e.g. tanh' = 1 - f^2

    def __post_init__(self):
        # every function takes arrays, lists or scalars alike (converted to float arrays); the
        # layers' unchecked paths call the raw functions on float arrays they made themselves
        raw_f, raw_df, raw_both = self.f, self.df, self.both
        object.__setattr__(self, "_f", raw_f)
        object.__setattr__(self, "_f_df", raw_both if raw_both is not None
                           else (lambda x: (raw_f(x), raw_df(x))))
        for name in ("f", "df", "d2f", "both"):
            object.__setattr__(self, name, _elementwise(getattr(self, name)))

    def __call__(self, x):
        return self.f(x)

    def f_df(self, x):
        """(sigma(x), sigma'(x)), computed together where they share work."""
        return self.both(x) if self.both is not None else (self.f(x), self.df(x))

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _smooth_relu_parts(x, eps=0.1):
    """Quadratic near 0, linear beyond: f = x^2/(4 eps) + x/2 + eps/4 on |x| <= eps."""
    inside = np.abs(x) <= eps
    f = np.where(x > eps, x, np.where(inside, x**2 / (4 * eps) + x / 2 + eps / 4, 0.0))
    df = np.where(x > eps, 1.0, np.where(inside, x / (2 * eps) + 0.5, 0.0))
    d2f = np.where(inside, 1 / (2 * eps), 0.0)
    return f, df, d2f


def _tanh_both(x):
    t = np.tanh(x)
    d = t * t
    return t, np.subtract(1, d, out=d)  # 1 - t^2, without another temporary


def _sigmoid_both(x):
    s = expit(x)
    d = 1 - s
    return s, np.multiply(s, d, out=d)


tanh = Activation("tanh", np.tanh, lambda x: 1 - np.tanh(x) ** 2,
                  lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), _tanh_both)
relu = Activation("relu", lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(float),
                  lambda x: np.zeros_like(x, dtype=float),
                  lambda x: (np.maximum(x, 0.0), (x > 0).astype(float)))
smooth_relu = Activation("smooth_relu", lambda x: _smooth_relu_parts(x)[0],
                         lambda x: _smooth_relu_parts(x)[1], lambda x: _smooth_relu_parts(x)[2],
                         lambda x: _smooth_relu_parts(x)[:2])
sigmoid = Activation("sigmoid", expit, lambda x: expit(x) * (1 - expit(x)),
                     lambda x: expit(x) * (1 - expit(x)) * (1 - 2 * expit(x)), _sigmoid_both)
sin = Activation("sin", np.sin, np.cos, lambda x: -np.sin(x))
identity = Activation("identity", lambda x: np.asarray(x, dtype=float),
                      lambda x: np.ones_like(x, dtype=float), lambda x: np.zeros_like(x, dtype=float))

ACTIVATIONS = {a.name: a for a in (tanh, relu, smooth_relu, sigmoid, sin, identity)}


def get_activation(sigma) -> Activation:
    """An Activation from itself or its name."""
    if isinstance(sigma, Activation):
        return sigma
    if sigma not in ACTIVATIONS:
        raise ValueError(f"unknown activation {sigma!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[sigma]
