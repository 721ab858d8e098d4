"""Random (by default class-stratified) splits of a data set into training / validation / test."""
from __future__ import annotations

import numpy as np

from ..validation import as_matrix, check_columns_match

from .labels import class_labels

__all__ = ["split_data"]


def _part_sizes(n: int, fractions: np.ndarray) -> np.ndarray:
    """Integer sizes n_i ~ f_i n summing to n (largest remainders get the leftover examples)."""
    raw = fractions * n
    sizes = np.floor(raw).astype(int)
    leftover = n - sizes.sum()
    sizes[np.argsort(-(raw - sizes), kind="stable")[:leftover]] += 1
    return sizes


def split_data(Y, C, fractions=(0.6, 0.2, 0.2), seed: int = 0, stratify: bool = True):
    """Split the columns of (Y, C) into 2 or 3 disjoint parts of sizes ~ fractions * n.

    Y: (n_features, n) examples; C: (n_classes, n) one-hot labels (any label matrix if
    stratify=False).  fractions: 2 or 3 positive numbers summing to 1.  With stratify=True
    every part keeps the class proportions of C (sklearn's train_test_split on the column
    indices).  Returns ((Y_1, C_1), (Y_2, C_2)[, (Y_3, C_3)]).
    """
    from sklearn.model_selection import train_test_split

    Y = as_matrix(Y, "Y")
    C = as_matrix(C, "C")
    check_columns_match(Y, C, ("Y", "C"))
    try:
        f = np.asarray(fractions, dtype=float).reshape(-1)
    except (TypeError, ValueError) as err:
        raise ValueError(f"fractions must be 2 or 3 positive numbers summing to 1, "
                         f"got {fractions!r}") from err
    if f.size not in (2, 3) or not np.all(np.isfinite(f)) or np.any(f <= 0) or abs(f.sum() - 1.0) > 1e-8:
        raise ValueError(f"fractions must be 2 or 3 positive numbers summing to 1, got {fractions!r}")
    n = Y.shape[1]
    sizes = [int(s) for s in _part_sizes(n, f)]
    if min(sizes) == 0:
        raise ValueError(f"fractions {tuple(float(t) for t in f)} of {n} examples give an empty part "
                         f"(sizes {tuple(sizes)}); use more examples or larger fractions")
    labels = class_labels(C) if stratify else None  # stratifying needs one-hot C

    rng = np.random.default_rng(seed)
    parts, rest = [], np.arange(n)
    # Peel the parts off one at a time; the last part is whatever remains.
    for size in sizes[:-1]:
        strat = None if labels is None else labels[rest]
        try:
            take, rest = train_test_split(rest, train_size=size, test_size=rest.size - size,
                                          random_state=int(rng.integers(2 ** 31 - 1)), stratify=strat)
        except ValueError as err:
            raise ValueError(f"split_data cannot stratify {rest.size} examples into parts of sizes "
                             f"{tuple(sizes)} ({err}); use more examples per class or "
                             "stratify=False") from err
        parts.append(take)
    parts.append(rest)
    return tuple((Y[:, idx], C[:, idx]) for idx in parts)
