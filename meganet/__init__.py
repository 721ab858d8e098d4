"""meganet: numerical methods for deep learning, small and exact.

Data flow (each arrow one import direction):
data -> kernels -> layers -> networks -> losses -> objectives -> optim -> viz / widgets.
Examples are columns (Y: n_features x n_examples), labels one-hot columns, vec stacks columns.
`meganet.widgets` needs the course extras (ipywidgets) and is imported on its own, as is
`meganet.grading` (the judge that grades exercises from outside the student's process).
"""
from . import (checks, data, kernels, layers, linalg, losses, networks, objectives, optim,
               regularizers, validation, viz)
from .linalg import mat, vec

__version__ = "0.1.0"
__all__ = ["checks", "data", "kernels", "layers", "linalg", "losses", "networks", "objectives", "optim",
           "regularizers", "validation", "viz", "vec", "mat", "__version__"]
