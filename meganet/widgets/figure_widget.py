"""What every demo shares: controls above an Agg figure that is drawn on demand.

With a front end (an IPython kernel) each update redraws the figure into an ipywidgets.Output;
headless (tests, scripts) drawing waits until `.figure` or `.png` is read, so a test can set
controls quickly and still look at the picture.
"""
from __future__ import annotations

import io

import ipywidgets as widgets

__all__ = ["FigureWidget", "front_end"]


def front_end() -> bool:
    """True inside an IPython shell (a notebook kernel): only then is there an Output to show."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets depends on IPython
        return False
    return get_ipython() is not None


class FigureWidget(widgets.VBox):
    """A VBox with a status line, an Output and a matplotlib Figure; subclasses draw into it.

    Subclasses call `_init_figure(figsize)` before `super().__init__(children)`, implement
    `_draw(fig)`, and call `_changed()` after computing a new result.
    """

    def _init_figure(self, figsize) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.output = widgets.Output()
        self.status = widgets.HTML()
        self._figure = Figure(figsize=figsize)
        FigureCanvasAgg(self._figure)
        self._stale, self._png = True, None

    def _draw(self, fig) -> None:
        raise NotImplementedError

    def _changed(self) -> None:
        """The result changed: the picture is stale; redraw now if someone is watching."""
        self._stale, self._png = True, None
        if front_end():
            self.draw()

    def draw(self) -> None:
        """Redraw the figure for the current result and show it in the Output (if any)."""
        self._figure.clear()
        self._draw(self._figure)
        self._stale, self._png = False, None
        if front_end():
            from IPython.display import Image, display

            with self.output:
                self.output.clear_output(wait=True)
                display(Image(data=self.png, format="png"))

    @property
    def figure(self):
        """The matplotlib Figure of the current result (drawn now if an update made it stale)."""
        if self._stale:
            self.draw()
        return self._figure

    @property
    def png(self) -> bytes:
        """The current figure as PNG bytes, rendered with Agg (works without a display)."""
        if self._png is None or self._stale:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=90)
            self._png = buffer.getvalue()
        return self._png
