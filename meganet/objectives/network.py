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

    def linearize(self, p, W):
        """J, grad_p, grad_W, and the Gauss-Newton blocks H_pp, H_WW as LinearOperators."""
        Z, lin = self.network.linearize(p, self.Y)
        Z1 = np.vstack([Z, np.ones((1, Z.shape[1]))]) if self.classifier_bias else Z
        E, dS, hess_S = self.loss.derivatives(W @ Z1, self.C)
        W0 = self._W0(W)
        self.work += 2 * self.work_scale
        J = E + 0.5 * self.alpha_p * float(p @ p) + 0.5 * self.alpha_W * float(np.sum(W * W))
        grad_p = lin.J_theta.rmatvec(vec(W0.T @ dS)) + self.alpha_p * p
        grad_W = dS @ Z1.T + self.alpha_W * W

        def hpp(v):
            v = np.ravel(v)  # scipy may pass a column (n, 1)
            self.work += 2 * self.work_scale
            dZ = mat(lin.J_theta.matvec(v), Z.shape)
            return lin.J_theta.rmatvec(vec(W0.T @ hess_S(W0 @ dZ))) + self.alpha_p * v

        def hww(v):
            v = np.ravel(v)
            return vec(hess_S(mat(v, W.shape) @ Z1) @ Z1.T) + self.alpha_W * v

        H_pp = LinearOperator((self.n_p,) * 2, matvec=hpp, rmatvec=hpp, dtype=float)
        H_WW = LinearOperator((W.size,) * 2, matvec=hww, rmatvec=hww, dtype=float)
        return J, grad_p, grad_W, H_pp, H_WW

    def gradient(self, x):
        """(J, grad) in x = [p; vec(W)], without the Hessian operators `derivatives` builds:
        grad_p = J_p^T vec(W_0^T dE/dS) + alpha_p p, grad_W = dE/dS [Z; 1]^T + alpha_W W."""
        p, W = self.split(x)
        Z, lin = self.network.linearize(p, self.Y)
        Z1 = np.vstack([Z, np.ones((1, Z.shape[1]))]) if self.classifier_bias else Z
        # the labels were checked when this objective was made
        E, dS, _ = self.loss._derivatives_in_scores(W @ Z1, self.C)
        self.work += 2 * self.work_scale
        J = E + 0.5 * self.alpha_p * float(p @ p) + 0.5 * self.alpha_W * float(np.sum(W * W))
        grad_p = lin.JthetaT(self._W0(W).T @ dS) + self.alpha_p * p
        return J, np.concatenate([grad_p, vec(dS @ Z1.T + self.alpha_W * W)])

    def derivatives(self, x):
        """(J, grad, block-diagonal Gauss-Newton Hessian) in x = [p; vec(W)]."""
        p, W = self.split(x)
        J, gp, gW, H_pp, H_WW = self.linearize(p, W)
        n_p = self.n_p

        def h(v):
            v = np.ravel(v)
            return np.concatenate([H_pp.matvec(v[:n_p]), H_WW.matvec(v[n_p:])])

        return J, np.concatenate([gp, vec(gW)]), LinearOperator((self.n,) * 2, matvec=h,
                                                                 rmatvec=h, dtype=float)

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
