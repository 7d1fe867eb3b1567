"""A 2-axis sweep's main metric as a heatmap: one cell per point, mean over seeds, annotated
with mean ± s.e. No TensorFlow.

The colour scale runs so that brighter is always better (viridis, reversed when lower is
better): the eye finds the good region the same way for every metric.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.patches import Rectangle

if TYPE_CHECKING:  # annotations only: per-run figure jobs import this package and must not pay for pandas
    import pandas as pd

BEST_COLOR = "#E69F00"  # Okabe-Ito orange: the best point, as in the line panels


def cell_grid(table: pd.DataFrame, steps: list[pd.Series], orders: list[list[str]], column: str) -> np.ndarray:
    """``column`` of each point at (row = step of the second axis, column = step of the first)."""
    grid = np.full((len(orders[1]), len(orders[0])), np.nan)
    for name, value in table[column].items():
        grid[orders[1].index(steps[1][name]), orders[0].index(steps[0][name])] = float(value)
    return grid


def _text_color(rgba) -> str:
    luminance = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]
    return "black" if luminance > 0.5 else "white"


def metric_heatmap(ax, table: pd.DataFrame, steps: list[pd.Series], orders: list[list[str]], axis_names: list[str],
                   metric: str, higher_is_better: bool, best: str | None = None):
    """Draw the heatmap on ``ax``; ``steps``/``orders``/``axis_names`` as in plots.sweeps (first
    axis along x, second along y); ``best`` the best point's name, outlined. Returns the image."""
    mean = cell_grid(table, steps, orders, f"{metric}_mean")
    se = cell_grid(table, steps, orders, f"{metric}_se")
    image = ax.imshow(np.ma.masked_invalid(mean), cmap="viridis" if higher_is_better else "viridis_r",
                      origin="lower", aspect="auto")
    for (j, i), m in np.ndenumerate(mean):
        text = "n/a" if np.isnan(m) else f"{m:.3g}" + ("" if np.isnan(se[j, i]) else f"\n± {se[j, i]:.2g}")
        color = "black" if np.isnan(m) else _text_color(image.cmap(image.norm(m)))
        ax.text(i, j, text, ha="center", va="center", fontsize="small", color=color)
    if best is not None and best in table.index:
        i, j = orders[0].index(steps[0][best]), orders[1].index(steps[1][best])
        ax.add_patch(Rectangle((i - 0.5, j - 0.5), 1, 1, fill=False, ec=BEST_COLOR, lw=3, label="best point"))
    ax.set_xticks(range(len(orders[0])), orders[0], rotation=20 if max(map(len, orders[0])) > 8 else 0)
    ax.set_yticks(range(len(orders[1])), orders[1])
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    ax.grid(False)
    ax.set_title(f"{metric}: mean over seeds (brighter is better)")
    bar = ax.figure.colorbar(image, ax=ax, location="bottom", shrink=0.8, aspect=30)  # not beside the line panels
    bar.set_label(f"{metric} ({'higher' if higher_is_better else 'lower'} is better)")
    return image
