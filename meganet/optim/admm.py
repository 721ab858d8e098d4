"""ADMM training of ReLU networks without gradients (Taylor et al. 2016), with convolutional layers.

The network (examples in columns, a_0 = Y of shape (n_0, n), labels y in {-1, +1} of shape (1, n))

    z_l = W_l a_{l-1},   a_l = h(z_l) = max(z_l, 0)   (l = 1, ..., L-1),      scores z_L = W_L a_{L-1},

keeps W_l, a_l and z_l as separate unknowns and relaxes the equalities into penalties. With a
multiplier lambda (1, n) on the last layer only, the augmented Lagrangian is

    L(W, a, z; lambda) = sum_j max(0, 1 - y_j z_{L,j})                                   hinge loss
                       + <lambda, z_L - W_L a_{L-1}> + beta_L ||z_L - W_L a_{L-1}||^2
                       + sum_{l<L} ( gamma_l ||a_l - h(z_l)||^2 + beta_l ||z_l - W_l a_{l-1}||^2 )
                       + alpha sum_l ||W_l||_F^2 .

One iteration minimises L exactly over one block of unknowns at a time, in the paper's order
(l = 1, ..., L-1: W_l, a_l, z_l; then W_L, z_L), and then takes a multiplier step

    lambda <- lambda + beta_L (z_L - W_L a_{L-1}).

Every block minimiser is in closed form (`weight_least_squares`, `activation_update`,
`relu_z_update`, `hinge_z_update`), so no gradient of the network is ever formed. The sweep can
only lower L; the multiplier step raises it by beta_L ||z_L - W_L a_{L-1}||^2 (the history records
L before and after it). Taylor et al. write the multiplier term as <lambda, z_L> (Bregman
iteration), which leaves lambda out of the W_L and a_{L-1} updates; multiplier="paper" does that.
Its fixed points need not be stationary in W_L (W_L = z_L a^+ holds for any feasible point), so
the default is the textbook term <lambda, z_L - W_L a_{L-1}>, whose fixed points are.

A layer may be a convolution W_l = K(theta_l) with zero boundary (a Toeplitz matrix,
`meganet.kernels.ConvZero`); its weight update is the least-squares problem for theta,
solved matrix-free by scipy's lsqr on theta -> vec(K(theta) a_{l-1}) (`conv_weight_least_squares`).
`sampled_square_solve` is the shortcut of solving only as many sampled equations as unknowns.

Dense layers may carry a bias (W_l acts on [a_{l-1}; 1]); convolutions have none. The trainer
reports a hidden layer of all zeros (every ReLU unit off for every example: the network's output
is then a constant) as status 7 instead of running on. A dead layer (a_l = 0, z_l <= 0) whose next
weight W_{l+1} has a zero linear part is a fixed point: the a_l update returns h(z_l) = 0, the z_l
update returns min(W_l a_{l-1}, 0) = z_l, W_l = z_l a_{l-1}^+ reproduces W_l a_{l-1}, and the
W_{l+1} update puts no weight on the zero input. A zero start is such a point.
"""
from __future__ import annotations

import time
from numbers import Integral

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import LinearOperator, cg, lsqr

from ..kernels import ConvZero
from ..linalg import mat, vec
from ..losses.hinge import Hinge
from ..validation import as_matrix, check_positive, check_sign_labels
from .result import History, OptimizationResult, run_callback

__all__ = ["admm_train", "ADMMNetwork", "Hinge", "hinge_z_update", "relu_z_update",
           "activation_update", "weight_least_squares", "LeastSquaresFactor",
           "conv_weight_least_squares", "sampled_square_solve", "check_sign_labels"]

MESSAGES = {
    0: "converged: the Lagrangian and the last layer's constraint stopped changing",
    1: "maximum number of iterations reached",
    3: "stopped by callback",
    4: "non-finite values in the ADMM variables",
    5: "singular sampled square subsystem in a weight update",
    7: "dead layer: every ReLU unit of a hidden layer is zero on every training example",
}


def _relu(x):
    return np.maximum(x, 0.0)


