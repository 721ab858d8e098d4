"""meganet: numerical methods for deep learning, small and exact.

Data flow (each arrow one import direction):
data -> kernels -> layers -> networks -> losses -> objectives -> optim -> viz / widgets.
Examples are columns (Y: n_features x n_examples), labels one-hot columns, vec stacks columns.
"""
from . import checks, linalg, losses, objectives, optim, regularizers, validation
from .linalg import mat, vec

__version__ = "0.1.0"
__all__ = ["checks", "linalg", "losses", "objectives", "optim", "regularizers", "validation",
           "vec", "mat", "__version__"]
