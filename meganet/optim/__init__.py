"""Optimizers and least-squares solvers; each returns an OptimizationResult with a history."""
from .admm import ADMMNetwork, admm_train, sampled_square_solve
from .alternation import ALTERNATION_MODES, FixedSupportObjective, alternation
from .bootstrapping import bootstrap_subnetworks, guess_labels
from .elm import extreme_learning_machine
from .least_squares import cgls, lstsq, solve_normal_equations, solve_qr, solve_svd
from .line_search import armijo
from .newton_cg import newton_cg
from .trust_region import steihaug_cg, trust_region_newton_cg
from .nonlinear_least_squares import joint_least_squares, varpro_least_squares
from .result import History, OptimizationResult
from .sgd import classifier_renormalization, sgd
from .steepest_descent import steepest_descent
from .subnetworks import EXECUTORS, SubnetworkError, train_subnetworks
from .multilevel import multilevel_train
from .train import METHOD_DEFAULTS, METHODS, at_budget, train, train_single_layer
from .schedules import constant_rate, cosine_decay, step_decay
from .saa import sample_average_approximation, stochastic_approximation
from .varpro import VarProObjective, varpro

__all__ = ["lstsq", "solve_normal_equations", "solve_qr", "solve_svd", "cgls", "armijo",
           "steepest_descent", "newton_cg", "varpro_least_squares", "joint_least_squares", "train_subnetworks", "SubnetworkError",
           "EXECUTORS", "guess_labels", "bootstrap_subnetworks", "sgd", "classifier_renormalization", "varpro", "VarProObjective", "History",
           "extreme_learning_machine", "train", "train_single_layer", "multilevel_train", "METHODS",
           "METHOD_DEFAULTS",
           "OptimizationResult"]
__all__ += ["alternation", "FixedSupportObjective", "ALTERNATION_MODES"]
__all__ += ["admm_train", "ADMMNetwork", "sampled_square_solve"]
__all__ += ["at_budget", "constant_rate", "step_decay", "cosine_decay",
            "sample_average_approximation", "stochastic_approximation"]
__all__ += ["steihaug_cg", "trust_region_newton_cg"]
