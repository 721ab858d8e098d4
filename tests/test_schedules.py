"""Learning-rate schedules: values at known epochs, use in sgd, and clear errors for bad input."""
import math

import numpy as np
import pytest

from meganet.optim import constant_rate, cosine_decay, sgd, step_decay


def test_constant_rate_is_the_same_every_epoch():
    schedule = constant_rate(0.1)
    assert [schedule(k) for k in (1, 2, 50)] == [0.1, 0.1, 0.1]
    assert schedule.eta0 == 0.1 and repr(schedule) == "constant_rate(0.1)"


def test_step_decay_multiplies_by_the_factor_every_few_epochs():
    schedule = step_decay(0.2, 0.5, 3)
    rates = [schedule(k) for k in range(1, 11)]
    assert np.allclose(rates, [0.2] * 3 + [0.1] * 3 + [0.05] * 3 + [0.025])
    assert step_decay(0.2, 1.0, 1)(100) == 0.2          # factor 1: a constant rate
    assert schedule(np.int64(4)) == schedule(4.0) == 0.1  # numpy and whole float epochs


def test_cosine_decay_follows_half_a_cosine_from_eta0_to_eta_min():
    schedule = cosine_decay(0.1, 10, eta_min=0.01)
    assert schedule(1) == pytest.approx(0.1)                       # k - 1 = 0
    assert schedule(6) == pytest.approx(0.055)                     # halfway: the mean
    assert schedule(11) == pytest.approx(0.01)                     # k - 1 = epochs
    assert schedule(30) == pytest.approx(0.01)                     # and after it
    k = 4
    assert schedule(k) == pytest.approx(0.01 + 0.045 * (1 + math.cos(math.pi * 3 / 10)))
    rates = [schedule(k) for k in range(1, 12)]
    assert all(a > b for a, b in zip(rates, rates[1:]))            # strictly decreasing
    assert cosine_decay(0.1, 10)(10) > 0                           # the last epoch still moves


def test_sgd_with_a_schedule_object_equals_sgd_with_the_same_function():
    from meganet.kernels import dense_kernel
    from meganet.layers import SingleLayer
    from meganet.losses import SoftmaxCrossEntropy
    from meganet.objectives import SingleLayerObjective

    rng = np.random.default_rng(0)
    Y = rng.uniform(-1, 1, (2, 40))
    C = np.eye(2)[:, (Y[0] * Y[1] > 0).astype(int)]
    f = SingleLayerObjective(SingleLayer(dense_kernel(4, 2), "tanh"), SoftmaxCrossEntropy(), Y, C)
    x0 = rng.standard_normal(f.n)
    schedule = cosine_decay(0.3, 4)
    a = sgd(f, x0, epochs=4, batch_size=8, learning_rate=schedule, seed=1)
    b = sgd(f, x0, epochs=4, batch_size=8, seed=1,
            learning_rate=lambda k: 0.15 * (1 + math.cos(math.pi * (k - 1) / 4)))
    assert np.allclose(a.x, b.x, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("make, match", [
    (lambda: constant_rate(0), "eta"),
    (lambda: constant_rate(float("nan")), "finite"),
    (lambda: constant_rate("fast"), "number"),
    (lambda: step_decay(-0.1, 0.5, 2), "eta0"),
    (lambda: step_decay(0.1, 2, 2), r"factor must lie in \(0, 1\]"),
    (lambda: step_decay(0.1, 0, 2), "factor"),
    (lambda: step_decay(0.1, 0.5, 0), "every"),
    (lambda: step_decay(0.1, 0.5, 2.5), "every"),
    (lambda: step_decay(0.1, 0.5, True), "every"),
    (lambda: cosine_decay(0.1, 0), "epochs"),
    (lambda: cosine_decay(0.1, 10, eta_min=-1), "eta_min"),
    (lambda: cosine_decay(0.1, 10, eta_min=0.2), "must not exceed eta0"),
    (lambda: cosine_decay(0.1, 10)(0), "epoch .*positive integer"),
    (lambda: step_decay(0.1, 0.5, 2)(1.5), "epoch .*positive integer"),
    (lambda: constant_rate(0.1)(-3), "epoch .*positive integer"),
    (lambda: constant_rate(0.1)(None), "epoch .*positive integer"),
])
def test_bad_settings_and_epochs_raise_a_clear_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()
