"""Training race: VarPro, Newton-CG, SGD and Adam on Peaks, with the same budget of work.

Every method minimises the same single-layer objective (meganet.optim.train_single_layer)

    J(p, W) = E(W [sigma(K(theta) Y + b); 1], C) + alpha_p/2 ||p||^2 + alpha_W/2 ||W||_F^2,

from the same initial layer p0 (seeded), and is charged in the same currency: work, the number
of passes over the training data that SingleLayerObjective counts (a forward pass is one, a
gradient or a Gauss-Newton product is two, a mini-batch the fraction of the data it holds).

The budget B (passes) becomes each method's limit:
  sgd, adam:          epochs = B // 2, since an epoch is one mini-batch gradient per example
                      (a forward and a backward pass): exactly 2 passes, so work = 2 epochs <= B.
  newton_cg, varpro:  an iteration costs a varying amount (CG steps, a trial point or a line
                      search, VarPro's inner solve for W), so train_single_layer(max_work=B)
                      stops at the first iteration whose recorded work reaches B: at most one
                      iteration over.
                      VarPro's first solve for W from zero may alone exceed a small B.
A method may therefore end over the budget. The race is judged at equal work: each method by its
last record within the budget (`val_error_at_budget`); a method with no record within it (its
first iteration alone exceeded B) cannot win.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import MappingProxyType

import ipywidgets as widgets
import numpy as np

from ..data import peaks_data
from ..optim import METHOD_DEFAULTS, train_single_layer
from ..validation import as_matrix, check_columns_match, check_one_hot, check_positive
from .figure_widget import FigureWidget

__all__ = ["training_race", "TrainingRace", "TrainingRaceResult", "MethodRun",
           "train_within_budget", "RACE_METHODS", "METHOD_OPTIONS"]

RACE_METHODS = ("varpro", "newton_cg", "sgd", "adam")
LABELS = {"varpro": "VarPro", "newton_cg": "Newton-CG", "sgd": "SGD", "adam": "Adam"}
COLORS = {"varpro": "C0", "newton_cg": "C1", "sgd": "C2", "adam": "C3"}

# the options of the Peaks benchmark (benchmarks/peaks_single_layer.py); the budget sets the rest
METHOD_OPTIONS = MappingProxyType({m: MappingProxyType(METHOD_DEFAULTS[m]) for m in RACE_METHODS})

WIDTH_RANGE = (5, 80)
BUDGET_RANGE = (10, 1000)  # SGD at 1000 passes: ~5 s on Peaks(500)
ALPHA_RANGE = (-8, 0)  # log10 of the regularisation sliders


@dataclass(frozen=True)
class MethodRun:
    """One method's run within the budget (arrays are read-only).

    objective : final J(p, W); train_error, val_error : final fractions misclassified.
    work : passes over the training data used (the objective's meter at the end of the run);
        iterations : iterations (Newton-CG, VarPro) or epochs (SGD, Adam) run.
    wall_time, cpu_time : seconds of the reported run (perf_counter, process_time), monitoring
        included.
    history : key -> read-only array, one entry per record (iteration or epoch); keys include
        'fun', 'work', 'time', 'train_error', 'val_error'.
    x : the final [p; vec(W)]; p, W : its layer parameters and classifier weights.
    options : the keyword arguments given to train_single_layer besides the data and settings.
    message : the optimizer's stopping message.
    model : train_single_layer's result.objective (the SingleLayerObjective), used by predict.
    val_error_at_budget : the validation error of the last record whose work is within the
        budget (nan if even the first iteration exceeded it); what the race compares.
    """

    method: str
    objective: float
    train_error: float
    val_error: float
    work: float
    iterations: int
    wall_time: float
    cpu_time: float
    history: MappingProxyType
    x: np.ndarray
    p: np.ndarray
    W: np.ndarray
    options: MappingProxyType
    message: str
    model: object = field(repr=False, compare=False)
    val_error_at_budget: float = float("nan")

    @property
    def label(self) -> str:
        return LABELS[self.method]

    def predict(self, Y) -> np.ndarray:
        """Class indices the trained network assigns to the points Y (columns)."""
        return self.model.predict(self.x, Y)


@dataclass(frozen=True)
class TrainingRaceResult:
    """The settings of one race and, per method, its MethodRun (`runs`, read-only mapping).

    best : the method with the smallest validation error at the budget (its last record within
        the budget; ties: smaller objective); methods over the budget are judged there too.
    n_layer_params : length of p = [theta; b] (width * (n_features + 1) for the dense layer).
    """

    methods: tuple
    width: int
    alpha_p: float
    alpha_W: float
    budget: int
    seed: int
    n_layer_params: int
    runs: MappingProxyType
    best: str

    def __getitem__(self, method: str) -> MethodRun:
        return self.runs[method]


def _frozen(A) -> np.ndarray:
    A = np.array(A, dtype=float)
    A.setflags(write=False)
    return A


def _check_budget(budget) -> int:
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer, float)) \
            or not float(budget).is_integer() or budget < 2:
        raise ValueError(f"budget must be an integer number of passes over the data, at least 2 "
                         f"(an SGD epoch costs 2), got {budget!r}")
    return int(budget)


def _check_width(width) -> int:
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a positive integer (the number of neurons), got {width!r}")
    return int(width)


def _check_methods(methods) -> tuple:
    if isinstance(methods, str):
        methods = (methods,)
    methods = tuple(methods)
    if not methods:
        raise ValueError(f"select at least one method from {RACE_METHODS}")
    unknown = [m for m in methods if m not in RACE_METHODS]
    if unknown:
        raise ValueError(f"methods must come from {RACE_METHODS}, got {unknown}")
    return tuple(m for m in RACE_METHODS if m in methods)  # fixed order, no repeats


def train_within_budget(Y, C, Y_val, C_val, method: str, budget: int, **settings):
    """train_single_layer(Y, C, Y_val, C_val, method=method, **settings, **METHOD_OPTIONS[method])
    limited by a budget of passes over the data (see the module docstring).

    settings: width, sigma, loss, alpha_p, alpha_W, seed, init_scale.
    Returns (result, info): the OptimizationResult and a dict with the method options it was
    given ('options', incl. the limit), its 'wall_time' and 'cpu_time' (seconds).
    """
    if method not in RACE_METHODS:
        raise ValueError(f"method must be one of {RACE_METHODS}, got {method!r}")
    budget = _check_budget(budget)
    options = dict(METHOD_OPTIONS[method])
    limit = ({"epochs": budget // 2} if method in ("sgd", "adam")
             else {"max_work": budget, "maxiter": budget})  # an iteration costs >= 1 pass
    wall, cpu = time.perf_counter(), time.process_time()
    result = train_single_layer(Y, C, Y_val, C_val, method=method, **settings, **options, **limit)
    info = dict(options={**options, **limit}, wall_time=time.perf_counter() - wall,
                cpu_time=time.process_time() - cpu)
    return result, info


def _method_run(method, result, info, budget) -> MethodRun:
    h = result.history.as_arrays()
    within = np.flatnonzero(h["work"] <= budget)
    history = MappingProxyType({k: _frozen(v) for k, v in h.items() if isinstance(v, np.ndarray)})
    full = result.objective
    p, W = full.split(result.x)
    return MethodRun(
        method=method, objective=float(result.fun), train_error=float(h["train_error"][-1]),
        val_error=float(h["val_error"][-1]), work=float(full.work),
        iterations=int(result.history.n_rows - 1), wall_time=float(info["wall_time"]),
        cpu_time=float(info["cpu_time"]), history=history,
        x=_frozen(result.x), p=_frozen(p), W=_frozen(W),
        options=MappingProxyType(dict(info["options"])), message=str(result.message), model=full,
        val_error_at_budget=float(h["val_error"][within[-1]]) if within.size else float("nan"))


class TrainingRace(FigureWidget):
    """The widget: settings and a Run button on top, the figure (an ipywidgets.Output) below.

    Attributes
    ----------
    controls : dict name -> control: 'methods' (SelectMultiple over RACE_METHODS), 'width'
        (IntSlider), 'alpha_p' and 'alpha_W' (FloatLogSlider), 'budget' (IntSlider, passes over
        the data). Moving them does not train; `run_button` (or `update()`) does.
    result : TrainingRaceResult of the last run (None before the first).
    Y, C, Y_val, C_val, seed; figure : the matplotlib Figure of the result; png : it as PNG bytes.
    """

    def __init__(self, Y, C, Y_val, C_val, *, seed: int = 0, methods=RACE_METHODS, width: int = 20,
                 alpha_p: float = 1e-3, alpha_W: float = 1e-6, budget: int = 300, run: bool = True):
        self.Y, self.C, self.Y_val, self.C_val, self.seed = Y, C, Y_val, C_val, int(seed)
        methods = _check_methods(methods)
        width = _check_width(width)
        budget = _check_budget(budget)
        alphas = {"alpha_p": check_positive(alpha_p, "alpha_p", allow_zero=False),
                  "alpha_W": check_positive(alpha_W, "alpha_W", allow_zero=False)}
        if not WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1]:
            raise ValueError(f"width must lie in {WIDTH_RANGE} (the slider's range), got {width}")
        if not BUDGET_RANGE[0] <= budget <= BUDGET_RANGE[1]:
            raise ValueError(f"budget must lie in {BUDGET_RANGE} (the slider's range), got {budget}")
        for name, a in alphas.items():
            if not 10.0 ** ALPHA_RANGE[0] <= a <= 10.0 ** ALPHA_RANGE[1]:
                raise ValueError(f"{name} must lie in [1e{ALPHA_RANGE[0]}, 1e{ALPHA_RANGE[1]}] "
                                 f"(the slider's range), got {a:g}")

        wide = widgets.Layout(width="380px")
        self.controls = {
            "methods": widgets.SelectMultiple(
                options=[(LABELS[m], m) for m in RACE_METHODS], value=methods, rows=4,
                description="methods", layout=widgets.Layout(width="220px")),
            "width": widgets.IntSlider(value=width, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1],
                                       description="width", continuous_update=False, layout=wide),
            "alpha_p": widgets.FloatLogSlider(value=alphas["alpha_p"], base=10, min=ALPHA_RANGE[0],
                                              max=ALPHA_RANGE[1], step=0.5, description="α_p (layer)",
                                              readout_format=".0e", continuous_update=False,
                                              layout=wide, style={"description_width": "80px"}),
            "alpha_W": widgets.FloatLogSlider(value=alphas["alpha_W"], base=10, min=ALPHA_RANGE[0],
                                              max=ALPHA_RANGE[1], step=0.5,
                                              description="α_W (classifier)",
                                              readout_format=".0e", continuous_update=False,
                                              layout=wide, style={"description_width": "80px"}),
            "budget": widgets.IntSlider(value=budget, min=BUDGET_RANGE[0], max=BUDGET_RANGE[1],
                                        step=10, description="budget", continuous_update=False,
                                        layout=wide),
        }
        self.run_button = widgets.Button(description="Run", button_style="primary",
                                         tooltip="train every selected method within the budget")
        self._init_figure((15, 4.3))
        # a fixed height: the status text grows and shrinks between runs, the figure must not jump
        self.status.layout = widgets.Layout(height="8em", overflow="auto")
        self.result: TrainingRaceResult | None = None
        sliders = widgets.VBox([self.controls[k] for k in ("width", "alpha_p", "alpha_W", "budget")]
                               + [widgets.HTML("budget: passes over the training data")])
        super().__init__([widgets.HBox([self.controls["methods"], sliders, self.run_button]),
                          self.status, self.output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.run_button.on_click(self._on_run)
        if run:
            self.update()
        else:
            self.status.value = "press Run to train"

    # --- controls ---------------------------------------------------------------------------
    def settings(self) -> dict:
        """The control values now, as keyword arguments of `evaluate`."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change) -> None:
        if self.result is not None:
            self.status.value = "settings changed: press Run to train with them"

    def _on_run(self, button=None) -> None:
        self.run_button.disabled = True
        self.status.value = "training …"
        try:
            self.update()
        except ValueError as err:  # e.g. no method selected: say so instead of a traceback
            self.status.value = f"<b>cannot run:</b> {err}"
        finally:
            self.run_button.disabled = False

    # --- computing --------------------------------------------------------------------------
    def evaluate(self, methods, width, alpha_p, alpha_W, budget) -> TrainingRaceResult:
        """Train each method within the budget on (Y, C) and measure it on (Y_val, C_val)."""
        methods = _check_methods(methods)
        width = _check_width(width)
        budget = _check_budget(budget)
        alpha_p = check_positive(alpha_p, "alpha_p")
        alpha_W = check_positive(alpha_W, "alpha_W")
        settings = dict(width=width, alpha_p=alpha_p, alpha_W=alpha_W, seed=self.seed)
        runs = {}
        for method in methods:
            result, info = train_within_budget(self.Y, self.C, self.Y_val, self.C_val, method,
                                               budget, **settings)
            runs[method] = _method_run(method, result, info, budget)
        first = next(iter(runs.values()))
        # judged at equal work: a method that overran is compared at its last record within budget
        at_budget = lambda m: (np.nan_to_num(runs[m].val_error_at_budget, nan=np.inf), runs[m].objective)
        best = min(runs, key=at_budget)
        return TrainingRaceResult(
            methods=methods, width=width, alpha_p=float(alpha_p), alpha_W=float(alpha_W),
            budget=budget, seed=self.seed, n_layer_params=int(first.p.size),
            runs=MappingProxyType(runs), best=best)

    def update(self) -> TrainingRaceResult:
        """Train with the current control values, redraw, and return the new result."""
        self.result = r = self.evaluate(**self.settings())
        rows = [f"{run.label}: J = {run.objective:.3g}, train {100 * run.train_error:.1f} %, "
                f"val {100 * run.val_error:.1f} %, {run.work:.0f} passes, {run.wall_time:.2f} s"
                + ("" if run.work <= r.budget else
                   f" (over the budget: {100 * run.val_error_at_budget:.1f} % at its last record within it)")
                for run in r.runs.values()]
        self.status.value = (f"width {r.width}, α_p = {r.alpha_p:.0e}, α_W = {r.alpha_W:.0e}, "
                             f"budget {r.budget} passes — best at the budget: {LABELS[r.best]}<br>"
                             + "<br>".join(rows))
        self._changed()
        return r

    # --- drawing ----------------------------------------------------------------------------
    def _draw(self, fig) -> None:
        """Objective and validation error against work per method, and the best method's regions."""
        from ..viz import plot_decision_regions

        r = self.result
        ax_J, ax_v, ax_r = fig.subplots(1, 3, width_ratios=[1.1, 1.1, 0.9], gridspec_kw=dict(
            left=0.06, right=0.985, bottom=0.13, top=0.86, wspace=0.3))
        for run in r.runs.values():
            h = run.history  # a marker per record when there are few (Newton-type iterations)
            style = dict(color=COLORS[run.method], lw=1.5, marker="o" if h["work"].size <= 40 else None,
                         ms=3)
            ax_J.semilogy(h["work"], h["fun"], label=f"{run.label}: J = {run.objective:.3g}", **style)
            ax_v.plot(h["work"], 100 * h["val_error"], label=f"{run.label}: {100 * run.val_error:.1f} %",
                      **style)
        for ax in (ax_J, ax_v):
            ax.axvline(r.budget, color="0.5", ls="--", lw=1)
            ax.set_xlim(0, 1.03 * max([r.budget] + [run.work for run in r.runs.values()]))
            ax.set_xlabel("work (passes over the training data)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8, loc="upper right")
        ax_J.set_ylabel(r"objective $J(p, W)$")
        ax_J.set_title(f"objective; width {r.width}, α_p = {r.alpha_p:.0e}, α_W = {r.alpha_W:.0e}",
                       fontsize=10)
        ax_v.set_ylabel("validation error (%)")
        low = r.runs[r.best].val_error_at_budget
        ax_v.set_title(f"validation error; budget {r.budget} passes (dashed)\n"
                       f"lowest at the budget: {LABELS[r.best]}, {100 * low:.1f} %", fontsize=10)

        best = r.runs[r.best]
        plot_decision_regions(best.predict, self.Y, self.C,
                              bounds=(-3, 3, -3, 3), resolution=150, ax=ax_r,
                              n_classes=self.C.shape[0])
        ax_r.set_title(f"{best.label} (best): val error {100 * best.val_error:.1f} %\n"
                       f"after {best.work:.0f} passes; training points shown", fontsize=10)


def training_race(Y=None, C=None, Y_val=None, C_val=None, seed: int = 0, *, methods=RACE_METHODS,
                  width: int = 20, alpha_p: float = 1e-3, alpha_W: float = 1e-6, budget: int = 300,
                  run: bool = True) -> TrainingRace:
    """Race VarPro, Newton-CG, SGD and Adam on a single-layer classifier with one budget of work.

    Y, C : training points (2, n) and one-hot labels (n_classes, n); Y_val, C_val : validation
        data, same rows (default: peaks_data(500, 5, seed) and peaks_data(1000, 5, seed + 1)).
    seed : the data (default data only), the initial layer (shared by all methods) and SGD's
        shuffling. methods, width, alpha_p, alpha_W, budget : initial control values (budget in
        passes over the training data). run : train once now (a few seconds), else on Run.
    Returns a TrainingRace (an ipywidgets.VBox) with .controls, .run_button, .result, .update().
    """
    given = [name for name, A in (("Y", Y), ("C", C), ("Y_val", Y_val), ("C_val", C_val))
             if A is not None]
    if not given:
        Y, C = peaks_data(500, 5, seed=seed)
        Y_val, C_val = peaks_data(1000, 5, seed=seed + 1)
    elif len(given) < 4:
        raise ValueError("pass all of Y, C, Y_val, C_val (training and validation points with "
                         f"their one-hot labels), or none for the Peaks data; got only {given}")
    Y, Y_val = as_matrix(Y, "Y"), as_matrix(Y_val, "Y_val")
    C, C_val = check_one_hot(C, "C"), check_one_hot(C_val, "C_val")
    check_columns_match(Y, C, ("Y", "C"))
    check_columns_match(Y_val, C_val, ("Y_val", "C_val"))
    if Y.shape[0] != 2 or Y_val.shape[0] != 2:
        raise ValueError(f"Y and Y_val must have 2 rows (points in the plane, for the decision "
                         f"regions), got {Y.shape[0]} and {Y_val.shape[0]}")
    if C_val.shape[0] != C.shape[0]:
        raise ValueError(f"C and C_val must have the same number of classes (rows), got "
                         f"{C.shape[0]} and {C_val.shape[0]}")
    return TrainingRace(Y, C, Y_val, C_val, seed=seed, methods=methods, width=width,
                        alpha_p=alpha_p, alpha_W=alpha_W, budget=budget, run=run)
