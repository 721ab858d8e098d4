"""Saturated losses keep their relative accuracy: value, gradient and Hessian products at scores
of +-40 and +-1e3, against a high-precision reference (mpmath, with enough digits that
1 - P_k and its like are exact: about |scores| / ln 10 of them)."""
import mpmath
import numpy as np
import pytest

from meganet.losses import Logistic, SoftmaxCrossEntropy



def _digits(S):
    return 50 + int(np.max(np.abs(S)) / np.log(10)) * 2
def _relative(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _softmax_reference(S, C, dS):
    """E, dE/dS and d2E/dS2 [dS] of softmax cross-entropy in high precision."""
    mpmath.mp.dps = _digits(S)
    n_c, n = S.shape
    E, G, H = mpmath.mpf(0), np.zeros(S.shape), np.zeros(S.shape)
    for j in range(n):
        s = [mpmath.mpf(float(x)) for x in S[:, j]]
        z = mpmath.fsum(mpmath.exp(x) for x in s)
        p = [mpmath.exp(x) / z for x in s]
        E += mpmath.log(z) - mpmath.fsum(float(c) * x for c, x in zip(C[:, j], s))
        pd = mpmath.fsum(pi * float(d) for pi, d in zip(p, dS[:, j]))
        for i in range(n_c):
            G[i, j] = float((p[i] - float(C[i, j])) / n)
            H[i, j] = float(p[i] * (float(dS[i, j]) - pd) / n)
    return float(E / n), G, H


def _logistic_reference(s, c):
    mpmath.mp.dps = _digits(s)
    E, G, H = mpmath.mpf(0), np.zeros(s.shape), np.zeros(s.shape)
    n = s.shape[1]
    for j in range(n):
        x = mpmath.mpf(float(s[0, j]))
        p = 1 / (1 + mpmath.exp(-x))
        E += mpmath.log(1 + mpmath.exp(x)) - float(c[0, j]) * x
        G[0, j] = float((p - float(c[0, j])) / n)
        H[0, j] = float(p * (1 - p) / n)
    return float(E / n), G, H


@pytest.mark.parametrize("scale", [1.0, 40.0, 1e3])
def test_softmax_keeps_relative_accuracy_when_saturated(scale):
    rng = np.random.default_rng(0)
    S = scale * rng.standard_normal((4, 12))
    S[:, :4] = scale * np.array([[1, 0, 0, 0]] * 4).T[:, :4] * np.array([1, 1, -1, 1])  # nearly one-hot
    labels = np.argmax(S, axis=0)
    labels[::3] = (labels[::3] + 1) % 4  # some wrong, some right with huge margins
    C = np.eye(4)[:, labels]
    dS = rng.standard_normal(S.shape)
    E, G, hess = SoftmaxCrossEntropy().derivatives(S, C)
    E_ref, G_ref, H_ref = _softmax_reference(S, C, dS)
    assert _relative(E, E_ref) < 1e-12
    assert _relative(G, G_ref) < 1e-10
    H = hess(dS)
    # entries below 1e-300 relative to the largest are round-off in any form
    big = np.abs(H_ref) > 1e-250
    assert _relative(H[big], H_ref[big]) < 1e-9


@pytest.mark.parametrize("scale", [1.0, 40.0, 1e3])
def test_logistic_keeps_relative_accuracy_when_saturated(scale):
    s = scale * np.array([[-1.0, -0.6, 0.3, 0.9, 1.0, -1.0, 0.7]])
    c = np.array([[0.0, 1, 1, 1, 1, 1, 0]])
    E, G, hess = Logistic().derivatives(s, c)
    E_ref, G_ref, H_ref = _logistic_reference(s, c)
    assert _relative(E, E_ref) < 1e-12
    big = np.abs(G_ref) > 1e-300
    assert _relative(G[big], G_ref[big]) < 1e-12
    big = np.abs(H_ref) > 1e-300
    assert _relative(hess(np.ones_like(s))[big], H_ref[big]) < 1e-12
