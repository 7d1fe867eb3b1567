"""The figure of one sweep: its metric against each swept setting, mean ± s.e. over seeds.

One axis (a grid key, or the zip group): a line. Two axes: a heatmap of the grid (plots.
sweep_heatmap) beside one panel per value of the second axis, the first along x. More: one
panel per axis, every point at its value of that axis. No TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas costs a per-run figure job a fifth of its start-up; imported where used
    import pandas as pd

from .style import FAKE_COLOR, FLOOR_COLOR, new_figure, save, setting
from .sweep_heatmap import BEST_COLOR, metric_heatmap


def _step_label(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each point's position on an axis as text: ``0.9``, or ``0.001 & 0.002`` for a zip group
    (whose axis is named ``g_lr & d_lr``)."""
    return table[keys].apply(lambda r: " & ".join(str(r[k]) for k in keys), axis=1)


def sweep_figure(table: pd.DataFrame, points: list[str], axes: list[list[str]], metric: str, title: str, path,
                 settings, labels: dict[str, str] | None = None, higher_is_better: bool = False):
    """``table`` from toygan.sweeps.ranking; ``points`` the point names in grid order; ``axes``
    the keys of each axis in grid order; ``labels`` short names of keys."""
    import pandas as pd

    labels = labels or {}
    mean, se = f"{metric}_mean", f"{metric}_se"
    # Grid order, so each axis shows its values in the order they were written.
    table = table.set_index("point", drop=False).loc[list(points)]
    steps = [_step_label(table, keys) for keys in axes]
    orders = [list(dict.fromkeys(s)) for s in steps]
    axis_names = [" & ".join(labels.get(k, k) for k in keys) for keys in axes]
    facets = orders[1] if len(axes) == 2 else ([None] if len(axes) == 1 else list(range(len(axes))))
    w, h = setting(settings, "figsize")
    two = len(axes) == 2
    ncols = min(len(facets), 3 if two else 4)
    nrows = -(-len(facets) // ncols)
    fig = new_figure(settings, figsize=(max(w, 3.2 * (ncols + 1.6 * two)), h * max(1, 0.8 * nrows)))
    best = table.loc[table[mean].astype(float).idxmin() if not higher_is_better else table[mean].astype(float).idxmax()] \
        if table[mean].notna().any() else None
    if two:  # the heatmap on the left, over the full height; the line panels to its right
        grid = fig.add_gridspec(nrows, ncols + 1, width_ratios=[1.6] + [1] * ncols)
        metric_heatmap(fig.add_subplot(grid[:, 0]), table, steps, orders, axis_names, metric, higher_is_better,
                       None if best is None else best.name)
        first = fig.add_subplot(grid[0, 1])
        panels = [first] + [fig.add_subplot(grid[k // ncols, 1 + k % ncols], sharey=first)
                            for k in range(1, nrows * ncols)]
    else:
        panels = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel())
    for i, (ax, facet) in enumerate(zip(panels, facets)):
        a = i if len(axes) > 2 else 0
        rows = table if len(axes) != 2 else table[steps[1] == facet]
        x = steps[a].loc[rows.index].map(orders[a].index).to_numpy(dtype=float)
        if len(axes) > 2:  # every point at its value of this axis, the points of one value side by side
            rank = pd.Series(x, index=rows.index).groupby(x).cumcount().to_numpy()
            count = pd.Series(x).groupby(x).transform("size").to_numpy()
            x = x + np.where(count > 1, (rank / np.maximum(count - 1, 1) - 0.5) * 0.4, 0.0)
        x = pd.Series(x, index=rows.index)
        y, e = rows[mean].to_numpy(dtype=float), rows[se].to_numpy(dtype=float)
        order = np.argsort(x.to_numpy(), kind="stable")
        style = dict(fmt="o", ms=4, capsize=3, alpha=0.8) if len(axes) > 2 else dict(fmt="-o", ms=6, capsize=4, lw=1.6)
        ax.errorbar(x.to_numpy()[order], y[order], yerr=np.nan_to_num(e[order]), color=FAKE_COLOR,
                    label="mean ± s.e. over seeds", **style)
        if best is not None and best.name in rows.index:
            ax.plot([x[best.name]], [best[mean]], marker="*", ms=16, color=BEST_COLOR, zorder=4, ls="none",
                    label=f"best: {best['point'].split('__', 1)[-1]}")
        if metric.endswith("_ratio"):
            ax.axhline(1.0, ls="--", color=FLOOR_COLOR, lw=1.2, label="noise floor")
        ax.set_xticks(range(len(orders[a])), orders[a], rotation=20 if max(map(len, orders[a])) > 8 else 0)
        ax.set_xlabel(axis_names[a])
        if len(axes) == 2:
            ax.set_title(f"{axis_names[1]} = {facet}")
        if i % ncols == 0:
            ax.set_ylabel(f"{metric} ({'higher' if higher_is_better else 'lower'} is better)")
    for ax in panels[len(facets):]:
        ax.set_visible(False)
    legend = {}  # every panel's entries once (the best point is in one panel only)
    for ax in panels:
        for handle, name in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(name, handle)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=len(legend))
    fig.suptitle(title)
    return save(fig, path, settings)
