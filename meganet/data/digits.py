"""The scikit-learn 8 x 8 handwritten digits (1,797 images, 10 classes), as columns."""
from __future__ import annotations

import numpy as np

from ._common import images_to_columns, shuffle_columns
from .labels import one_hot

__all__ = ["digits_data"]


def digits_data(seed: int = 0, shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(Y, C): Y (64, 1797) with Y[:, j] = vec(I_j) / 16 in [0, 1], C (10, 1797) one-hot.

    I_j is the 8 x 8 image of example j (gray levels 0..16), so mat(Y[:, j], (8, 8)) is
    the upright image.  Columns are randomly permuted with `seed` unless shuffle=False
    (then the order is that of sklearn.datasets.load_digits).
    """
    from sklearn.datasets import load_digits  # ships with scikit-learn, no download

    digits = load_digits()
    Y = images_to_columns(digits.images.astype(float)) / 16.0
    C = one_hot(digits.target, 10)
    return shuffle_columns(Y, C, seed, shuffle)
