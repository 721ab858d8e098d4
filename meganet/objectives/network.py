"""The training objective of "network features, then a linear classifier W", full and reduced.

    Z(p) = network(p, Y)  (any element: a single layer sigma(K(theta) Y + b), a Chain, a ResNet)
    Z1 = [Z; 1^T] if the classifier has a bias
    J(p, W) = E(W Z1, C) + alpha_p/2 ||p||^2 + alpha_W/2 ||W||_F^2

Full objective, unknowns x = [p; vec(W)]:
    grad_p J = J_p^T vec(W0^T dE/dS)          (W0: W without its bias column)
    grad_W J = dE/dS Z1^T
    Gauss-Newton, block diagonal (the coupling between p and W is ignored):
        H_pp v = J_p^T vec(W0^T H_S[W0 mat(J_p v)]) + alpha_p v,   H_WW = Z1 H_S Z1^T + alpha_W I

The VarPro-reduced objective J_red(p) = min_W J(p, W) is in meganet.optim.varpro.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator

from ..linalg import mat, vec
from ..validation import as_matrix, as_vector, check_columns_match, check_positive

__all__ = ["NetworkObjective", "SingleLayerObjective"]


class NetworkObjective:
    """J(p, W) for features Z = network.forward(p, Y), scores W [Z; 1] (or W Z), labels C.

    network: any element (n_params, n_in, n_out, forward, linearize with lin.J_theta).
    `work` counts passes through the network over the data, scaled by the fraction of examples
    used, so mini-batch and full-batch methods compare fairly: a value is 1, a gradient 2
    (forward and backward), a Gauss-Newton product in p 2 (J_p v and J_p^T w). Products that
    touch only the fixed features [Z; 1] (H_WW, VarPro's inner Newton-CG on W) are cheaper
    and not counted, except 2 per inner Newton step (see VarProObjective.solve_W).
    """

    def __init__(self, network, loss, Y, C, alpha_p: float = 0.0, alpha_W: float = 0.0,
                 classifier_bias: bool = True, work_scale: float = 1.0):
        self.network, self.loss = network, loss
        self.Y = as_matrix(Y, "Y (features)")
        if self.Y.shape[0] != network.n_in:
            raise ValueError(f"Y must have {network.n_in} rows (the input size of {network!r}), "
                             f"got {self.Y.shape}")
        C = as_matrix(C, "C (labels)")
        check_columns_match(self.Y, C, ("Y (features)", "C (labels)"))
        self.C = loss._check_labels(C, loss.n_scores(C), self.Y.shape[1])
        self.alpha_p = check_positive(alpha_p, "alpha_p")
        self.alpha_W = check_positive(alpha_W, "alpha_W")
        self.classifier_bias = classifier_bias
        self.n_p = network.n_params
        self.shape_W = (loss.n_scores(C), network.n_out + int(classifier_bias))
        self.n = self.n_p + self.shape_W[0] * self.shape_W[1]
        self.work = 0.0
        self.work_scale = work_scale  # fraction of the full data set these examples are

    @property
    def layer(self):
        """The network (the name of lectures 05-08, where it is one layer)."""
        return self.network

    def subset(self, columns) -> "NetworkObjective":
        """The same objective on the examples `columns` (a mini-batch), sharing the work meter scale.

        The data were checked when this objective was made: a mini-batch of them is not checked
        again (SGD makes one per step)."""
        fraction = len(np.atleast_1d(columns)) / self.Y.shape[1]
        batch = object.__new__(NetworkObjective)
        batch.__dict__.update(self.__dict__)
        batch.Y, batch.C = self.Y[:, columns], self.C[:, columns]
        batch.work, batch.work_scale = 0.0, self.work_scale * fraction
        return batch

    def split(self, x):
        """(p, W) from x = [p; vec(W)]."""
        x = as_vector(x, "x ([p; vec(W)])", size=self.n)
        return x[:self.n_p], mat(x[self.n_p:], self.shape_W)

    def features(self, p, Y=None) -> np.ndarray:
        """Z1 = [Z; 1] (or Z) for the training data or another Y."""
        Z = self.network.forward(p, self.Y if Y is None else Y)
        return np.vstack([Z, np.ones((1, Z.shape[1]))]) if self.classifier_bias else Z

    def _W0(self, W):
        return W[:, :-1] if self.classifier_bias else W

    def value(self, p, W) -> float:
        self.work += self.work_scale
        J = self.loss.value(W @ self.features(p), self.C)
        return J + 0.5 * self.alpha_p * float(p @ p) + 0.5 * self.alpha_W * float(np.sum(W * W))

    def __call__(self, x) -> float:
        return self.value(*self.split(x))

    def _scores(self, Z, W):
        """S = W [Z; 1] (or W Z), without forming [Z; 1]."""
        return W[:, :-1] @ Z + W[:, -1:] if self.classifier_bias else W @ Z

    def _first_order(self, p, W):
        """J, Z, lin, dE/dS, hess_S at (p, W), for p a slice of a checked x (the data and labels
        were checked when this objective was made; only constraints on p, e.g. theta >= 0,
        are checked here)."""
        network = self.network
        if hasattr(network, "_check_constraints"):  # an Element: skip the entry point's checks
            network._check_constraints(p)
            Z, lin = network._linearize(p, self.Y)
        else:  # any other object with the element interface
            Z, lin = network.linearize(p, self.Y)
        E, dS, hess_S = self.loss._derivatives_in_scores(self._scores(Z, W), self.C)
        self.work += 2 * self.work_scale
        J = E + 0.5 * self.alpha_p * float(p @ p) + 0.5 * self.alpha_W * float(np.sum(W * W))
        return J, Z, lin, dS, hess_S

    def _gradient_into(self, g, p, W, Z, lin, dS):
        """g[:n_p] = grad_p, g[n_p:] = vec(grad_W), written in place."""
        g[:self.n_p] = lin.JthetaT(self._W0(W).T @ dS)
        g[:self.n_p] += self.alpha_p * p
        G = mat(g[self.n_p:], self.shape_W)  # a view into g
        if self.classifier_bias:
            G[:, :-1] = dS @ Z.T
            G[:, -1] = dS.sum(axis=1)
        else:
            G[...] = dS @ Z.T
        G += self.alpha_W * W
        return g

    def _hessian_products(self, p, W, Z, lin, hess_S):
        """The Gauss-Newton products v -> H_pp v and v -> H_WW v (plain functions on vectors)."""
        W0 = self._W0(W)
        alpha_p, alpha_W, scale = self.alpha_p, self.alpha_W, 2 * self.work_scale

        def hpp(v):
            self.work += scale
            g = lin.JthetaT(W0.T @ hess_S(W0 @ lin.Jtheta(v)))
            g += alpha_p * v
            return g

        def hww(v):
            V = mat(v, W.shape)
            HS = hess_S(self._scores(Z, V))
            out = np.empty(W.shape, order="F")
            if self.classifier_bias:
                out[:, :-1] = HS @ Z.T
                out[:, -1] = HS.sum(axis=1)
            else:
                out[...] = HS @ Z.T
            out += alpha_W * V
            return vec(out)

        return hpp, hww

    def linearize(self, p, W):
        """J, grad_p, grad_W, and the Gauss-Newton blocks H_pp, H_WW as LinearOperators."""
        p, W = np.asarray(p, dtype=float), np.asarray(W, dtype=float)
        J, Z, lin, dS, hess_S = self._first_order(p, W)
        g = self._gradient_into(np.empty(self.n), p, W, Z, lin, dS)
        hpp, hww = self._hessian_products(p, W, Z, lin, hess_S)
        H_pp = LinearOperator((self.n_p,) * 2, matvec=lambda v: hpp(np.ravel(v)),
                              rmatvec=lambda v: hpp(np.ravel(v)), dtype=float)  # scipy may pass (n, 1)
        H_WW = LinearOperator((W.size,) * 2, matvec=lambda v: hww(np.ravel(v)),
                              rmatvec=lambda v: hww(np.ravel(v)), dtype=float)
        return J, g[:self.n_p], mat(g[self.n_p:], W.shape), H_pp, H_WW

    def gradient(self, x):
        """(J, grad) in x = [p; vec(W)], without the Hessian operators `derivatives` builds:
        grad_p = J_p^T vec(W_0^T dE/dS) + alpha_p p, grad_W = dE/dS [Z; 1]^T + alpha_W W."""
        p, W = self.split(x)
        J, Z, lin, dS, _ = self._first_order(p, W)
        return J, self._gradient_into(np.empty(self.n), p, W, Z, lin, dS)

    def derivatives(self, x):
        """(J, grad, block-diagonal Gauss-Newton Hessian) in x = [p; vec(W)]."""
        p, W = self.split(x)
        J, Z, lin, dS, hess_S = self._first_order(p, W)
        g = self._gradient_into(np.empty(self.n), p, W, Z, lin, dS)
        hpp, hww = self._hessian_products(p, W, Z, lin, hess_S)
        n_p = self.n_p

        def h(v):
            v = np.ravel(v)
            out = np.empty(self.n)
            out[:n_p] = hpp(v[:n_p])
            out[n_p:] = hww(v[n_p:])
            return out

        return J, g, LinearOperator((self.n,) * 2, matvec=h, rmatvec=h, dtype=float)

    def predict(self, x, Y) -> np.ndarray:
        """Class indices predicted for the examples Y."""
        p, W = self.split(x)
        return self.loss.predict(W @ self.features(p, Y))

    def accuracy(self, x, Y=None, C=None) -> float:
        p, W = self.split(x)
        Y = self.Y if Y is None else Y
        C = self.C if C is None else C
        return self.loss.accuracy(W @ self.features(p, Y), C)


# lectures 05-08 train one layer; the objective is the same for any network
SingleLayerObjective = NetworkObjective
