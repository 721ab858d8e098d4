"""The unchecked paths a step takes (issue 12) give the numbers of the checked, public ones.

- a network's one-sweep products (`_JthetaT_JYT`, `_Jtheta_JY`) against the separate products:
  bit-identical for the reverse sweep (the same arithmetic), equal to round-off for the forward
  sweep (sigma'(A) * (K V + L(v) Y + B v_b) instead of a sum of two products);
- NetworkObjective: gradient(x), derivatives(x) and linearize(p, W) share one first-order pass,
  so their values and gradients are bit-identical, and H v of derivatives is [H_pp v; H_WW v];
- a constraint on the parameters (theta >= 0 of an M-matrix kernel) is still checked on the
  objective's path, which skips the other checks of the network's entry point.
"""
from __future__ import annotations

import numpy as np
import pytest

from meganet.data import peaks_data
from meganet.kernels import dense_kernel, m_matrix_kernel
from meganet.layers import SingleLayer, SymmetricLayer
from meganet.losses import SoftmaxCrossEntropy
from meganet.networks import Chain, ResNet, peaks_resnet
from meganet.objectives import NetworkObjective

NETWORKS = {
    "single layer": lambda: SingleLayer(dense_kernel(6, 2), "tanh"),
    "peaks resnet": lambda: peaks_resnet(width=4, n_steps=5, T=2.0),
    "chain of resnets": lambda: Chain([SingleLayer(dense_kernel(4, 2), "sin"),
                                       ResNet(SingleLayer(dense_kernel(4, 4), "tanh"), 3, 1.0),
                                       ResNet(SymmetricLayer(dense_kernel(4, 4), "tanh"), 2, 1.0)]),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_one_sweep_products_match_the_separate_products(name):
    net = NETWORKS[name]()
    rng = np.random.default_rng(0)
    Y = rng.standard_normal((net.n_in, 7))
    _, lin = net.linearize(net.initial_parameters(seed=1), Y)
    W = rng.standard_normal((net.n_out, 7))
    g, JYT_W = lin._JthetaT_JYT(W)
    assert np.array_equal(g, lin.JthetaT(W)) and np.array_equal(JYT_W, lin.JYT(W))
    assert np.array_equal(lin._JthetaT_JYT(W, need_JYT=False)[0], g)
    v, V = rng.standard_normal(net.n_params), rng.standard_normal((net.n_in, 7))
    both = lin._Jtheta_JY(v, V)
    separate = lin.JY(V) + lin.Jtheta(v)
    assert np.linalg.norm(both - separate) <= 1e-13 * np.linalg.norm(separate)
    assert np.array_equal(lin._Jtheta_JY(v, None), lin.Jtheta(v))


@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("classifier_bias", [True, False])
def test_objective_paths_agree(name, classifier_bias):
    net = NETWORKS[name]()
    Y, C = peaks_data(40, 3, seed=0)
    objective = NetworkObjective(net, SoftmaxCrossEntropy(), Y, C, alpha_p=1e-3, alpha_W=1e-2,
                                 classifier_bias=classifier_bias)
    rng = np.random.default_rng(2)
    x, v = rng.standard_normal(objective.n), rng.standard_normal(objective.n)
    J, g = objective.gradient(x)
    J2, g2, H = objective.derivatives(x)
    p, W = objective.split(x)
    J3, gp, gW, H_pp, H_WW = objective.linearize(p, W)
    assert J == J2 == J3 and abs(J - objective(x)) <= 1e-13 * abs(J)
    assert np.array_equal(g, g2) and np.array_equal(g, np.concatenate([gp, gW.reshape(-1, order="F")]))
    n_p = objective.n_p
    Hv = H.matvec(v)
    assert np.array_equal(Hv[:n_p], H_pp.matvec(v[:n_p])) and np.array_equal(Hv[n_p:], H_WW.matvec(v[n_p:]))
    assert np.array_equal(H_pp.matmat(v[:n_p, None]).ravel(), Hv[:n_p])  # a column, as scipy may pass
    # the gradient through the public pieces: the loss's derivatives and the network's J_theta^T
    Z, lin = net.linearize(p, Y)
    Z1 = np.vstack([Z, np.ones((1, Z.shape[1]))]) if classifier_bias else Z
    E, dS, _ = objective.loss.derivatives(W @ Z1, C)
    W0 = W[:, :-1] if classifier_bias else W
    reference = np.concatenate([lin.J_theta.rmatvec((W0.T @ dS).reshape(-1, order="F")) + 1e-3 * p,
                                (dS @ Z1.T + 1e-2 * W).reshape(-1, order="F")])
    assert np.linalg.norm(g - reference) <= 1e-13 * np.linalg.norm(reference)
    assert abs(J - (E + 0.5e-3 * p @ p + 0.5e-2 * np.sum(W * W))) <= 1e-13 * abs(J)


def test_parameter_constraints_are_still_checked_on_the_objective_path():
    layer = SingleLayer(m_matrix_kernel(3), "tanh")
    Y, C = peaks_data(20, 3, seed=0)
    Y = np.vstack([Y, Y[:1]])
    objective = NetworkObjective(layer, SoftmaxCrossEntropy(), Y, C)
    x = np.abs(np.random.default_rng(0).standard_normal(objective.n))
    objective.gradient(x)
    x[0] = -1.0
    for call in (objective.gradient, objective.derivatives):
        with pytest.raises(ValueError, match="theta >= 0"):
            call(x)
    with pytest.raises(ValueError, match="theta >= 0"):
        objective.subset(np.arange(5)).gradient(x)
