"""Stencil explorer: a 3 x 3 convolution on an image, and the spectrum of its periodic kernel.

The stencil S (3 x 3, theta = vec(S)) acts as in meganet.kernels (the convention of
scipy.signal.convolve2d(..., mode="same")):

    (K(theta) y)_p = sum_k S_k y_{p + c - k},   c = (1, 1),

with y = vec(I) read modulo the image size (periodic boundary, ConvPeriodic) or as 0 outside the
image (zero boundary, ConvZero). The two differ only in the one-pixel border band.

The periodic K(theta) is block circulant, K = F^{-1} diag(lambda) F with lambda the 2-D FFT of
the stencil placed in an image-sized array (ConvPeriodic.eigenvalues). Facts the figure shows:
  lambda(0) = sum of the stencil entries, so a stencil summing to 1 keeps the mean (periodic);
  S equal to its point reflection S[::-1, ::-1]  ->  K symmetric  ->  real spectrum;
  S equal to minus its point reflection          ->  K antisymmetric -> imaginary spectrum;
  K is normal, so max |lambda| = ||K||_2.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..data import mnist_sample
from ..kernels import ConvPeriodic, ConvZero
from ..linalg import mat, vec
from .figure_widget import FigureWidget

__all__ = ["stencil_explorer", "StencilExplorer", "StencilResult", "PRESETS", "preset_stencil"]

STENCIL_SHAPE = (3, 3)
BOUNDARIES = ("periodic", "zero")

# the stencils of lecture 06 (section 5), plus identity, sharpen (= identity - Laplacian), random
PRESETS = ("blur", "edge", "laplacian", "sharpen", "identity", "random", "custom")
_FIXED = {
    "blur": np.full(STENCIL_SHAPE, 1.0 / 9.0),                               # 3 x 3 mean
    "edge": np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]),                # Sobel, vertical edges
    "laplacian": np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),             # 5-point Laplacian
    "sharpen": np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),            # identity - Laplacian
    "identity": np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]),
}
_NAMES = {"blur": "Blur", "edge": "Sobel edge", "laplacian": "Laplacian", "sharpen": "Sharpen",
          "identity": "Identity", "random": "Random", "custom": "Custom stencil"}


def preset_stencil(name: str, seed: int = 0) -> np.ndarray:
    """The 3 x 3 stencil of a preset; 'random' draws N(0, 1) entries (rounded to 2 decimals,
    so they show exactly in the boxes) from numpy's default_rng(seed)."""
    if name == "random":
        return np.round(np.random.default_rng(int(seed)).standard_normal(STENCIL_SHAPE), 2)
    if name not in _FIXED:
        raise ValueError(f"preset must be one of {PRESETS[:-1]}, got {name!r}")
    return _FIXED[name].copy()


@dataclass(frozen=True)
class StencilResult:
    """What the explorer shows for one stencil and boundary (arrays are read-only).

    stencil : (3, 3) array S, theta = vec(S).
    filtered : K(theta) y as an image (same shape as `image`), with the chosen boundary.
    eigenvalues : (n1, n2) complex, the eigenvalues of the *periodic* K(theta); entry (m1, m2)
        belongs to the Fourier mode of frequency (m1 / n1, m2 / n2) (numpy FFT order).
    max_abs_eigenvalue : max |lambda| (= ||K_periodic||_2, K is normal).
    is_symmetric : S equals its point reflection S[::-1, ::-1], so K is symmetric and the
        spectrum is real. is_antisymmetric: S = -S[::-1, ::-1], imaginary spectrum.
    """

    preset: str
    stencil: np.ndarray
    boundary: str
    image: np.ndarray
    filtered: np.ndarray
    eigenvalues: np.ndarray
    max_abs_eigenvalue: float
    is_symmetric: bool
    is_antisymmetric: bool

    @property
    def stencil_sum(self) -> float:
        """sum of the stencil entries = lambda(0), the eigenvalue of the constant image."""
        return float(self.stencil.sum())