# --- the closed-form block minimisers ---------------------------------------------------------
def hinge_z_update(m, y, beta: float, lam=0.0) -> np.ndarray:
    """argmin_z  max(0, 1 - y z) + lam z + beta (z - m)^2, entrywise (y = +-1, beta > 0).

    The objective is convex and piecewise quadratic; its minimiser is the first that applies of
        z_0 = m - lam/(2 beta)          if y z_0 >= 1   (hinge inactive)
        z_1 = z_0 + y/(2 beta)          if y z_1 <= 1   (hinge active, slope -y)
        z   = y                         otherwise        (the kink y z = 1)
    """
    beta = check_positive(beta, "beta", allow_zero=False)
    m, y, lam = np.asarray(m, float), np.asarray(y, float), np.asarray(lam, float)
    z0 = m - lam / (2 * beta)
    z1 = z0 + y / (2 * beta)
    return np.where(y * z0 >= 1, z0, np.where(y * z1 <= 1, z1, y * np.ones_like(z0)))


def relu_z_update(a, m, beta: float, gamma: float) -> np.ndarray:
    """argmin_z  gamma (a - max(z, 0))^2 + beta (z - m)^2, entrywise (global minimiser).

    On z >= 0 the objective is a quadratic with minimiser (gamma a + beta m)/(gamma + beta),
    projected onto z >= 0; on z <= 0 it is gamma a^2 + beta (z - m)^2 with minimiser min(m, 0).
    The smaller of the two values wins (ties go to z >= 0).
    """
    beta = check_positive(beta, "beta", allow_zero=False)
    gamma = check_positive(gamma, "gamma", allow_zero=False)
    a, m = np.asarray(a, float), np.asarray(m, float)
    z_pos = np.maximum((gamma * a + beta * m) / (gamma + beta), 0.0)
    z_neg = np.minimum(m, 0.0)
    f_pos = gamma * (a - z_pos) ** 2 + beta * (z_pos - m) ** 2
    f_neg = gamma * a ** 2 + beta * (z_neg - m) ** 2
    return np.where(f_pos <= f_neg, z_pos, z_neg)


def activation_update(W, T, H, beta: float, gamma: float, A0=None, cg_rtol: float = 1e-10,
                      cg_maxiter: int = 500) -> np.ndarray:
    """argmin_A  gamma ||A - H||_F^2 + beta ||T - W A||_F^2  =  (beta W^T W + gamma I)^{-1}(beta W^T T + gamma H).

    W: (n_next, n_l) matrix, or a LinearOperator (a convolution K(theta), matrix-free);
    T: (n_next, n) the next layer's target (z_{l+1} minus its bias); H: (n_l, n) = h(z_l).
    A matrix W is solved by a Cholesky factorisation of the smaller of the two SPD matrices
    beta W^T W + gamma I (n_l x n_l) and gamma/beta I + W W^T (n_next x n_next), the latter by
    the identity (gamma I + beta W^T W)^{-1} = (I - W^T (gamma/beta I + W W^T)^{-1} W) / gamma.
    A LinearOperator is solved for all columns at once by conjugate gradients (start A0).
    """
    beta = check_positive(beta, "beta", allow_zero=False)
    gamma = check_positive(gamma, "gamma", allow_zero=False)
    T, H = as_matrix(T, "T (next layer's target)"), as_matrix(H, "H (h(z_l))")
    n_next, n_l = W.shape
    if T.shape[0] != n_next or H.shape[0] != n_l or T.shape[1] != H.shape[1]:
        raise ValueError(f"for W of shape {W.shape}, T must be ({n_next}, n) and H ({n_l}, n) with the same n; "
                         f"got T {T.shape} and H {H.shape}")
    if isinstance(W, LinearOperator):
        n_l, n = H.shape
        R = beta * W.rmatmat(T) + gamma * H

        def normal(v):
            V = mat(np.ravel(v), (n_l, n))
            return vec(beta * W.rmatmat(W.matmat(V)) + gamma * V)

        op = LinearOperator((n_l * n,) * 2, matvec=normal, rmatvec=normal, dtype=float)
        x, info = cg(op, vec(R), x0=None if A0 is None else vec(A0), rtol=cg_rtol, atol=0.0,
                     maxiter=cg_maxiter)
        return mat(x, (n_l, n))
    W = np.asarray(W, float)
    R = beta * (W.T @ T) + gamma * H
    if n_next < n_l:
        G = W @ W.T
        G[np.diag_indices_from(G)] += gamma / beta
        return (R - W.T @ scipy.linalg.cho_solve(scipy.linalg.cho_factor(G), W @ R)) / gamma
    G = beta * (W.T @ W)
    G[np.diag_indices_from(G)] += gamma
    return scipy.linalg.cho_solve(scipy.linalg.cho_factor(G), R)


