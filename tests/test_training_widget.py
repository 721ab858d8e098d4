"""Training race: the Run button trains through train_single_layer within a budget of work.

Independent path: train_single_layer called directly, with the budget turned into epochs
(SGD, Adam: budget // 2) or into max_work (Newton-CG, VarPro).
"""
import dataclasses

import ipywidgets
import numpy as np
import pytest

from meganet.data import peaks_data
from meganet.losses import SoftmaxCrossEntropy
from meganet.optim import train_single_layer
from meganet.widgets import MethodRun, TrainingRace, TrainingRaceResult, training_race
from meganet.widgets.training import METHOD_OPTIONS, RACE_METHODS

BUDGET, WIDTH, SEED = 60, 8, 0


@pytest.fixture(scope="module")
def data():
    Y, C = peaks_data(150, 3, seed=0)
    Y_val, C_val = peaks_data(150, 3, seed=1)
    return Y, C, Y_val, C_val


@pytest.fixture(scope="module")
def race(data):
    return training_race(*data, seed=SEED, methods=("newton_cg", "adam"), width=WIDTH, budget=BUDGET)


def test_the_race_is_a_widget_with_controls_a_run_button_and_a_frozen_result(race):
    assert isinstance(race, ipywidgets.Widget) and isinstance(race, TrainingRace)
    assert set(race.controls) == {"methods", "width", "alpha_p", "alpha_W", "budget"}
    assert isinstance(race.controls["methods"], ipywidgets.SelectMultiple)
    assert {m for _, m in race.controls["methods"].options} == set(RACE_METHODS)
    assert isinstance(race.controls["alpha_p"], ipywidgets.FloatLogSlider)
    assert isinstance(race.run_button, ipywidgets.Button)
    r = race.result
    assert isinstance(r, TrainingRaceResult) and r.methods == ("newton_cg", "adam")
    assert (r.width, r.budget, r.seed) == (WIDTH, BUDGET, SEED)
    assert all(isinstance(run, MethodRun) for run in r.runs.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.width = 3
    with pytest.raises(TypeError):
        r.runs["sgd"] = r.runs["adam"]  # a read-only mapping
    with pytest.raises(ValueError):
        r["adam"].history["work"][0] = 1.0  # read-only arrays
    with pytest.raises(ValueError):
        r["adam"].p[0] = 1.0
    # drawn headless: three panels, a PNG, nothing pushed to a missing front end
    assert race.png.startswith(b"\x89PNG")
    assert len(race.figure.axes) >= 3
    assert race.output.outputs == ()


def test_two_methods_give_finite_errors_and_monotone_work_within_the_budget(race, data):
    _, _, Y_val, C_val = data
    r = race.result
    assert set(r.runs) == {"newton_cg", "adam"}
    for method, run in r.runs.items():
        h = run.history
        assert {"fun", "work", "time", "train_error", "val_error"} <= set(h)
        assert np.all(np.isfinite(h["fun"])) and np.all(np.isfinite(h["val_error"]))
        assert 0 <= run.train_error <= 1 and 0 <= run.val_error <= 1
        assert np.all(np.diff(h["work"]) > 0), method
        assert run.work == h["work"][-1]
        assert np.all(h["work"][:-1] < BUDGET)  # stopped at the first record that reached it
        assert run.objective == h["fun"][-1] and run.val_error == h["val_error"][-1]
        assert h["work"].size == run.iterations + 1
        assert run.wall_time > 0 and run.cpu_time >= 0
        # the reported error is the trained network's on the validation points
        assert np.isclose(run.val_error, np.mean(run.predict(Y_val) != np.argmax(C_val, axis=0)))
    assert r["adam"].work == pytest.approx(2 * (BUDGET // 2)) and r["adam"].iterations == BUDGET // 2
    # judged at equal work: each method by its last record within the budget
    for run in r.runs.values():
        within = run.history["work"] <= BUDGET
        assert run.val_error_at_budget == run.history["val_error"][within][-1]
    assert r.best == min(r.runs, key=lambda m: (r.runs[m].val_error_at_budget, r.runs[m].objective))
    assert f"lowest at the budget: {r[r.best].label}" in race.figure.axes[1].get_title()
    assert race.status.layout.height == "8em"   # the widget keeps its height when the text changes


def test_sliders_wait_for_run_and_the_width_sets_the_layer_size(data):
    race = training_race(*data, methods=("sgd",), width=WIDTH, budget=20)
    before = race.result
    race.controls["width"].value = 2 * WIDTH
    assert race.result is before and "press Run" in race.status.value  # no training on a move
    race.run_button.click()
    after = race.result
    assert after is not before and after.width == 2 * WIDTH
    # dense layer on 2 features: theta (width x 2) and a bias per neuron
    assert before.n_layer_params == 3 * WIDTH and after.n_layer_params == 6 * WIDTH
    assert after["sgd"].p.size == after.n_layer_params
    assert after["sgd"].W.shape == (3, 2 * WIDTH + 1)  # classes x (neurons + bias)


def test_a_larger_layer_regularisation_gives_a_smaller_layer_and_a_larger_objective(data):
    """Not a theorem for iterates stopped by a budget, but robust: over seeds 0-2 and budgets
    60-600 the ratio of ||p|| (alpha_p 1e-1 over 1e-5) was at most 0.3 for SGD, whose objective
    grew by at least 0.2. Newton-CG in its trust region moves p by at most the radius per step,
    so within a small budget neither run gets far from p0: over seeds 0-2 its ratio was
    0.81-0.88 at 60 passes, 0.58-0.74 at 200, 0.37-0.47 at 600 (the Armijo line search, whose
    first Newton steps are long, gave 0.15-0.55 at 60 passes). (VarPro is left out: on a small
    budget its first solve for W uses it all and p stays at p0.)"""
    race = training_race(*data, methods=("newton_cg", "sgd"), width=WIDTH, budget=BUDGET,
                         alpha_p=1e-5)
    weak = race.result
    race.controls["alpha_p"].value = 1e-1
    strong = race.update()
    assert strong.alpha_p == pytest.approx(1e-1) and weak.alpha_p == pytest.approx(1e-5)
    for method in ("newton_cg", "sgd"):
        ratio = {"sgd": 0.5, "newton_cg": 0.95}[method]
        assert np.linalg.norm(strong[method].p) < ratio * np.linalg.norm(weak[method].p), method
        assert strong[method].objective > weak[method].objective, method
        # the objective is the loss plus the penalties it reports (computed independently)
        run, model = strong[method], strong[method].model
        loss = SoftmaxCrossEntropy().value(run.W @ model.features(run.p), model.C)
        penalty = 0.5 * strong.alpha_p * run.p @ run.p + 0.5 * strong.alpha_W * np.sum(run.W ** 2)
        assert run.objective == pytest.approx(loss + penalty, rel=1e-10)


def _direct(data, method, **extra):
    return train_single_layer(*data, method=method, width=WIDTH, alpha_p=1e-3, alpha_W=1e-6,
                              seed=SEED, **METHOD_OPTIONS[method], **extra)


@pytest.mark.parametrize("method", ["sgd", "newton_cg", "varpro"])
def test_results_match_train_single_layer_called_directly(data, method):
    budget = 120
    race = training_race(*data, seed=SEED, methods=(method,), width=WIDTH, budget=budget)
    run = race.result[method]
    if method == "sgd":  # an epoch is 2 passes
        direct = _direct(data, method, epochs=budget // 2)
    else:  # stopped by the work it has done: a prefix of a longer run
        direct = _direct(data, method, max_work=budget, maxiter=budget)
        long = _direct(data, method, maxiter=direct.nit + 3)
        k = direct.nit
        np.testing.assert_array_equal(run.history["fun"], long.history["fun"][:k + 1])
        assert long.history["work"][k] >= budget > long.history["work"][k - 1]
    h = direct.history.as_arrays()
    np.testing.assert_array_equal(run.x, direct.x)
    assert run.objective == direct.fun and run.iterations == direct.nit
    assert (run.train_error, run.val_error) == (h["train_error"][-1], h["val_error"][-1])
    np.testing.assert_array_equal(run.history["work"], h["work"])
    assert run.work == direct.objective.work


@pytest.mark.parametrize("change, message", [
    (lambda Y, C, Yv, Cv: (np.where(np.arange(Y.size).reshape(Y.shape) == 3, np.nan, Y), C, Yv, Cv),
     "finite"),
    (lambda Y, C, Yv, Cv: (Y, 2 * C, Yv, Cv), "one-hot"),
    (lambda Y, C, Yv, Cv: (Y, C, Yv, np.ones_like(Cv)), "one-hot"),
    (lambda Y, C, Yv, Cv: (Y, C[:, :-1], Yv, Cv), "one column per example"),
    (lambda Y, C, Yv, Cv: (np.vstack([Y, Y[:1]]), C, np.vstack([Yv, Yv[:1]]), Cv), "2 rows"),
    (lambda Y, C, Yv, Cv: (Y, C, None, None), "pass all of Y, C, Y_val, C_val"),
])
def test_bad_data_raises_a_clear_value_error(data, change, message):
    with pytest.raises(ValueError, match=message):
        training_race(*change(*data), run=False)


@pytest.mark.parametrize("options, message", [
    (dict(methods=()), "at least one method"),
    (dict(methods=("bfgs",)), "methods must come from"),
    (dict(width=0), "width"),
    (dict(budget=1), "budget"),
    (dict(alpha_p=-1.0), "alpha_p"),
])
def test_bad_settings_raise_a_clear_value_error(data, options, message):
    with pytest.raises(ValueError, match=message):
        training_race(*data, run=False, **options)


def test_run_without_a_method_says_so(data):
    race = training_race(*data, methods=("sgd",), width=WIDTH, budget=10, run=False)
    assert race.result is None and "press Run" in race.status.value
    race.controls["methods"].value = ()
    with pytest.raises(ValueError, match="at least one method"):
        race.update()
    race.run_button.click()  # the button reports instead of raising
    assert race.result is None and "at least one method" in race.status.value
    assert not race.run_button.disabled


def test_with_a_front_end_the_run_button_draws_into_the_output(data, monkeypatch):
    import meganet.widgets.figure_widget as figure_widget

    race = training_race(*data, methods=("adam",), width=WIDTH, budget=10, run=False)
    monkeypatch.setattr(figure_widget, "front_end", lambda: True)
    race.run_button.click()
    assert race.result is not None and not race._stale and race._png is not None


def test_a_method_over_the_budget_is_judged_at_its_last_record_within_it(data):
    """VarPro's first solve for W alone costs more than a small budget: it ends with a low
    validation error after more passes than the others were allowed, so it must not win."""
    race = training_race(*data, seed=SEED, methods=("varpro", "sgd"), width=WIDTH, budget=20, run=False)
    r = race.evaluate(("varpro", "sgd"), WIDTH, 1e-3, 1e-6, 20)
    varpro, sgd = r["varpro"], r["sgd"]
    assert varpro.work > 20 and np.isnan(varpro.val_error_at_budget)
    assert sgd.work <= 20 + 1e-9 and sgd.val_error_at_budget == sgd.val_error
    assert r.best == "sgd"
