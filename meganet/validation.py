"""Input checks shared by every public entry point.

Each check raises a ValueError (or TypeError) that names the argument and what was expected,
so a student sees "C must be one-hot columns (n_classes, n_examples)" rather than a broadcast
error three calls deep.
"""
from __future__ import annotations

import numpy as np

__all__ = ["as_matrix", "as_vector", "check_batch", "check_one_hot", "check_binary_labels",
           "check_columns_match", "check_positive"]


def _as_float_array(A, name: str) -> np.ndarray:
    try:
        A = np.asarray(A)
    except Exception as err:  # pragma: no cover - numpy rarely refuses
        raise TypeError(f"{name} must be a numeric array, got {type(A).__name__}") from err
    if A.dtype == object or not (np.issubdtype(A.dtype, np.number) or A.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {A.dtype}")
    if np.iscomplexobj(A):
        raise TypeError(f"{name} must be real, got dtype {A.dtype}")
    return A.astype(float, copy=False)


def _check_finite(A: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(A)):
        bad = int(np.size(A) - np.count_nonzero(np.isfinite(A)))
        raise ValueError(f"{name} must contain only finite values; found {bad} NaN or Inf")


def as_matrix(A, name: str, *, shape: tuple | None = None, allow_empty: bool = False) -> np.ndarray:
    """A as a finite float matrix; `shape` may fix dimensions (None entries are free)."""
    A = _as_float_array(A, name)
    if A.ndim != 2:
        expected = "(n_features, n_examples)" if shape is None else str(shape)
        raise ValueError(f"{name} must be a 2-D array {expected} with examples in columns, "
                         f"got an array with shape {A.shape}")
    if shape is not None:
        for axis, (got, want) in enumerate(zip(A.shape, shape)):
            if want is not None and got != want:
                raise ValueError(f"{name} must have shape {tuple('*' if s is None else s for s in shape)}, "
                                 f"got {A.shape} (mismatch in dimension {axis})")
    if not allow_empty and A.size == 0:
        raise ValueError(f"{name} is empty (shape {A.shape}); at least one example is needed")
    _check_finite(A, name)
    return A


def as_vector(x, name: str, *, size: int | None = None) -> np.ndarray:
    """x as a finite float vector of the given size (a column or row matrix is accepted)."""
    x = _as_float_array(x, name)
    if x.ndim == 2 and 1 in x.shape:
        x = x.reshape(-1)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a vector, got an array with shape {x.shape}")
    if size is not None and x.size != size:
        raise ValueError(f"{name} must have {size} entries, got {x.size}")
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    _check_finite(x, name)
    return x


def check_batch(Y, rows: int, name: str, owner: str) -> np.ndarray:
    """Y as a finite real matrix with `rows` rows (examples in columns); a vector is one example."""
    Y = np.asarray(Y)  # as_matrix converts to float and refuses complex or non-numeric input
    if Y.ndim == 1:
        Y = Y[:, None]
    Y = as_matrix(Y, name)
    if Y.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows (the input size of {owner}; examples in "
                         f"columns), got shape {Y.shape}")
    return Y


def check_one_hot(C, name: str = "C", *, n_examples: int | None = None) -> np.ndarray:
    """C as one-hot label columns (n_classes, n_examples): entries 0/1, one 1 per column."""
    C = as_matrix(C, name)
    if n_examples is not None and C.shape[1] != n_examples:
        raise ValueError(f"{name} must have one column per example ({n_examples}), got shape {C.shape}")
    if not np.all((C == 0) | (C == 1)) or not np.all(C.sum(axis=0) == 1):
        raise ValueError(f"{name} must be one-hot columns (n_classes, n_examples): entries 0 or 1 "
                         "and exactly one 1 per column; use meganet.data.one_hot(labels) to encode "
                         "integer labels")
    return C


def check_binary_labels(c, name: str = "C", *, n_examples: int | None = None) -> np.ndarray:
    """Two-class labels as a row (1, n_examples) of 0/1; one-hot (2, n) columns are accepted."""
    c = as_matrix(c, name)
    if c.shape[0] == 2:
        c = check_one_hot(c, name)[1:2]
    if c.shape[0] != 1 or not np.all((c == 0) | (c == 1)):
        raise ValueError(f"{name} must be two-class labels: a row (1, n_examples) of 0/1 or "
                         f"one-hot columns (2, n_examples); got shape {c.shape}")
    if n_examples is not None and c.shape[1] != n_examples:
        raise ValueError(f"{name} must have one column per example ({n_examples}), got shape {c.shape}")
    return c


def check_sign_labels(y, name: str = "y", n_examples: int | None = None) -> np.ndarray:
    """Two-class labels as a row (1, n) of -1/+1 (a vector is accepted)."""
    y = np.asarray(y)
    if y.ndim == 1:
        y = y[None, :]
    y = as_matrix(y, name)
    if y.shape[0] != 1 or not np.all(np.abs(y) == 1):
        raise ValueError(f"{name} must be two-class labels -1/+1 as a row (1, n_examples) or a vector; "
                         f"got shape {y.shape} with values {np.unique(y)[:5]}")
    if n_examples is not None and y.shape[1] != n_examples:
        raise ValueError(f"{name} must have one entry per example ({n_examples}), got {y.shape[1]}")
    return y


def check_columns_match(A: np.ndarray, B: np.ndarray, names: tuple[str, str]) -> None:
    """A and B describe the same examples: equal numbers of columns."""
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"{names[0]} and {names[1]} must have one column per example each; "
                         f"got {A.shape[1]} and {B.shape[1]} columns")


def check_positive(value, name: str, *, allow_zero: bool = True) -> float:
    """A finite scalar >= 0 (or > 0)."""
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value