class LeastSquaresFactor:
    """The thin SVD A^T = U diag(s) V^T of a fixed input A (n_in, n), for repeated weight solves.

    `solve(Z, alpha)` = argmin_W ||W A - Z||_F^2 + alpha ||W||_F^2, i.e. the transposed problem
    A^T W^T = Z^T in the least-squares sense:  W^T = V diag(s / (s^2 + alpha)) U^T Z^T;
    for alpha = 0 the minimum-norm solution, with singular values below rcond * s_max dropped
    (numpy.linalg.lstsq's rule). The factor is computed once (the input layer's a_0 never changes);
    each solve is then two products, no pseudo-inverse is formed.
    """

    def __init__(self, A, rcond: float | None = None):
        A = as_matrix(A, "A (layer input, n_in x n)")
        self.U, self.s, self.Vt = np.linalg.svd(A.T, full_matrices=False)
        self.rcond = np.finfo(float).eps * max(A.shape) if rcond is None else rcond
        self.shape = A.shape

    def __repr__(self) -> str:
        return f"LeastSquaresFactor(shape={self.shape})"

    def solve(self, Z, alpha: float = 0.0) -> np.ndarray:
        s = self.s
        if alpha > 0:
            f = s / (s * s + alpha)
        else:
            keep = s > self.rcond * (s[0] if s.size else 0.0)
            f = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
        return ((Z @ self.U) * f) @ self.Vt


def weight_least_squares(A, Z, alpha: float = 0.0, factor: LeastSquaresFactor | None = None,
                         method: str = "lstsq", atol: float = 1e-10) -> np.ndarray:
    """argmin_W  ||W A - Z||_F^2 + alpha ||W||_F^2  for A (n_in, n), Z (n_out, n): W (n_out, n_in).

    The transposed problem A^T W^T ~ Z^T is solved
      method "lstsq": by scipy.linalg.lstsq (SVD based, minimum norm if A is rank deficient), with
          alpha > 0 as the stacked system [A^T; sqrt(alpha) I] W^T ~ [Z^T; 0];
      method "lsqr": by scipy.sparse.linalg.lsqr, one row of W at a time, damp = sqrt(alpha)
          (for wide inputs, where the dense factorisation costs O(n n_in^2));
    or by a `LeastSquaresFactor` of A computed once. (W = Z A^+ in exact arithmetic for
    alpha = 0, but A^+ is never formed.)
    """
    alpha = check_positive(alpha, "alpha")
    Z = as_matrix(Z, "Z (targets, n_out x n)")
    if factor is not None:
        if factor.shape[1] != Z.shape[1]:
            raise ValueError(f"Z must have {factor.shape[1]} columns (one per example), got {Z.shape}")
        return factor.solve(Z, alpha)
    A = as_matrix(A, "A (layer input, n_in x n)")
    if A.shape[1] != Z.shape[1]:
        raise ValueError(f"A and Z must have one column per example each; got {A.shape} and {Z.shape}")
    if method == "lsqr":
        M = A.T
        return np.vstack([lsqr(M, row, damp=np.sqrt(alpha), atol=atol, btol=atol,
                               iter_lim=10 * A.shape[0])[0] for row in Z])
    if method != "lstsq":
        raise ValueError(f"method must be 'lstsq' or 'lsqr', got {method!r}")
    M, B = A.T, Z.T
    if alpha > 0:
        M = np.vstack([M, np.sqrt(alpha) * np.eye(A.shape[0])])
        B = np.vstack([B, np.zeros((A.shape[0], Z.shape[0]))])
    return scipy.linalg.lstsq(M, B)[0].T


