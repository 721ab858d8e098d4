"""ResNet flow: Peaks points pushed through a 2-D residual network, and the stability of its step.

The states are points in the plane (width 2, examples in columns), Y_0 = the Peaks points, and
every step uses the SAME parameters theta_j = theta (fixed, seeded), sigma = tanh:

    general        Y_{j+1} = Y_j + h tanh(K Y_j + b)                       K dense, random
    antisymmetric  Y_{j+1} = Y_j + h tanh((K - K^T - gamma I) Y_j + b)     antisymmetric_kernel(2, gamma)
    Hamiltonian    Y_{j+1} = Y_j + h tanh(K Z_j + b),                      HamiltonianNet (Verlet),
                   Z_{j+1} = Z_j - h tanh(K^T Y_{j+1} + b),   Z_0 = 0      two SingleLayers of width 2

All three use the same random K = scale K_0 (K_0 meganet's fan-in initialisation of a dense
2 x 2 kernel, seeded) and the same bias b. The antisymmetric kernel's one parameter is
theta = K_21 - K_12, so its matrix is exactly K - K^T - gamma I. The Hamiltonian net's G layer
gets the transposed kernel K^T (as in Haber and Ruthotto's Hamiltonian network; meganet's
HamiltonianNet would allow any second kernel), and the same b.

Why one theta for every step: then the network is forward Euler (Verlet) for an autonomous ODE,
dY/dt = tanh(K Y + b), and ONE matrix decides the linear stability. With theta_j varying, every
step would have its own K_j, and the eigenvalues of the single K_j would not decide stability.

What the eigenvalue panel shows. Linearised where tanh' = 1 (its largest slope; a pre-activation
of 0), the step is a linear map Y -> M Y:
  ResNet (general, antisymmetric): M = I + h K, the forward Euler step of dY/dt = K Y. Its
      eigenvalues are 1 + h lambda with lambda those of K; the step does not amplify
      (spectral radius <= 1) iff every z = h lambda lies in the stability region |1 + z| <= 1,
      the disc of radius 1 about -1. Antisymmetric: lambda = -gamma +- i theta, so z = h(-gamma
      +- i theta); with gamma = 0 they lie on the imaginary axis, just OUTSIDE the disc
      (|1 + z|^2 = 1 + h^2 theta^2), and gamma > 0 pulls them in for h <= 2 gamma / (gamma^2 +
      theta^2).
  Hamiltonian: the state is (Y, Z) in R^4 and one Verlet step is the product of two shears,
      M = [[I, 0], [-h K^T, I]] [[I, h K], [0, I]] = [[I, h K], [-h K^T, I - h^2 K^T K]],
      so det M = 1. The panel shows z = mu - 1 for the eigenvalues mu of M, in the same plane,
      where |1 + z| <= 1 means |mu| <= 1 again. For each singular value s of K the step has a
      2 x 2 block with trace 2 - h^2 s^2 and determinant 1: |mu| = 1 exactly (on the circle: no
      growth, no decay) iff h s <= 2 (at h s = 2 a double mu = -1), else one mu is real with
      |mu| > 1. For contrast the panel
      also shows h times the eigenvalues +- i s of the linear generator [[0, K], [-K^T, 0]]:
      where forward Euler on the same linear ODE would put them (on the imaginary axis: outside).
Away from a zero pre-activation, the step's Jacobian at example i, step j is I + h D K with
D = diag(tanh'(a)) in (0, 1] (Hamiltonian: the shears with D_F K and D_G K^T); the grey cloud
shows the eigenvalues minus one of those local Jacobians for every example and step (from the
linearisations that network.linearize keeps: lin.lins[j].dsigma).

The third panel follows the spread of the points (root mean square distance to their mean) and
the largest sensitivity max_i ||dY_j / dY_0||_2 over the examples (the product of the local
Jacobians), against the linear model's rate max |1 + z|^j. The linear model is a guide, not a
bound: tanh' < 1 damps (a saturated step barely moves a point), and a product of different
local Jacobians can grow although each has |mu| = 1 (try the Hamiltonian net with a large h).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from ..data import peaks_data
from ..kernels import antisymmetric_kernel, dense_kernel
from ..layers import SingleLayer
from ..linalg import vec
from ..networks import HamiltonianNet, ResNet
from ..validation import as_matrix, check_columns_match, check_one_hot
from .figure_widget import FigureWidget

__all__ = ["resnet_flow", "ResNetFlow", "ResNetFlowResult", "KERNELS", "flow_network"]

KERNELS = ("general", "antisymmetric", "Hamiltonian")
H_RANGE = (0.05, 2.0)
STEPS_RANGE = (1, 64)
GAMMA_RANGE = (0.0, 2.0)
SCALE_RANGE = (0.25, 8.0)
SEED_MAX = 2**31 - 1
INSIDE_TOL = 1e-10  # |1 + z| <= 1 + INSIDE_TOL counts as inside (Verlet's |mu| = 1 up to rounding)
SIGMA = "tanh"


@dataclass(frozen=True)
class ResNetFlowResult:
    """What the widget shows for one setting of the controls (arrays are read-only).

    kernel, h, n_steps, gamma (used by 'antisymmetric' only), scale, seed : the settings;
        T = N h. K : the random dense 2 x 2 matrix drawn from `seed` (scale times meganet's
        fan-in initialisation); b : the bias (2,).
    step_kernel : the matrix of the ResNet layer's kernel (K, or K - K^T - gamma I); for
        'Hamiltonian' K (the F layer; the G layer has K^T).
    network : the meganet element (ResNet or HamiltonianNet); p : its parameters, theta repeated
        for every step.
    states : (N + 1, 2, n) the points Y_0, ..., Y_N (from network.linearize's lin.states);
        Z_states : (N + 1, 2, n) the second stream of the Hamiltonian net, else None.
    labels : (n,) class index of every point.
    eigenvalues : z for the linear step M at tanh' = 1: the eigenvalues of h K (2 values) for a
        ResNet, mu - 1 for the eigenvalues mu of the 4 x 4 Verlet step for 'Hamiltonian'.
    generator_eigenvalues : h times the eigenvalues of the linear ODE's matrix (K; for
        'Hamiltonian' [[0, K], [-K^T, 0]]); equal to `eigenvalues` for a ResNet.
    amplification : max |1 + z| (the spectral radius of M); inside : amplification <= 1
        (up to 1e-10): every z in the forward-Euler region |1 + z| <= 1.
    local_eigenvalues : (N, n, m) eigenvalues minus 1 of every example's local step Jacobian
        (with tanh'(a) of that example and step), m = 2 (ResNet) or 4 (Hamiltonian).
    spread : (N + 1,) root mean square distance of the points Y_j to their mean;
        spread_growth = spread[N] / spread[0].
    sensitivity : (N + 1,) max over examples of ||dY_j / dY_0||_2 (1 at j = 0).
    """

    kernel: str
    h: float
    n_steps: int
    gamma: float
    scale: float
    seed: int
    K: np.ndarray
    b: np.ndarray
    step_kernel: np.ndarray
    p: np.ndarray
    states: np.ndarray
    Z_states: np.ndarray | None
    labels: np.ndarray
    eigenvalues: np.ndarray
    generator_eigenvalues: np.ndarray
    amplification: float
    inside: bool
    local_eigenvalues: np.ndarray
    spread: np.ndarray
    sensitivity: np.ndarray
    network: object = field(repr=False, compare=False)

    @property
    def T(self) -> float:
        """Final time N h."""
        return self.n_steps * self.h

    @property
    def spread_growth(self) -> float:
        """spread[N] / spread[0]."""
        return float(self.spread[-1] / self.spread[0])


def _frozen(A) -> np.ndarray:
    A = np.array(A)
    A.setflags(write=False)
    return A


def _check_kernel(kernel) -> str:
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    return kernel


def _check_in(value, name, bounds, integer=False):
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if ok and integer:
        ok = float(value).is_integer()
    if not ok or not np.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind} in [{bounds[0]}, {bounds[1]}] (the control's "
                         f"range), got {value!r}")
    return int(value) if integer else float(value)


def flow_network(kernel: str, h: float, n_steps: int, gamma: float = 0.0, seed: int = 0,
                 scale: float = 1.0):
    """(network, p, K, b): the widget's network with the same seeded theta in every step.

    K, b = the dense 2 x 2 kernel and bias of SingleLayer(dense_kernel(2, 2), tanh)
    .initial_parameters(seed, scale=scale) (K_ij ~ N(0, scale^2 / 2), b_i ~ N(0, 1)).
    'general': ResNet of that layer; 'antisymmetric': ResNet of
    SingleLayer(antisymmetric_kernel(2, gamma)) with theta = K_21 - K_12 (matrix K - K^T -
    gamma I); 'Hamiltonian': HamiltonianNet(F, G) with F = tanh(K Z + b), G = tanh(K^T Y + b).
    T = n_steps h; p repeats the step's parameters n_steps times (Theta = [theta, ..., theta]).
    """
    kernel = _check_kernel(kernel)
    dense = SingleLayer(dense_kernel(2, 2), SIGMA)
    K_theta, b = dense.split(dense.initial_parameters(seed=int(seed), scale=float(scale)))
    K = dense.kernel.dense(K_theta)
    T = n_steps * h
    if kernel == "general":
        net, step = ResNet(dense, n_steps, T), np.concatenate([K_theta, b])
    elif kernel == "antisymmetric":
        layer = SingleLayer(antisymmetric_kernel(2, gamma), SIGMA)
        net, step = ResNet(layer, n_steps, T), np.concatenate([[K[1, 0] - K[0, 1]], b])
    else:
        G = SingleLayer(dense_kernel(2, 2), SIGMA)
        net = HamiltonianNet(dense, G, n_steps, T)
        step = np.concatenate([K_theta, b, vec(K.T), b])
    return net, np.tile(step, n_steps), K, b


def _verlet_step(h, KF, KG, dF=None, dG=None):
    """The 4 x 4 Jacobians [[I, 0], [-h D_G KG, I]] [[I, h D_F KF], [0, I]] (stacked over dF, dG)."""
    if dF is None:
        dF, dG = np.ones(2), np.ones(2)
    shape = np.broadcast_shapes(dF.shape, dG.shape)[:-1]
    eye = np.broadcast_to(np.eye(2), shape + (2, 2))
    zero = np.zeros(shape + (2, 2))
    upper = np.block([[eye, h * dF[..., :, None] * KF], [zero, eye]])
    lower = np.block([[eye, zero], [-h * dG[..., :, None] * KG, eye]])
    return lower @ upper


def _spread(states) -> np.ndarray:
    centred = states - states.mean(axis=2, keepdims=True)
    return np.sqrt((centred ** 2).sum(axis=1).mean(axis=1))


class ResNetFlow(FigureWidget):
    """The widget: controls on top, the figure (an ipywidgets.Output) below.

    Attributes
    ----------
    controls : dict name -> control: 'kernel' (Dropdown of KERNELS), 'h' (FloatSlider, step
        size), 'n_steps' (IntSlider, depth N), 'gamma' (FloatSlider, the shift of the
        antisymmetric kernel; disabled for the others), 'scale' (FloatSlider: K = scale K_0),
        'seed' (BoundedIntText: K_0 and b).
        Sliders clip values outside their range; a NaN is refused (the old value comes back).
    result : ResNetFlowResult of the current control values (recomputed by `update`).
    Y, C : the points (2, n) and their one-hot labels; figure : the matplotlib Figure of the
        result (Agg canvas); png : it as PNG bytes.
    """

    def __init__(self, Y, C, *, kernel="general", h=0.25, n_steps=16, gamma=0.5, scale=2.0, seed=0):
        self.Y, self.C = Y, C
        self.labels = _frozen(np.argmax(C, axis=0))
        settings = dict(kernel=_check_kernel(kernel), h=_check_in(h, "h", H_RANGE),
                        n_steps=_check_in(n_steps, "n_steps", STEPS_RANGE, integer=True),
                        gamma=_check_in(gamma, "gamma", GAMMA_RANGE),
                        scale=_check_in(scale, "scale", SCALE_RANGE),
                        seed=_check_in(seed, "seed", (0, SEED_MAX), integer=True))
        layout, style = widgets.Layout(width="330px"), {"description_width": "110px"}
        self.controls = {
            "kernel": widgets.Dropdown(options=list(KERNELS), value=settings["kernel"],
                                       description="kernel", layout=layout, style=style),
            "h": widgets.FloatSlider(value=settings["h"], min=H_RANGE[0], max=H_RANGE[1], step=0.05,
                                     description="step size h", continuous_update=False,
                                     layout=layout, style=style),
            "n_steps": widgets.IntSlider(value=settings["n_steps"], min=STEPS_RANGE[0],
                                         max=STEPS_RANGE[1], description="depth N (steps)",
                                         continuous_update=False, layout=layout, style=style),
            "gamma": widgets.FloatSlider(value=settings["gamma"], min=GAMMA_RANGE[0],
                                         max=GAMMA_RANGE[1], step=0.05, description="γ (antisym.)",
                                         continuous_update=False, layout=layout, style=style),
            "scale": widgets.FloatSlider(value=settings["scale"], min=SCALE_RANGE[0],
                                         max=SCALE_RANGE[1], step=0.25, description="scale of K",
                                         continuous_update=False, layout=layout, style=style),
            "seed": widgets.BoundedIntText(value=settings["seed"], min=0, max=SEED_MAX,
                                           description="seed (K, b)", layout=layout, style=style),
        }
        self._init_figure((15, 4.8))
        self.result: ResNetFlowResult | None = None
        c = self.controls
        super().__init__([widgets.HBox([widgets.VBox([c["kernel"], c["scale"], c["seed"]]),
                                        widgets.VBox([c["h"], c["n_steps"], c["gamma"]])]),
                          self.status, self.output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    # --- controls ---------------------------------------------------------------------------
    def settings(self) -> dict:
        """The control values now, as keyword arguments of `evaluate`."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change) -> None:
        try:
            self.update()
        except ValueError as err:  # e.g. h = NaN typed in: keep the last good value
            change["owner"].value = change["old"]
            self.status.value = f"<b>refused:</b> {err}"

    # --- computing --------------------------------------------------------------------------
    def evaluate(self, kernel, h, n_steps, gamma, scale, seed) -> ResNetFlowResult:
        """Run the network on Y (network.linearize) and compute the stability quantities."""
        kernel = _check_kernel(kernel)
        h = _check_in(h, "h", H_RANGE)
        n_steps = _check_in(n_steps, "n_steps", STEPS_RANGE, integer=True)
        gamma = _check_in(gamma, "gamma", GAMMA_RANGE)
        scale = _check_in(scale, "scale", SCALE_RANGE)
        seed = _check_in(seed, "seed", (0, SEED_MAX), integer=True)
        net, p, K, b = flow_network(kernel, h, n_steps, gamma, seed, scale)
        h_net = net.h  # T / N: equals h up to rounding
        _, lin = net.linearize(p, self.Y)
        n = self.Y.shape[1]
        if kernel == "Hamiltonian":
            states = np.stack([Y for Y, _ in lin.states])
            Z_states = _frozen(np.stack([Z for _, Z in lin.states]))
            theta, nF = net.step_parameters(p)[:, 0], net.F.n_params  # step 0 = every step
            step_kernel = net.F.kernel.dense(theta[:net.F.kernel.n_theta])
            KG = net.G.kernel.dense(theta[nF:nF + net.G.kernel.n_theta])
            z = np.linalg.eigvals(_verlet_step(h_net, step_kernel, KG)) - 1  # mu - 1
            generator = np.block([[np.zeros((2, 2)), step_kernel], [-KG, np.zeros((2, 2))]])
            generator_z = np.linalg.eigvals(h_net * generator)
            dF = np.stack([F.dsigma.T for F, _ in lin.lins])  # (N, n, 2)
            dG = np.stack([G.dsigma.T for _, G in lin.lins])
            local = _verlet_step(h_net, step_kernel, KG, dF, dG)  # (N, n, 4, 4)
            # dY_j / dY_0: the product of the local steps applied to [I; 0], top block
            J = np.broadcast_to(np.vstack([np.eye(2), np.zeros((2, 2))]), (n, 4, 2))
        else:
            states = np.stack(lin.states)
            Z_states = None
            kernel_ = net.layer.kernel
            step_kernel = kernel_.dense(net.step_parameters(p)[:kernel_.n_theta, 0])
            z = np.linalg.eigvals(h_net * step_kernel)
            generator_z = z
            d = np.stack([L.dsigma.T for L in lin.lins])  # (N, n, 2)
            local = np.eye(2) + h_net * d[..., :, None] * step_kernel
            J = np.broadcast_to(np.eye(2), (n, 2, 2))
        local_z = np.linalg.eigvals(local) - 1
        sensitivity = [1.0]
        for j in range(n_steps):
            J = local[j] @ J
            sensitivity.append(np.linalg.norm(J[:, :2, :], 2, axis=(1, 2)).max())  # dY_j / dY_0
        amplification = float(np.abs(1 + z).max())
        return ResNetFlowResult(
            kernel=kernel, h=h, n_steps=n_steps, gamma=gamma, scale=scale, seed=seed,
            K=_frozen(K), b=_frozen(b), step_kernel=_frozen(step_kernel), p=_frozen(p),
            states=_frozen(states), Z_states=Z_states, labels=self.labels, eigenvalues=_frozen(z),
            generator_eigenvalues=_frozen(generator_z), amplification=amplification,
            inside=bool(amplification <= 1 + INSIDE_TOL), local_eigenvalues=_frozen(local_z),
            spread=_frozen(_spread(states)), sensitivity=_frozen(sensitivity), network=net)

    def update(self) -> ResNetFlowResult:
        """Recompute for the current control values, redraw, and return the new result."""
        s = self.settings()
        self.controls["gamma"].disabled = s["kernel"] != "antisymmetric"
        self.result = r = self.evaluate(**s)
        where = ("all inside |1 + z| ≤ 1" if r.inside
                 else "some outside |1 + z| ≤ 1")
        text = (f"{self.describe(r)}; h = {_g(r.h)}, N = {r.n_steps}, T = N h = {_g(r.T)}: "
                f"{where} (max |1 + z| = {_g(r.amplification)}); spread × {_g(r.spread_growth)}, "
                f"max ‖∂Y_N/∂Y_0‖ = {_g(r.sensitivity[-1])}")
        if r.kernel != "antisymmetric":
            text += " (γ is used by the antisymmetric kernel only)"
        self.status.value = text
        self._changed()
        return r

    @staticmethod
    def describe(r: ResNetFlowResult) -> str:
        """The step in words, with its linear model's eigenvalues."""
        if r.kernel == "general":
            return f"ResNet, dense K: eigenvalues of h K = {_z(r.eigenvalues)}"
        if r.kernel == "antisymmetric":
            return (f"ResNet, K − Kᵀ − γI (γ = {_g(r.gamma)}): eigenvalues of h(K − Kᵀ − γI) = "
                    f"−hγ ± i h θ = {_z(r.eigenvalues)}")
        s = np.linalg.svd(r.step_kernel, compute_uv=False)
        return (f"Hamiltonian (Verlet), K and Kᵀ: h s_max = {_g(r.h * s[0])} "
                f"({'≤' if r.h * s[0] <= 2 else '>'} 2, |μ| {'= 1' if r.inside else '> 1'})")

    # --- drawing ----------------------------------------------------------------------------
    def _draw(self, fig) -> None:
        """Trajectories, eigenvalues against the stability region, growth through the layers."""
        import matplotlib
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Circle

        r = self.result
        ax_t, ax_z, ax_g = fig.subplots(1, 3, width_ratios=[1, 1, 1.05], gridspec_kw=dict(
            left=0.05, right=0.985, bottom=0.12, top=0.83, wspace=0.3))
        # the class colours of meganet.viz.plot_decision_regions (tab10)
        point_colors = np.asarray(matplotlib.colormaps["tab10"].colors)[r.labels % 10]

        # (a) trajectories Y_0 -> Y_N, coloured by class
        paths = np.transpose(r.states, (2, 0, 1))  # (n, N + 1, 2)
        ax_t.add_collection(LineCollection(paths, colors=point_colors, linewidths=0.7, alpha=0.45))
        ax_t.scatter(r.states[0, 0], r.states[0, 1], c=point_colors, s=5, alpha=0.5,
                     edgecolors="none")
        ax_t.scatter(r.states[-1, 0], r.states[-1, 1], c=point_colors, s=16, edgecolors="k",
                     linewidths=0.3)
        ax_t.autoscale_view()
        ax_t.set_aspect("equal", adjustable="datalim")
        ax_t.set_xlabel(r"$y_1$")
        ax_t.set_ylabel(r"$y_2$")
        ax_t.set_title(f"{r.kernel}: trajectories Y₀ (small) → Y_N (large), N = {r.n_steps}\n"
                       f"h = {_g(r.h)}, T = {_g(r.T)}; spread × {_g(r.spread_growth)}", fontsize=10)

        # (b) z = eigenvalues of h K (linear step minus I) and the region |1 + z| <= 1
        ax_z.add_patch(Circle((-1, 0), 1, facecolor="C2", alpha=0.15, edgecolor="C2", lw=1.2,
                              label="forward Euler stable: |1 + z| ≤ 1"))
        ax_z.axhline(0, color="0.7", lw=0.8)
        ax_z.axvline(0, color="0.7", lw=0.8)
        loc = r.local_eigenvalues.reshape(-1)
        ax_z.plot(loc.real, loc.imag, ".", color="0.45", ms=2, alpha=0.3)
        ax_z.plot([], [], ".", color="0.45", ms=6, label="local Jacobians, every point and step")
        main = {"general": "h λ(K)", "antisymmetric": "h λ(K − Kᵀ − γI)",
                "Hamiltonian": "μ − 1, Verlet step"}[r.kernel]
        if r.kernel == "Hamiltonian":
            g = r.generator_eigenvalues
            ax_z.plot(g.real, g.imag, "s", mfc="none", color="C1", ms=8,
                      label="h λ of [[0, K], [−Kᵀ, 0]] (forward Euler would use)")
        ax_z.plot(r.eigenvalues.real, r.eigenvalues.imag, "o", color="C2" if r.inside else "C3",
                  ms=7, label=f"{main}: max |1 + z| = {_g(r.amplification)}")
        every = np.concatenate([loc, r.eigenvalues, r.generator_eigenvalues, [-2, 0.5j, -0.5j]])
        re_lo, re_hi = min(every.real.min(), -2.1), max(every.real.max(), 0.3)
        im = max(np.abs(every.imag).max(), 1.1)
        ax_z.set_xlim(re_lo - 0.1, re_hi + 0.1)
        ax_z.set_ylim(-1.15 * im, 1.15 * im)
        ax_z.set_aspect("equal", adjustable="box")
        ax_z.set_xlabel("Re z")
        ax_z.set_ylabel("Im z")
        ax_z.legend(fontsize=7, loc="lower left", framealpha=0.9)
        if r.kernel == "Hamiltonian":
            verdict = "on the circle |μ| = 1" if r.inside else "a |μ| > 1: unstable"
        else:
            verdict = "all inside the region" if r.inside else "not all inside the region"
        ax_z.set_title(f"{main}: {verdict}\n(θ_j = θ in every step; "
                       f"linearised at tanh′ = 1)", fontsize=10)

        # (c) growth through the layers
        j = np.arange(r.n_steps + 1)
        ax_g.semilogy(j, r.spread / r.spread[0], "o-", ms=3, color="C0",
                      label=f"spread of the points / spread of Y₀: × {_g(r.spread_growth)}")
        ax_g.semilogy(j, r.sensitivity, "s-", ms=3, color="C4",
                      label=f"max over points ‖∂Y_j/∂Y₀‖₂: {_g(r.sensitivity[-1])}")
        ax_g.semilogy(j, r.amplification ** j, "--", color="0.4",
                      label=f"linear model: max |1 + z|^j = {_g(r.amplification ** r.n_steps)} at N")
        ax_g.set_xlabel("layer j")
        ax_g.set_ylabel("growth relative to layer 0")
        ax_g.grid(True, which="both", alpha=0.3)
        ax_g.legend(fontsize=7, loc="best")
        ax_g.set_title(f"growth through N = {r.n_steps} layers: spread × {_g(r.spread_growth)},\n"
                       f"perturbations × {_g(r.sensitivity[-1])} at most", fontsize=10)


def _g(x: float) -> str:
    """A number for a title: 4 significant digits, and no '-0'."""
    x = float(x)
    if abs(x) < 1e-12:
        x = 0.0
    return f"{x:.4g}"


def _z(values) -> str:
    """Complex numbers for the status line, e.g. '-0.025 ± 0.31i'."""
    out = []
    for v in sorted(values, key=lambda v: (round(v.real, 10), v.imag)):
        if abs(v.imag) < 1e-12 * max(1.0, abs(v)):
            out.append(_g(v.real))
        elif v.imag > 0:
            out.append(f"{_g(v.real)} ± {_g(v.imag)}i")
    return ", ".join(out)


def resnet_flow(Y=None, C=None, seed: int = 0, *, kernel: str = "general", h: float = 0.25,
                n_steps: int = 16, gamma: float = 0.5, scale: float = 2.0,
                n_points: int = 200) -> ResNetFlow:
    """Peaks points through a 2-D ResNet (or Hamiltonian net) with one kernel in every step.

    Y, C : points (2, n) and one-hot labels (n_classes, n) (default: peaks_data(n_points, 5,
        seed=0), fixed while the controls move). seed : the random K and b (controls['seed']).
    kernel ('general', 'antisymmetric', 'Hamiltonian'), h, n_steps (depth N), gamma, scale :
        initial control values; h in [0.05, 2], N in [1, 64], gamma in [0, 2], scale in
        [0.25, 8] (K = scale K_0 with K_0 meganet's fan-in initialisation, entries N(0, 1/2)).
    n_points : the number of default Peaks points.
    Returns a ResNetFlow (an ipywidgets.VBox) with .controls, .result, .update().
    """
    if (Y is None) != (C is None):
        raise ValueError("pass both Y and C (points and their one-hot labels), or neither for "
                         "the Peaks data")
    if Y is None:
        n_points = _check_in(n_points, "n_points", (2, 5000), integer=True)
        Y, C = peaks_data(n_points, 5, seed=0)
    Y = as_matrix(Y, "Y", shape=(2, None))
    C = check_one_hot(C, "C")
    check_columns_match(Y, C, ("Y", "C"))
    if Y.shape[1] < 2:
        raise ValueError(f"Y needs at least 2 points (columns) for a spread, got {Y.shape[1]}")
    return ResNetFlow(_frozen(Y), _frozen(C), kernel=kernel, h=h, n_steps=n_steps, gamma=gamma,
                      scale=scale, seed=seed)
