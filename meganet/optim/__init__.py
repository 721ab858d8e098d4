"""Optimizers and least-squares solvers; each returns an OptimizationResult with a history."""
from .elm import extreme_learning_machine
from .least_squares import cgls, lstsq, solve_normal_equations, solve_qr, solve_svd
from .line_search import armijo
from .newton_cg import newton_cg
from .result import History, OptimizationResult
from .sgd import sgd
from .steepest_descent import steepest_descent
from .multilevel import multilevel_train
from .train import METHOD_DEFAULTS, METHODS, train, train_single_layer
from .varpro import VarProObjective, varpro

__all__ = ["lstsq", "solve_normal_equations", "solve_qr", "solve_svd", "cgls", "armijo",
           "steepest_descent", "newton_cg", "sgd", "varpro", "VarProObjective", "History",
           "extreme_learning_machine", "train", "train_single_layer", "multilevel_train", "METHODS",
           "METHOD_DEFAULTS",
           "OptimizationResult"]