def conv_weight_least_squares(kernel, A, Z, alpha: float = 0.0, theta0=None, atol: float = 1e-10,
                              btol: float = 1e-10, iter_lim: int | None = None, J=None):
    """argmin_theta ||K(theta) A - Z||_F^2 + alpha ||theta||^2 for a convolution K(theta), matrix-free.

    vec(K(theta) A) = J theta is linear in theta; J (n_out n x n_theta) is the kernel's J_theta at A
    (matvec: vec(K(v) A); rmatvec: the stencil gradient), so scipy.sparse.linalg.lsqr solves
    min ||J theta - vec(Z)||^2 + alpha ||theta||^2 (damp = sqrt(alpha)) without forming J.
    theta0 warm-starts lsqr when alpha = 0 (with damp > 0 lsqr's x0 would shift the regulariser).
    J may be passed in when A is fixed. Returns (theta, info) with lsqr's istop, itn and the
    residual norm ||J theta - vec(Z)||.
    """
    alpha = check_positive(alpha, "alpha")
    Z = as_matrix(Z, "Z (targets, n_out x n)")
    if J is None:
        A = as_matrix(A, "A (layer input)")
        J = kernel.linearize(np.zeros(kernel.n_theta), A)[1].J_theta
    if J.shape[0] != Z.size:
        raise ValueError(f"Z must have shape ({kernel.n_out}, n) matching the input's examples; got {Z.shape}")
    x0 = theta0 if (theta0 is not None and alpha == 0) else None
    out = lsqr(J, vec(Z), damp=np.sqrt(alpha), atol=atol, btol=btol,
               iter_lim=iter_lim if iter_lim is not None else 10 * kernel.n_theta, x0=x0)
    theta, istop, itn = out[0], out[1], out[2]
    residual = float(np.linalg.norm(J.matvec(theta) - vec(Z)))
    return theta, {"istop": int(istop), "itn": int(itn), "residual": residual}


def sampled_square_solve(M, b, seed=None, rows=None):
    """The shortcut: solve only k sampled equations of the (m x k) system M x ~ b (m >= k).

    Picks k distinct rows at random (or the given `rows`) and solves the square system
    M_S x = b_S by numpy.linalg.solve. Exact when b is in the range of M and M_S is well
    conditioned; otherwise the residual on all m equations can be far above the least-squares
    one. Returns (x, info): info has rows, cond (2-norm condition number of M_S; inf if singular),
    singular (x is NaN then), residual ||M x - b|| on the full system.
    M may be a dense array or a scipy sparse matrix; b a vector (m,) or a matrix (m, r).
    """
    m, k = M.shape
    if m < k:
        raise ValueError(f"the system must have at least as many equations as unknowns; got M of shape {M.shape}")
    b = np.asarray(b, float)
    if b.shape[0] != m:
        raise ValueError(f"b must have {m} rows (one per equation of M), got shape {b.shape}")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(m, size=k, replace=False)) if rows is None else np.asarray(rows)
    if rows.shape != (k,):
        raise ValueError(f"rows must name {k} equations (one per unknown), got {rows.shape}")
    MS = M[rows]
    MS = MS.toarray() if hasattr(MS, "toarray") else np.asarray(MS, float)
    cond = float(np.linalg.cond(MS))
    try:
        x = np.linalg.solve(MS, b[rows])
        singular = False
    except np.linalg.LinAlgError:
        x, singular, cond = np.full((k,) + b.shape[1:], np.nan), True, np.inf
    residual = float(np.linalg.norm(M @ x - b)) if not singular else np.inf
    return x, {"rows": rows, "cond": cond, "singular": singular, "residual": residual}


# --- the hinge loss, for back-propagation baselines on the same network and loss ----------------
# --- layers and the trained network --------------------------------------------------------------
class _Dense:
    def __init__(self, n_in, n_out, bias):
        self.n_in, self.n_out, self.bias = n_in, n_out, bias

    def init(self, rng, scale):
        W = scale * np.sqrt(2.0 / self.n_in) * rng.standard_normal((self.n_out, self.n_in))
        return np.hstack([W, np.zeros((self.n_out, 1))]) if self.bias else W

    def shape(self):
        return (self.n_out, self.n_in + int(self.bias))

    def split(self, W):
        """(linear part, offset): W a + b."""
        return (W[:, :-1], W[:, -1:]) if self.bias else (W, 0.0)

    def apply(self, W, A):
        Wl, b = self.split(W)
        return Wl @ A + b

    def __repr__(self):
        return f"dense {self.n_in} -> {self.n_out}" + (" + bias" if self.bias else "")


class _Conv:
    bias = False

    def __init__(self, kernel):
        self.kernel, self.n_in, self.n_out = kernel, kernel.n_in, kernel.n_out

    def init(self, rng, scale):
        return scale * np.sqrt(2.0 / self.kernel.fan_in) * rng.standard_normal(self.kernel.n_theta)

    def shape(self):
        return (self.kernel.n_theta,)

    def apply(self, theta, A):
        return self.kernel.apply(theta, A)

    def __repr__(self):
        return f"conv {self.kernel!r}"


