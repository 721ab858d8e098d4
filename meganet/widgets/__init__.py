"""Interactive demos for the lectures: one function per demo, each returning an ipywidgets widget.

Every widget computes through meganet and keeps its latest result in `.result` (also returned
by `.update()`), so a test can set `.controls[name].value` and check what changed. Drawing uses
matplotlib's Agg canvas and works without a front end. ipywidgets is imported only here, so
`import meganet` does not need it.
"""
from .tikhonov import LCurve, TikhonovExplorer, TikhonovResult, tikhonov_explorer
from .stencil import StencilExplorer, StencilResult, stencil_explorer
from .training import MethodRun, TrainingRace, TrainingRaceResult, training_race
from .resnet_flow import ResNetFlow, ResNetFlowResult, resnet_flow

__all__ = ["tikhonov_explorer", "TikhonovExplorer", "TikhonovResult", "LCurve"]
__all__ += ["stencil_explorer", "StencilExplorer", "StencilResult"]
__all__ += ["training_race", "TrainingRace", "TrainingRaceResult", "MethodRun"]
__all__ += ["resnet_flow", "ResNetFlow", "ResNetFlowResult"]
