"""Plot helpers for lectures and widgets (matplotlib is imported only when a plot is drawn)."""
from .convergence import plot_convergence
from .images import show_images
from .regions import grid_points, plot_decision_regions

__all__ = ["show_images", "plot_decision_regions", "grid_points", "plot_convergence"]