class ADMMNetwork:
    """The trained network: scores W_L h(... h(W_1 Y)) with ReLU h; `weights` one per layer.

    A dense layer's weight is a matrix (n_out, n_in [+ 1 bias column]); a convolution's is theta.
    """

    def __init__(self, layers, weights):
        self.layers, self.weights = layers, weights

    def activations(self, Y):
        """[a_0 = Y, a_1, ..., a_{L-1}, z_L] of the forward pass."""
        out = [Y]
        for i, (layer, W) in enumerate(zip(self.layers, self.weights)):
            z = layer.apply(W, out[-1])
            out.append(z if i == len(self.layers) - 1 else _relu(z))
        return out

    def scores(self, Y):
        Y = as_matrix(Y, "Y (examples in columns)")
        if Y.shape[0] != self.layers[0].n_in:
            raise ValueError(f"Y must have {self.layers[0].n_in} rows, got {Y.shape}")
        return self.activations(Y)[-1]

    def predict(self, Y):
        """Labels -1/+1 (the sign of the score; 0 counts as -1)."""
        return np.where(self.scores(Y) > 0, 1.0, -1.0)

    def accuracy(self, Y, y) -> float:
        y = check_sign_labels(y, "y", np.shape(Y)[1])
        return float(np.mean(self.predict(Y) == y))

    def __repr__(self):
        return "ADMMNetwork(" + ", ".join(map(repr, self.layers)) + ")"


def _layers_from(hidden, n_in, bias):
    if isinstance(hidden, (Integral, ConvZero)):
        hidden = [hidden]
    layers = []
    for spec in list(hidden) + [1]:
        if isinstance(spec, ConvZero):
            if spec.n_in != n_in:
                raise ValueError(f"a convolution's input size must be the previous layer's size {n_in}; "
                                 f"got {spec!r} with n_in = {spec.n_in}")
            layers.append(_Conv(spec))
        elif isinstance(spec, Integral) and not isinstance(spec, bool) and spec >= 1:
            layers.append(_Dense(n_in, int(spec), bias))
        else:
            raise ValueError(f"hidden must list layer widths (positive integers) or ConvZero kernels; got {spec!r}")
        n_in = layers[-1].n_out
    return layers


def _per_layer(value, n, name):
    values = np.broadcast_to(np.asarray(value, float), (n,)) if np.ndim(value) == 0 else np.asarray(value, float)
    if values.shape != (n,):
        raise ValueError(f"{name} must be a number or one number per layer ({n}), got {np.shape(value)}")
    return [check_positive(v, name, allow_zero=False) for v in values]