def _check_image(image) -> np.ndarray:
    try:
        raw = np.asarray(image)
    except ValueError as err:  # ragged nested lists
        raise ValueError("image must be a 2-D array (n1, n2) of numbers, got ragged rows") from err
    if raw.dtype == object or not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool):
        raise ValueError(f"image must be a real 2-D numeric array (n1, n2), got dtype {raw.dtype}")
    if np.iscomplexobj(raw):
        raise ValueError(f"image must be real, got dtype {raw.dtype}")
    A = np.array(raw, dtype=float)  # a copy: the widget never aliases the caller's array
    if A.ndim != 2:
        raise ValueError(f"image must be a 2-D array (n1, n2) (one grey-value image; for a column "
                         f"vec(I) use mat(y, (n1, n2))), got an array with shape {A.shape}")
    if min(A.shape) < 3:
        raise ValueError(f"image must be at least 3 x 3 pixels (the stencil is 3 x 3), "
                         f"got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        bad = int(A.size - np.count_nonzero(np.isfinite(A)))
        raise ValueError(f"image must contain only finite values; found {bad} NaN or Inf")
    A.setflags(write=False)
    return A


def _check_stencil(S) -> np.ndarray:
    S = np.array(S, dtype=float)
    if S.shape != STENCIL_SHAPE:
        raise ValueError(f"the stencil must be a 3 x 3 array, got shape {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("the stencil entries must be finite numbers (found NaN or Inf)")
    return S


def _frozen(A) -> np.ndarray:
    A = np.array(A)
    A.setflags(write=False)
    return A


class StencilExplorer(FigureWidget):
    """The widget: stencil boxes and dropdowns on top, the figure (an ipywidgets.Output) below.

    Attributes
    ----------
    controls : dict name -> control:
        'preset' (Dropdown of PRESETS: fills the boxes; 'custom' leaves them as typed; editing a
        box switches it to 'custom'), 'boundary' (Dropdown 'periodic' / 'zero'),
        'seed' (BoundedIntText >= 0: the seed of the 'random' preset; changing it redraws a random stencil),
        'stencil' (a 3 x 3 tuple of FloatText: controls['stencil'][i][j] holds S[i, j]).
    new_random : Button that increments the seed and selects the 'random' preset.
    result : StencilResult of the current control values (recomputed by `update`).
    image : the input image (read-only); kernels: {'periodic': ConvPeriodic, 'zero': ConvZero}.
    figure : the matplotlib Figure (Agg canvas) of the current result; png : it as PNG bytes.

    With a front end (an IPython kernel) every update redraws the figure into the Output;
    headless, drawing waits until .figure or .png is read.
    """

    def __init__(self, image, *, preset: str = "blur", boundary: str = "periodic", seed: int = 0,
                 stencil=None):
        self.image = _check_image(image)
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")
        if not 0 <= int(seed) < 2**31:
            raise ValueError(f"seed must be an integer in [0, 2**31), got {seed!r}")
        if boundary not in BOUNDARIES:
            raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")
        if stencil is not None:
            S0, preset = _check_stencil(stencil), "custom"
        elif preset == "custom":
            raise ValueError("preset='custom' needs a stencil=(3 x 3 array)")
        else:
            S0 = preset_stencil(preset, seed)
        self.kernels = {"periodic": ConvPeriodic(self.image.shape, STENCIL_SHAPE),
                        "zero": ConvZero(self.image.shape, STENCIL_SHAPE)}

        box_layout = widgets.Layout(width="72px")
        boxes = tuple(tuple(widgets.FloatText(value=float(S0[i, j]), step=0.1, layout=box_layout)
                            for j in range(3)) for i in range(3))
        self.controls = {
            "preset": widgets.Dropdown(options=list(PRESETS), value=preset, description="preset",
                                       layout=widgets.Layout(width="210px")),
            "boundary": widgets.Dropdown(options=list(BOUNDARIES), value=boundary,
                                         description="boundary", layout=widgets.Layout(width="210px")),
            "seed": widgets.BoundedIntText(value=int(seed), min=0, max=2**31 - 1, description="seed",
                                           layout=widgets.Layout(width="210px")),
            "stencil": boxes,
        }
        self.new_random = widgets.Button(description="new random", layout=widgets.Layout(width="210px"))
        grid = widgets.GridBox([b for row in boxes for b in row], layout=widgets.Layout(
            grid_template_columns="repeat(3, 76px)", grid_gap="2px"))
        stencil_box = widgets.VBox([widgets.HTML("stencil S (θ = vec S)"), grid])
        settings = widgets.VBox([self.controls["preset"], self.controls["boundary"],
                                 self.controls["seed"], self.new_random])
        self._init_figure((15, 4.0))
        self._holding = False  # True while the widget itself fills the boxes (one update, not 9)
        self.result: StencilResult | None = None
        super().__init__([widgets.HBox([stencil_box, settings]), self.status, self.output])

        for row in boxes:
            for box in row:
                box.observe(self._on_box, names="value")
        self.controls["preset"].observe(self._on_preset, names="value")
        self.controls["seed"].observe(self._on_seed, names="value")
        self.controls["boundary"].observe(self._on_change, names="value")
        self.new_random.on_click(self._on_new_random)
        self.update()

    # --- controls ---------------------------------------------------------------------------
    @property
    def stencil(self) -> np.ndarray:
        """The 3 x 3 stencil in the boxes now."""
        return np.array([[box.value for box in row] for row in self.controls["stencil"]], dtype=float)

    def _fill(self, S) -> None:
        self._holding = True
        try:
            for i, row in enumerate(self.controls["stencil"]):
                for j, box in enumerate(row):
                    box.value = float(S[i, j])
        finally:
            self._holding = False

    def set_stencil(self, S) -> StencilResult:
        """Put a 3 x 3 array into the boxes (preset becomes 'custom'); one update."""
        S = _check_stencil(S)
        self._holding = True
        try:
            self.controls["preset"].value = "custom"
        finally:
            self._holding = False
        self._fill(S)
        return self.update()

    def _on_box(self, change) -> None:
        if self._holding:
            return
        if self.controls["preset"].value != "custom":
            self._holding = True  # a typed entry is no longer the preset
            try:
                self.controls["preset"].value = "custom"
            finally:
                self._holding = False
        self.update()

    def _on_preset(self, change) -> None:
        if self._holding:
            return
        if change["new"] != "custom":
            self._fill(preset_stencil(change["new"], self.controls["seed"].value))
        self.update()

    def _on_seed(self, change) -> None:
        if self._holding or self.controls["preset"].value != "random":
            return  # the seed is used the next time 'random' is chosen
        self._fill(preset_stencil("random", change["new"]))
        self.update()

    def _on_new_random(self, button=None) -> None:
        self._holding = True
        try:
            self.controls["seed"].value += 1
            self.controls["preset"].value = "random"
        finally:
            self._holding = False
        self._fill(preset_stencil("random", self.controls["seed"].value))
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    # --- computing --------------------------------------------------------------------------
    def evaluate(self, S, boundary: str, preset: str = "custom") -> StencilResult:
        """K(theta) y with theta = vec(S) for one boundary, and the periodic spectrum."""
        S = _check_stencil(S)
        if boundary not in BOUNDARIES:
            raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")
        theta = vec(S)
        filtered = mat(self.kernels[boundary].apply(theta, vec(self.image)), self.image.shape)
        lam = self.kernels["periodic"].eigenvalues(theta)[:, :, 0, 0]
        reflection = S[::-1, ::-1]
        tol = 1e-12 * max(1.0, float(np.abs(S).max()))
        return StencilResult(
            preset=preset, stencil=_frozen(S), boundary=boundary, image=self.image,
            filtered=_frozen(filtered), eigenvalues=_frozen(lam),
            max_abs_eigenvalue=float(np.abs(lam).max()),
            is_symmetric=bool(np.all(np.abs(S - reflection) <= tol)),
            is_antisymmetric=bool(np.all(np.abs(S + reflection) <= tol)))

    def update(self) -> StencilResult:
        """Recompute for the current control values, redraw, and return the new result."""
        c = self.controls
        self.result = r = self.evaluate(self.stencil, c["boundary"].value, c["preset"].value)
        text = (f"{_NAMES[r.preset]}, {r.boundary} boundary: Σθ = {_g(r.stencil_sum)} = λ(0); "
                f"{self.spectrum_fact(r)}; max |λ| = ‖K‖₂ = {_g(r.max_abs_eigenvalue)} (periodic K)")
        if r.boundary == "periodic":
            text += (f"; mean of K y = {_g(r.filtered.mean())} = Σθ × mean of y "
                     f"({_g(r.stencil_sum)} × {_g(self.image.mean())})")
        self.status.value = text
        self._changed()
        return r

    @staticmethod
    def spectrum_fact(r: StencilResult) -> str:
        """One line on the spectrum, from the computed eigenvalues and the stencil's symmetry."""
        lam = r.eigenvalues
        if r.is_symmetric and np.ptp(lam.real) <= 1e-12 * max(1.0, r.max_abs_eigenvalue):
            return f"symmetric stencil: all eigenvalues equal {_g(lam.real.mean())}"
        if r.is_symmetric:
            return (f"symmetric stencil: real eigenvalues in "
                    f"[{_g(lam.real.min())}, {_g(lam.real.max())}]")
        if r.is_antisymmetric:
            return (f"antisymmetric stencil: imaginary eigenvalues, Im λ in "
                    f"[{_g(lam.imag.min())}, {_g(lam.imag.max())}]")
        return f"nonsymmetric stencil: complex eigenvalues, |λ| ≤ {_g(r.max_abs_eigenvalue)}"

    # --- drawing ----------------------------------------------------------------------------
    def _draw(self, fig) -> None:
        """Draw the four panels of the current result."""
        r = self.result
        ax_in, ax_out, ax_lam, ax_abs = fig.subplots(1, 4, width_ratios=[1, 1, 1.15, 1.15],
                                                     gridspec_kw=dict(left=0.04, right=0.97, bottom=0.13,
                                                                      top=0.8, wspace=0.42))
        name = _NAMES[r.preset]
        fig.suptitle(f"{name}: S = " + np.array2string(r.stencil, precision=3, suppress_small=True,
                                                        separator=", ").replace("\n", ""), fontsize=10)

        ax_in.imshow(self.image, cmap="gray")
        ax_in.set_title(f"input y ({self.image.shape[0]} × {self.image.shape[1]})\n"
                        f"mean {self.image.mean():.3g}", fontsize=10)

        Z = r.filtered
        if Z.min() < 0:
            z_max = np.abs(Z).max() or 1.0
            ax_out.imshow(Z, cmap="RdBu_r", vmin=-z_max, vmax=z_max)
        else:
            ax_out.imshow(Z, cmap="gray")
        if r.boundary == "periodic":
            detail = f"mean {_g(Z.mean())} = Σθ × {_g(self.image.mean())}"
        else:
            other = mat(self.kernels["periodic"].apply(vec(r.stencil), vec(self.image)), self.image.shape)
            n_diff = int(np.count_nonzero(np.abs(Z - other) > 1e-12 * max(1.0, np.abs(other).max())))
            detail = (f"differs from periodic in {n_diff} border pixels" if n_diff
                      else "= periodic result (no border pixel differs)")
        ax_out.set_title(f"K(θ) y, {r.boundary} boundary\n{detail}", fontsize=10)
        for ax in (ax_in, ax_out):
            ax.set_xlabel("pixel column")
            ax.set_ylabel("pixel row")

        lam = r.eigenvalues.ravel()
        ax_lam.axhline(0, color="0.7", lw=0.8)
        ax_lam.axvline(0, color="0.7", lw=0.8)
        ax_lam.plot(lam.real, lam.imag, ".", ms=3, color="C0", label=f"{lam.size} eigenvalues")
        ax_lam.plot([r.eigenvalues[0, 0].real], [r.eigenvalues[0, 0].imag], "o", mfc="none", ms=9,
                    color="C3", label=f"λ(0) = Σθ = {_g(r.stencil_sum)}")
        ax_lam.set_xlabel(r"Re $\lambda$")
        ax_lam.set_ylabel(r"Im $\lambda$")
        ax_lam.set_aspect("equal", adjustable="datalim")
        ax_lam.legend(fontsize=7, loc="best", framealpha=0.9)
        fact = self.spectrum_fact(r).split(": ", 1)[1]
        ax_lam.set_title(f"{name}: {fact}\n(periodic K: λ = FFT of the stencil)", fontsize=9)

        n1, n2 = self.image.shape
        absl = np.fft.fftshift(np.abs(r.eigenvalues))
        w1, w2 = np.fft.fftshift(np.fft.fftfreq(n1)), np.fft.fftshift(np.fft.fftfreq(n2))
        d1, d2 = 0.5 / n1, 0.5 / n2
        im = ax_abs.imshow(absl, cmap="viridis", origin="lower", aspect="auto",
                           extent=(w2[0] - d2, w2[-1] + d2, w1[0] - d1, w1[-1] + d1))
        fig.colorbar(im, ax=ax_abs, shrink=0.85, label=r"$|\lambda|$")
        ax_abs.set_xlabel(r"frequency $\omega_2$ (cycles / pixel; fftshift: 0 centred)")
        ax_abs.set_ylabel(r"frequency $\omega_1$ (cycles / pixel)")
        ax_abs.set_title(self._gain_fact(r), fontsize=9)


    def _gain_fact(self, r: StencilResult) -> str:
        """Title of the |lambda| panel: its range and where it is largest (low or high frequency)."""
        a = np.abs(r.eigenvalues)
        lo, hi = a.min(), a.max()
        if hi - lo <= 1e-12 * max(1.0, hi):
            return f"|λ| = {_g(hi)} at every frequency\n(K = {_g(hi)} × an orthogonal map)"
        n1, n2 = a.shape
        w1, w2 = np.fft.fftfreq(n1), np.fft.fftfreq(n2)
        m1, m2 = np.nonzero(a >= hi - 1e-12 * hi)
        k = min(range(m1.size), key=lambda i: (abs(w1[m1[i]]) + abs(w2[m2[i]]), -w1[m1[i]], -w2[m2[i]]))
        f1, f2 = w1[m1[k]], w2[m2[k]]
        if (f1, f2) == (0.0, 0.0):
            kind = "low-pass: largest for constant images"
        elif a[0, 0] <= 1e-12 * hi:
            kind = "λ(0) = 0: constants are removed"
        else:
            kind = "amplifies high frequencies more than ω = 0"
        return f"|λ| in [{_g(lo)}, {_g(hi)}], largest at ω = ({_g(f1)}, {_g(f2)})\n{kind}"


def _g(x: float) -> str:
    """A number for a title: 4 significant digits, and no '-0'."""
    x = float(x)
    if abs(x) < 1e-12:
        x = 0.0
    return f"{x:.4g}"



def stencil_explorer(image=None, seed: int = 0, *, preset: str = "blur", boundary: str = "periodic",
                     stencil=None) -> StencilExplorer:
    """Explore a 3 x 3 convolution K(theta) y and the spectrum of the periodic K(theta).

    image : a 2-D array (n1, n2), n1, n2 >= 3 (default: one MNIST digit,
        mat(Y[:, 0], (28, 28)) with Y from meganet.data.mnist_sample(seed)).
    seed : picks the digit and seeds the 'random' preset (controls['seed']).
    preset : initial preset, one of PRESETS; stencil : an initial 3 x 3 array instead (then the
        preset is 'custom'). boundary : 'periodic' (ConvPeriodic) or 'zero' (ConvZero).
    Returns a StencilExplorer (an ipywidgets.VBox) with .controls, .result, .update().
    """
    if image is None:
        Y, _ = mnist_sample(seed=seed)
        image = mat(Y[:, 0], (28, 28))
    return StencilExplorer(image, preset=preset, boundary=boundary, seed=seed, stencil=stencil)
