"""Figures for toygan (matplotlib Agg, seaborn's theme; seaborn only for the colours of more than
eight seeds; never TensorFlow).

- ``style``: theme, colours (REAL_COLOR / FAKE_COLOR / D_COLOR), ``run_title``, ``save``; axis
  names from the data's columns (``axis_names``), titles wrapped to fit, 2-D views that fill a panel.
- ``runs``: per-run figures and the per-experiment dashboard.
- ``training``: loss/W1 curves and the training GIF.
- ``summary``: cross-experiment comparison.
- ``sweeps``: one sweep's metric against its settings.

Every function takes ``path`` (format from its suffix) and ``settings`` (the config's
``plots`` section), saves the figure and closes it.
"""

import matplotlib

matplotlib.use("Agg")

from .runs import (  # noqa: E402
    dashboard,
    decision_1d,
    density_1d,
    discriminator_outputs,
    heatmap_2d,
    scatter_2d,
)
from .style import D_COLOR, FAKE_COLOR, REAL_COLOR, apply_style, axis_names, run_title, save  # noqa: E402
from .summary import comparison  # noqa: E402
from .sweeps import sweep_figure  # noqa: E402
from .training import animation, loss_curves  # noqa: E402

__all__ = [
    "D_COLOR",
    "FAKE_COLOR",
    "REAL_COLOR",
    "animation",
    "apply_style",
    "axis_names",
    "comparison",
    "dashboard",
    "decision_1d",
    "density_1d",
    "discriminator_outputs",
    "heatmap_2d",
    "loss_curves",
    "run_title",
    "save",
    "scatter_2d",
    "sweep_figure",
]