def admm_train(Y, y, hidden=(), Y_val=None, y_val=None, *, beta=1.0, gamma=10.0, alpha: float = 0.0,
               bias: bool = True, maxiter: int = 50, tol: float = 1e-6, multiplier: str = "augmented",
               weight_solver: str = "lstsq", seed: int = 0, init_scale: float = 1.0, W0=None,
               stop_on_dead: bool = True, callback=None, lsqr_atol: float = 1e-10,
               lsqr_above: int = 500, dead_tol: float = 1e-10,
               factor: LeastSquaresFactor | None = None) -> OptimizationResult:
    """Train a ReLU network with hinge loss by ADMM (Taylor et al. 2016); see the module docstring.

    Y: (n_0, n) examples in columns; y: labels -1/+1, a row (1, n) or a vector.
    hidden: the hidden layers, each a width (dense ReLU layer) or a ConvZero kernel (convolution,
        no bias); the output layer is dense with one row (the score). hidden=() is a linear model.
    beta: penalty weight(s) beta_l of z_l = W_l a_{l-1}, a number or one per layer (L values);
    gamma: weight(s) gamma_l of a_l = h(z_l), a number or one per hidden layer (L - 1 values);
    alpha: weight of alpha ||W_l||^2 (ridge parameter alpha / beta_l in each weight update).
    bias: dense layers act on [a; 1]. multiplier: "augmented" (<lambda, z_L - W_L a_{L-1}>) or
        "paper" (<lambda, z_L>, Taylor et al.'s form). weight_solver: "lstsq" (least squares;
        lsqr for convolutions and for dense layers with more than lsqr_above inputs) or "sampled"
        (the square-subsystem shortcut, `sampled_square_solve`).
    factor: a LeastSquaresFactor of the dense first layer's input ([Y; 1] with a bias, else Y), to
        share one SVD between several runs on the same data (its time is then not in result.time).
    W0: initial weights (list, one per layer) instead of He-scaled Gaussian ones (seeded);
        z and a start at the forward pass of the initial network, lambda at zero.
    Stops after maxiter iterations (status 1), when L changes by less than tol relative and the
    last constraint's relative residual is below tol (status 0), on a callback's request
    (status 3), at non-finite values (4), at a singular sampled subsystem (5), or, if
    stop_on_dead, when a hidden layer of the trained network is zero on every training example
    (status 7; the layer is named in the message). A unit counts as zero if its activations are
    at most dead_tol * max(1, max |a_{l-1}|) on every example (round-off keeps a dead layer at
    1e-30 rather than at exactly 0).
    History (one row per iteration, row 0 the start): lagrangian (after the multiplier step),
    lagrangian_sweep (after the block sweep, before it), loss (hinge of the ADMM variable z_L),
    network_loss (hinge of the forward network's scores), penalty_z, penalty_a, multiplier_term,
    residual (||z_L - W_L a_{L-1}||), train_accuracy, train_error, val_error (if Y_val, y_val),
    dead_layers (how many hidden layers of the network are all zero), dead_units (hidden units
    that are zero on every training example), time, work.
    work counts passes over the data as NetworkObjective does for a gradient (2 per iteration:
    the products with a_0 in W_1's solve and in W_1 a_0; a first-layer convolution's lsqr adds 2
    per lsqr step); the thin SVD of the fixed input a_0 (done once) is in the time, not in work.
    The result has the usual fields (x = all weights stacked, fun = final L) and network
    (an ADMMNetwork), weights, state (a, z, lambda), dead_layers, lagrangian_increases (the
    iterations where a block sweep raised L by more than round-off; expected empty).
    """
    Y = as_matrix(Y, "Y (examples in columns)")
    n = Y.shape[1]
    y = check_sign_labels(y, "y", n)
    has_val = Y_val is not None or y_val is not None
    if has_val:
        if Y_val is None or y_val is None:
            raise ValueError("give both Y_val and y_val, or neither")
        Y_val = as_matrix(Y_val, "Y_val")
        if Y_val.shape[0] != Y.shape[0]:
            raise ValueError(f"Y_val must have {Y.shape[0]} rows like Y, got {Y_val.shape}")
        y_val = check_sign_labels(y_val, "y_val", Y_val.shape[1])
    if multiplier not in ("augmented", "paper"):
        raise ValueError(f"multiplier must be 'augmented' or 'paper', got {multiplier!r}")
    if weight_solver not in ("lstsq", "sampled"):
        raise ValueError(f"weight_solver must be 'lstsq' or 'sampled', got {weight_solver!r}")
    if not isinstance(maxiter, Integral) or isinstance(maxiter, bool) or maxiter < 0:
        raise ValueError(f"maxiter must be a whole number >= 0, got {maxiter!r}")
    alpha = check_positive(alpha, "alpha")
    tol = check_positive(tol, "tol")
    layers = _layers_from(hidden, Y.shape[0], bias)
    L = len(layers)
    if factor is not None:
        rows = layers[0].n_in + int(layers[0].bias)
        if not isinstance(factor, LeastSquaresFactor) or not isinstance(layers[0], _Dense) \
                or weight_solver != "lstsq" or factor.shape != (rows, n):
            raise ValueError(f"factor must be a LeastSquaresFactor of the dense first layer's input, shape "
                             f"({rows}, {n}) ([Y; 1] with a bias), used with weight_solver='lstsq'; got {factor!r}")
    beta = _per_layer(beta, L, "beta")
    gamma = _per_layer(gamma, L - 1, "gamma") if L > 1 else []
    rng = np.random.default_rng(seed)
    if W0 is None:
        W = [layer.init(rng, init_scale) for layer in layers]
    else:
        if len(W0) != L:
            raise ValueError(f"W0 must hold one weight per layer ({L}), got {len(W0)}")
        W = [np.array(w, dtype=float) for w in W0]
        for l, (layer, w) in enumerate(zip(layers, W), start=1):
            if w.shape != layer.shape() or not np.all(np.isfinite(w)):
                raise ValueError(f"W0[{l - 1}] must be a finite array of shape {layer.shape()} ({layer!r}), "
                                 f"got shape {w.shape}")
    network = ADMMNetwork(layers, W)
    ones = np.ones((1, n))
    ext = (lambda A, layer: np.vstack([A, ones]) if layer.bias else A)

    # state: a[0] = Y fixed; z[l], a[l] from the forward pass of the initial network
    a, z = [Y], [None]
    for l, layer in enumerate(layers, start=1):
        z.append(layer.apply(W[l - 1], a[l - 1]))
        if l < L:
            a.append(_relu(z[l]))
    # m[l] = W_l a_{l-1}: each product is formed once per iteration and shared by the z-update,
    # the Lagrangian and the forward pass (m[1] = W_1 Y is the network's first pre-activation)
    m = [None] + [zl.copy() for zl in z[1:]]
    lam = np.zeros((1, n))
    paper = multiplier == "paper"
    first = layers[0]
    J_first, P_first = None, None
    t_start = time.perf_counter()
    work = [0.0]

    def prepare_first_layer():
        # the fixed input a_0: factor once (dense) or build J_theta once (convolution)
        nonlocal factor, J_first, P_first
        if weight_solver == "lstsq":
            if isinstance(first, _Dense):
                factor = factor if factor is not None else LeastSquaresFactor(ext(Y, first))
            else:
                J_first = first.kernel.linearize(np.zeros(first.kernel.n_theta), Y)[1].J_theta
        elif isinstance(first, _Conv):
            P_first = first.kernel.im2col(Y)

    def shift():
        # the multiplier enters the W_L and a_{L-1} updates as a shifted target (augmented form)
        return 0.0 if paper else lam / (2 * beta[-1])

    def update_weight(l):
        layer, target, A = layers[l - 1], z[l] + (shift() if l == L else 0.0), a[l - 1]
        ridge = alpha / beta[l - 1]
        if isinstance(layer, _Dense):
            if weight_solver == "sampled":
                Ae = ext(A, layer)
                x, info = sampled_square_solve(Ae.T, target.T, seed=rng)
                if info["singular"]:
                    return f"layer {l}: the sampled {Ae.shape[0]} x {Ae.shape[0]} system is singular"
                W[l - 1] = x.T
            else:
                Ae = ext(A, layer)
                method = "lsqr" if Ae.shape[0] > lsqr_above else "lstsq"
                W[l - 1] = weight_least_squares(Ae, target, ridge, factor if l == 1 else None, method)
            return None
        kernel = layer.kernel
        if weight_solver == "sampled":
            P = P_first if l == 1 else kernel.im2col(A)
            x, info = sampled_square_solve(P, vec(target), seed=rng)
            if info["singular"]:
                return f"layer {l}: the sampled {kernel.n_theta} x {kernel.n_theta} Toeplitz subsystem is singular"
            W[l - 1] = x
            return None
        theta, info = conv_weight_least_squares(kernel, A, target, ridge, theta0=W[l - 1], atol=lsqr_atol,
                                                btol=lsqr_atol, J=J_first if l == 1 else None)
        work[0] += 2 * info["itn"] * (l == 1)
        W[l - 1] = theta
        return None

    def update_activation(l):
        nxt, w = layers[l], W[l]
        if isinstance(nxt, _Dense):
            Wl, b = nxt.split(w)
            T = z[l + 1] - b + (shift() if l + 1 == L else 0.0)
            a[l] = activation_update(Wl, T, _relu(z[l]), beta[l], gamma[l - 1])
        else:
            a[l] = activation_update(nxt.kernel.op(w), z[l + 1], _relu(z[l]), beta[l], gamma[l - 1], A0=a[l])

    def terms():
        r = z[L] - m[L]
        loss = float(np.sum(np.maximum(1.0 - y * z[L], 0.0)))
        mult = float(np.sum(lam * (z[L] if paper else r)))
        pen_z = beta[-1] * float(np.sum(r * r))
        pen_a = 0.0
        for l in range(1, L):
            rl = z[l] - m[l]
            pen_z += beta[l - 1] * float(np.sum(rl * rl))
            pen_a += gamma[l - 1] * float(np.sum((a[l] - _relu(z[l])) ** 2))
        reg = alpha * sum(float(np.sum(w * w)) for w in W)
        return {"lagrangian": loss + mult + pen_z + pen_a + reg, "loss": loss, "multiplier_term": mult,
                "penalty_z": pen_z, "penalty_a": pen_a, "residual": float(np.linalg.norm(r))}

    def dead_layers():
        acts = [Y]
        for l, layer in enumerate(layers, start=1):
            zf = m[1] if l == 1 else layer.apply(W[l - 1], acts[-1])
            acts.append(zf if l == L else _relu(zf))
        # a unit is off if its activations are zero up to round-off relative to the layer's input
        on = [np.any(acts[l] > dead_tol * max(1.0, float(np.abs(acts[l - 1]).max())), axis=1) for l in range(1, L)]
        dead = [l for l in range(1, L) if not on[l - 1].any()]
        return dead, sum(int(np.sum(~o)) for o in on), acts[-1]

    history = History()

    def record(k, sweep_value, values, t):
        dead, units, scores = dead_layers()
        row = dict(iteration=k, lagrangian_sweep=sweep_value, **values,
                   network_loss=float(np.sum(np.maximum(1.0 - y * scores, 0.0))),
                   train_accuracy=float(np.mean(np.where(scores > 0, 1.0, -1.0) == y)))
        row["train_error"] = 1.0 - row["train_accuracy"]
        if has_val:
            row["val_error"] = 1.0 - network.accuracy(Y_val, y_val)
        row["dead_layers"], row["dead_units"] = len(dead), units
        extra, stop = run_callback(callback, network)
        history.record(**row, **extra, time=t, work=work[0])
        return values["lagrangian"], dead, stop

    value, dead, stop = record(0, np.nan, terms(), time.perf_counter() - t_start)
    status, detail, increases, k = 1, "", [], 0
    if dead and stop_on_dead:
        status = 7
    elif stop:
        status = 3
    if status == 1 and maxiter > 0:
        prepare_first_layer()
    while status == 1 and k < maxiter:
        k += 1
        problem = None
        for l in range(1, L):
            problem = problem or update_weight(l)
            update_activation(l)
            m[l] = layers[l - 1].apply(W[l - 1], a[l - 1])
            z[l] = relu_z_update(a[l], m[l], beta[l - 1], gamma[l - 1])
        problem = problem or update_weight(L)
        m[L] = layers[-1].apply(W[-1], a[L - 1])
        z[L] = hinge_z_update(m[L], y, beta[-1], lam)
        work[0] += 2.0
        values = terms()
        sweep_value = values["lagrangian"]
        if problem:
            status, detail = 5, problem
        if sweep_value > value + 1e-8 * max(1.0, abs(value)):
            increases.append(k)
        step = beta[-1] * (z[L] - m[L])
        lam = lam + step
        # only the multiplier term changes: by <step, r> (textbook) or <step, z_L> (paper)
        change = float(np.sum(step * (z[L] if paper else z[L] - m[L])))
        values = {**values, "lagrangian": sweep_value + change, "multiplier_term": values["multiplier_term"] + change}
        previous = value
        value, dead, stop = record(k, sweep_value, values, time.perf_counter() - t_start)
        if status == 5:
            break
        if not all(np.all(np.isfinite(v)) for v in [*W, lam, *z[1:]]):
            status = 4
        elif dead and stop_on_dead:
            status = 7
        elif stop:
            status = 3
        elif (abs(value - previous) <= tol * max(1.0, abs(value))
              and history["residual"][-1] <= tol * max(1.0, float(np.linalg.norm(z[L])))):
            status = 0
    if status == 7:
        l = dead[0]
        detail = (f"hidden layer {l} ({layers[l - 1]!r}): all {layers[l - 1].n_out} ReLU units are zero on all "
                  f"{n} training examples at iteration {k}, so the network's score is a constant; "
                  f"once the next layer ignores it, a dead layer is a fixed point (see the module docstring): "
                  f"start again from another W0, seed or init_scale rather than iterating longer")
    message = f"ADMM: {MESSAGES[status]}" + (f" ({detail})" if detail else "")
    if increases:
        message += (f"; the block sweep raised the Lagrangian at iterations {increases[:5]}"
                    f"{'...' if len(increases) > 5 else ''} (a weight solve that is not the exact minimiser: "
                    f"a loose lsqr tolerance or the sampled shortcut)")
    x = np.concatenate([np.ravel(w, order="F") for w in W])
    return OptimizationResult(x=x, fun=value, status=status, success=status == 0, message=message, nit=k,
                              history=history, time=time.perf_counter() - t_start, network=network,
                              weights=W, state={"a": a, "z": z, "lambda": lam}, dead_layers=dead,
                              lagrangian_increases=increases, work=work[0])
