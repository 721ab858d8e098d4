"""Tikhonov explorer: a regularised least-squares classifier, its L-curve and its weight images.

The classifier is W = argmin_W ||W Y - C||_F^2 + alpha ||W L^T||_F^2 on training data (Y, C),
with examples in columns. In meganet.optim terms it is lstsq(A, B, alpha=alpha, L=L) with
A = Y^T, B = C^T and X = W^T. L is the identity (weight decay), the discrete gradient or the
Laplacian on the image grid, so a large alpha makes the weight images small or smooth.

Fast solves: everything that does not depend on alpha is computed once.
  method='normal' (default): the normal equations (Y Y^T + alpha L^T L) W^T = Y C^T with
      Y Y^T and Y C^T formed once and L^T L once per L, so each alpha is one Cholesky
      factorisation of an n_features x n_features matrix (milliseconds for 8 x 8 digits,
      ~0.1 s for 28 x 28 images). This is meganet.optim.solve_normal_equations without its
      per-call Gram products and condition number.
  method='qr': backward-stable; meganet.optim.lstsq(method='qr') on the compressed problem
      Y^T = Q R (thin QR, once):  ||Y^T X - C^T||^2 = ||R X - Q^T C^T||^2 + const
      L = Q_L R_L (once per L):   ||L X|| = ||R_L X||,
      which has the same minimiser and at most 2 n_features rows (slower for large images).
The tests compare both with lstsq on the full problem.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import scipy.linalg

from ..data import digits_data, split_data
from ..linalg import to_dense
from ..losses import LeastSquares
from ..optim import lstsq
from ..regularizers import gradient_2d, identity, laplacian_2d
from .figure_widget import FigureWidget
from ..validation import as_matrix, as_vector, check_columns_match, check_one_hot

__all__ = ["tikhonov_explorer", "TikhonovExplorer", "TikhonovResult", "LCurve"]

OPERATORS = ("identity", "gradient", "laplacian")


@dataclass(frozen=True)
class TikhonovResult:
    """The state the explorer shows: one alpha, one L, the weights and how well they fit.

    residual_norm = ||W Y - C||_F and regularizer_norm = ||W L^T||_F on the training data;
    accuracies are the fraction of columns whose largest score is the true class.
    """

    alpha: float
    L: str
    class_index: int
    W: np.ndarray
    residual_norm: float
    regularizer_norm: float
    train_accuracy: float
    validation_accuracy: float


@dataclass(frozen=True)
class LCurve:
    """Residual and regulariser norms and accuracies over the alpha grid, for one L."""

    L: str
    alphas: np.ndarray
    residual_norm: np.ndarray
    regularizer_norm: np.ndarray
    train_accuracy: np.ndarray
    validation_accuracy: np.ndarray


def _check_image_shape(image_shape, n_features: int) -> tuple[int, int]:
    if image_shape is None:
        side = int(round(np.sqrt(n_features)))
        if side * side != n_features:
            raise ValueError(f"Y has {n_features} rows (features), which is not a square image; "
                             "pass image_shape=(n1, n2) with n1 * n2 equal to the number of rows of Y")
        image_shape = (side, side)
    try:
        shape = tuple(image_shape)
    except TypeError as err:
        raise ValueError(f"image_shape must be a pair (n1, n2), got {image_shape!r}") from err
    if (len(shape) != 2 or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                                   for s in shape) or min(shape) < 2):
        raise ValueError(f"image_shape must be a pair of integers (n1, n2) >= 2, got {image_shape!r}")
    if shape[0] * shape[1] != n_features:
        raise ValueError(f"image_shape {shape} has {shape[0] * shape[1]} pixels but Y has "
                         f"{n_features} rows (one per pixel); they must agree")
    return int(shape[0]), int(shape[1])


def _check_alphas(alphas) -> np.ndarray:
    a = as_vector(alphas, "alphas")
    if np.any(a <= 0):
        raise ValueError(f"alphas must be positive (they are shown on a log scale), got min {a.min():g}")
    a = np.unique(a)
    if a.size < 2:
        raise ValueError("alphas must hold at least two different values to draw an L-curve")
    return a


class TikhonovExplorer(FigureWidget):
    """The widget: controls on top, the figure (in an ipywidgets.Output) below.

    Attributes
    ----------
    controls : dict name -> control: 'alpha' (SelectionSlider over the alphas), 'L' (Dropdown
        'identity' / 'gradient' / 'laplacian'), 'class' (Dropdown of class indices).
    result : TikhonovResult of the current control values (recomputed by `update`).
    Y_train, C_train, Y_validation, C_validation, image_shape, alphas, operators (name -> L).
    figure : the matplotlib Figure (Agg canvas) of the current result; png : it as PNG bytes.

    With a front end (an IPython kernel) every update redraws the figure and shows it in the
    Output. Headless there is nothing to show, so drawing waits until .figure or .png is read.
    """

    def __init__(self, Y_train, C_train, Y_validation, C_validation, image_shape, alphas,
                 *, alpha=None, L: str = "identity", method: str = "normal", class_names=None):
        self.Y_train, self.C_train = Y_train, C_train
        self.Y_validation, self.C_validation = Y_validation, C_validation
        self.image_shape = image_shape
        self.alphas = alphas
        if method not in ("normal", "qr"):
            raise ValueError(f"method must be 'normal' or 'qr', got {method!r}")
        self.method = method
        n_features, n_classes = Y_train.shape[0], C_train.shape[0]
        self.operators = {"identity": identity(n_features), "gradient": gradient_2d(image_shape),
                          "laplacian": laplacian_2d(image_shape)}
        if L not in self.operators:
            raise ValueError(f"L must be one of {OPERATORS}, got {L!r}")
        if class_names is None:
            class_names = [f"class {k}" for k in range(n_classes)]
        if len(class_names) != n_classes:
            raise ValueError(f"class_names must have {n_classes} entries (one per row of C), "
                             f"got {len(class_names)}")
        self.class_names = [str(s) for s in class_names]
        if alpha is None:
            alpha = alphas[len(alphas) // 2]
        matches = np.flatnonzero(np.isclose(alphas, alpha, rtol=1e-12, atol=0))
        if matches.size == 0:
            raise ValueError(f"alpha must be one of the alphas, got {alpha!r}")
        self._loss = LeastSquares()

        # alpha-independent pieces, computed once (per L: see _gram_L and _L_factor)
        self._gram, self._rhs = Y_train @ Y_train.T, Y_train @ C_train.T  # Y Y^T, Y C^T
        self._compressed = None  # (R, Q^T C^T) from Y^T = Q R, for method='qr'
        self._grams_L: dict[str, np.ndarray] = {}
        self._L_factors: dict[str, np.ndarray] = {}
        self._lcurves: dict[str, LCurve] = {}

        self.controls = {
            "alpha": widgets.SelectionSlider(
                options=[(f"{a:.1e}", float(a)) for a in alphas], value=float(alphas[matches[0]]),
                description="α", continuous_update=False,
                layout=widgets.Layout(width="420px")),
            "L": widgets.Dropdown(options=list(OPERATORS), value=L, description="L"),
            "class": widgets.Dropdown(options=[(name, k) for k, name in enumerate(self.class_names)],
                                      value=0, description="weights of"),
        }
        self._init_figure((13.5, 3.9))
        self.result: TikhonovResult | None = None
        super().__init__([widgets.HBox(list(self.controls.values())), self.status, self.output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    # --- computing ------------------------------------------------------------------------
    def _gram_L(self, name: str) -> np.ndarray:
        """L^T L as a dense matrix (once per L)."""
        if name not in self._grams_L:
            L = self.operators[name]
            self._grams_L[name] = np.asarray((L.T @ L).todense())
        return self._grams_L[name]

    def _L_factor(self, name: str) -> np.ndarray:
        """R_L from L = Q_L R_L (once per L), so that ||L X|| = ||R_L X||."""
        if name not in self._L_factors:
            L = self.operators[name]
            self._L_factors[name] = (np.eye(L.shape[1]) if name == "identity"
                                     else np.linalg.qr(to_dense(L), mode="r"))
        return self._L_factors[name]

    def solve(self, alpha: float, L: str) -> np.ndarray:
        """W (n_classes, n_features) for one alpha and operator name: one n_features-sized solve."""
        alpha = float(alpha)
        if self.method == "qr":
            if self._compressed is None:
                Q, R = np.linalg.qr(self.Y_train.T)
                self._compressed = (R, Q.T @ self.C_train.T)
            R, QtB = self._compressed
            res = lstsq(R, QtB, method="qr", alpha=alpha, L=self._L_factor(L))
            if not res.success:
                raise ValueError(f"the Tikhonov problem with alpha={alpha:g}, L={L} is singular: "
                                 f"{res.message}")
            return res.x.T
        try:
            factor = scipy.linalg.cho_factor(self._gram + alpha * self._gram_L(L), check_finite=False)
        except np.linalg.LinAlgError as err:
            raise ValueError(f"Y Y^T + alpha L^T L is numerically singular for alpha={alpha:g}, "
                             f"L={L}; use larger alphas or method='qr'") from err
        return scipy.linalg.cho_solve(factor, self._rhs, check_finite=False).T

    def evaluate(self, alpha: float, L: str, class_index: int = 0) -> TikhonovResult:
        """Solve and measure: norms on the training data, accuracies on both parts."""
        W = self.solve(alpha, L)
        return TikhonovResult(
            alpha=float(alpha), L=L, class_index=int(class_index), W=W,
            residual_norm=float(np.linalg.norm(W @ self.Y_train - self.C_train)),
            regularizer_norm=float(np.linalg.norm(self.operators[L] @ W.T)),
            train_accuracy=self._loss.accuracy(W @ self.Y_train, self.C_train),
            validation_accuracy=self._loss.accuracy(W @ self.Y_validation, self.C_validation))

    def lcurve(self, L: str) -> LCurve:
        """The L-curve and accuracies over all alphas for operator L (computed once, cached)."""
        if L not in self.operators:
            raise ValueError(f"L must be one of {OPERATORS}, got {L!r}")
        if L not in self._lcurves:
            rows = [self.evaluate(a, L) for a in self.alphas]
            self._lcurves[L] = LCurve(
                L=L, alphas=self.alphas.copy(),
                residual_norm=np.array([r.residual_norm for r in rows]),
                regularizer_norm=np.array([r.regularizer_norm for r in rows]),
                train_accuracy=np.array([r.train_accuracy for r in rows]),
                validation_accuracy=np.array([r.validation_accuracy for r in rows]))
        return self._lcurves[L]

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> TikhonovResult:
        """Recompute for the current control values, redraw, and return the new result."""
        c = self.controls
        self.result = self.evaluate(c["alpha"].value, c["L"].value, c["class"].value)
        r = self.result
        self.status.value = (f"α = {r.alpha:.2e}, L = {r.L}: ‖WY − C‖ = {r.residual_norm:.3g}, "
                             f"‖WLᵀ‖ = {r.regularizer_norm:.3g}, training accuracy "
                             f"{100 * r.train_accuracy:.1f} %, validation accuracy "
                             f"{100 * r.validation_accuracy:.1f} %")
        self._changed()
        return self.result

    # --- drawing ----------------------------------------------------------------------------
    def _draw(self, fig) -> None:
        """Draw the three panels of the current result."""
        from matplotlib.ticker import LogFormatter

        from ..viz import show_images

        r, curve = self.result, self.lcurve(self.result.L)
        ax_l, ax_w, ax_a = fig.subplots(1, 3, width_ratios=[1.15, 0.85, 1.15], gridspec_kw=dict(
            left=0.055, right=0.985, bottom=0.14, top=0.86, wspace=0.3))  # fixed: faster than a layout engine

        ax_l.loglog(curve.regularizer_norm, curve.residual_norm, ".-", color="0.55",
                    label="all α (L-curve)")
        ax_l.loglog([r.regularizer_norm], [r.residual_norm], "o", color="C3", ms=9,
                    label=f"α = {r.alpha:.1e}")
        ax_l.annotate("small α", (curve.regularizer_norm[0], curve.residual_norm[0]),
                      textcoords="offset points", xytext=(-8, 6), ha="right", fontsize=8)
        ax_l.annotate("large α", (curve.regularizer_norm[-1], curve.residual_norm[-1]),
                      textcoords="offset points", xytext=(6, -10), fontsize=8)
        ax_l.set_xlabel(r"regulariser norm $\|W L^\top\|_F$")
        ax_l.set_ylabel(r"residual norm $\|W Y - C\|_F$")
        ax_l.set_title(f"L-curve, L = {r.L}")
        ax_l.legend(fontsize=8, loc="upper right")
        ax_l.grid(True, which="both", alpha=0.3)
        for axis in (ax_l.xaxis, ax_l.yaxis):  # plain numbers, also when a norm spans < 1 decade
            axis.set_major_formatter(LogFormatter())
            axis.set_minor_formatter(LogFormatter(minor_thresholds=(1, 0.4)))

        show_images(r.W[r.class_index], self.image_shape, axes=[ax_w], symmetric=True)
        fig.colorbar(ax_w.images[0], ax=ax_w, shrink=0.85)
        ax_w.set_title(f"weights of {self.class_names[r.class_index]}\n"
                       f"(α = {r.alpha:.1e}, L = {r.L})", fontsize=10)

        ax_a.semilogx(curve.alphas, 100 * curve.train_accuracy, ".-", label="training")
        ax_a.semilogx(curve.alphas, 100 * curve.validation_accuracy, ".-", label="validation")
        ax_a.semilogx(r.alpha, 100 * r.train_accuracy, "o", color="C0", ms=9)
        ax_a.semilogx(r.alpha, 100 * r.validation_accuracy, "o", color="C1", ms=9)
        ax_a.axvline(r.alpha, color="C3", lw=1, alpha=0.6)
        ax_a.set_xlabel(r"regularisation weight $\alpha$")
        ax_a.set_ylabel("accuracy (%)")
        ax_a.set_title(f"training {100 * r.train_accuracy:.1f} %, "
                       f"validation {100 * r.validation_accuracy:.1f} %")
        ax_a.legend(fontsize=8, loc="lower left")
        ax_a.grid(True, which="major", alpha=0.3)




def tikhonov_explorer(Y=None, C=None, image_shape=None, alphas=np.logspace(-4, 2, 25), seed: int = 0,
                      *, validation_fraction: float = 0.3, alpha=None, L: str = "identity",
                      method: str = "normal", class_names=None) -> TikhonovExplorer:
    """Explore W = argmin ||W Y - C||_F^2 + alpha ||W L^T||_F^2 interactively.

    Y : (n_features, n) images as columns vec(I) (default: meganet.data.digits_data, 8 x 8).
    C : (n_classes, n) one-hot labels. (Y, C) is split (stratified, `seed`) into a training part
        (used for W and the norms) and a validation part of fraction `validation_fraction`.
    image_shape : (n1, n2) with n1 n2 = n_features (default: square images).
    alphas : the positive regularisation weights of the slider and the L-curve.
    alpha, L : the initial slider value (one of the alphas; default the middle one) and operator.
    method : 'normal' (precomputed normal equations, fast) or 'qr' (meganet.optim.lstsq on the
        QR-compressed problem, backward-stable); see the module docstring.
    Returns a TikhonovExplorer (an ipywidgets.VBox) with .controls, .result, .update().
    """
    if (Y is None) != (C is None):
        raise ValueError("pass both Y and C (examples and their one-hot labels), or neither for "
                         "the digits data")
    if Y is None:
        Y, C = digits_data(seed=seed)
        if class_names is None:
            class_names = [f"digit {k}" for k in range(C.shape[0])]
    Y = as_matrix(Y, "Y")
    C = check_one_hot(C, "C")
    check_columns_match(Y, C, ("Y", "C"))
    image_shape = _check_image_shape(image_shape, Y.shape[0])
    alphas = _check_alphas(alphas)
    f = float(validation_fraction)
    if not 0 < f < 1:
        raise ValueError(f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction}")
    (Y_train, C_train), (Y_valid, C_valid) = split_data(Y, C, fractions=(1 - f, f), seed=seed)
    return TikhonovExplorer(Y_train, C_train, Y_valid, C_valid, image_shape, alphas, alpha=alpha,
                            L=L, method=method, class_names=class_names)
