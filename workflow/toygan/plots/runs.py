"""Per-run figures: densities, discriminator outputs, decision boundary, 2-D scatters and
heatmaps, and the per-experiment dashboard over seeds.  No TensorFlow."""

from __future__ import annotations

import math
from typing import Any, Mapping

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap, to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .kde import best_bw_adjust, density_2d, kde_line, mass_levels  # noqa: E402
from .style import (  # noqa: E402
    D_COLOR,
    FAKE_COLOR,
    HEATMAP_CMAP,
    REAL_COLOR,
    as_2d,
    axis_names,
    clip_to_grid,
    fig_title,
    finite_rows,
    fit_view,
    fmt_ratio,
    is_degenerate,
    is_probability_label,
    line_height,
    new_figure,
    note_outside,
    outside_fraction,
    run_title,
    save,
    setting,
    subsample,
    text_width,
    title_lines,
    view_limits,
    wrap_text,
)

CONTOUR_FIT_POINTS = 2000
CONTOUR_GRID = 90  # density grid points per axis
# Real data's highest-density regions drawn filled (lightest = widest); the last two also as lines.
REAL_MASSES = (0.95, 0.8, 0.5, 0.25)
REAL_LINE_MASSES = (0.95, 0.5)
POINT_SIZE = 5.0  # real and generated points are drawn alike: same size, same alpha
POINT_ALPHA = 0.55
BAD_TITLE_COLOR = "#B22222"
PEAK_CAP = 3.0  # generated density peaks are clipped at this multiple of the real peak
# Distinguishable colours for seeds in the 1-D dashboard (no blue: blue means real data).
SEED_COLORS = ["#D55E00", "#E69F00", "#CC79A7", "#6A3D9A", "#8C510A", "#222222", "#B2182B", "#999999"]


# ----------------------------------------------------------------------------- helpers


def _col(x: Any) -> np.ndarray:
    return as_2d(x)[:, 0]


def _finite(x: np.ndarray) -> np.ndarray:
    return x[np.isfinite(x)]


def _kde(ax, x, *, color, label, bw_adjust, view, fill=False, lw=2.0, **kw) -> float:
    """Seaborn's KDE curve (toygan.plots.kde) of 1-D samples restricted to ``view``; handles empty and collapsed
    samples (drawn as a vertical line).  Returns the curve's peak (for y-limits)."""
    x = _finite(np.asarray(x, dtype=float).ravel())
    if not len(x):
        ax.plot([], [], color=color, lw=lw, label=f"{label} (no finite samples)")
        return 0.0
    # Points far outside the view (a diverging generator) would inflate the bandwidth and
    # smear the visible part; they are left out (callers annotate the fraction outside).
    inside = x[(x >= view[0]) & (x <= view[1])]
    if not len(inside):
        ax.plot([], [], color=color, lw=lw, label=f"{label} (all outside view)")
        return 0.0
    x = inside
    if is_degenerate(x):
        ax.axvline(x[0], color=color, lw=lw, label=f"{label} (all at x = {x[0]:.3g})")
        return 0.0
    alpha = kw.pop("alpha", None)
    kde_line(ax, x, color=color, label=label, bw_adjust=bw_adjust, clip=tuple(view), linewidth=lw,
             alpha=None if fill else alpha, **kw)
    if fill:  # fill under the curve without seaborn's edge along y = 0
        line = ax.lines[-1]
        ax.fill_between(line.get_xdata(), line.get_ydata(), color=color, alpha=alpha or 0.25, lw=0,
                        zorder=line.get_zorder() - 0.1)
    return float(np.max(ax.lines[-1].get_ydata()))  # the drawn curve's own peak


def _cap_density_ylim(ax, real_peak: float, other_peak: float) -> None:
    """Keep the real density readable when a collapsed generator makes a tall spike."""
    if real_peak > 0 and other_peak > PEAK_CAP * real_peak:
        top = PEAK_CAP * real_peak
        ax.set_ylim(0, top)
        ax.text(0.01, 0.98, f"generated peak clipped (max ≈ {other_peak:.3g})",
                transform=ax.transAxes, ha="left", va="top", fontsize="x-small", color=FAKE_COLOR)
    else:
        ax.set_ylim(bottom=0)


def _d_limits(values: np.ndarray, label: str) -> tuple[float, float]:
    if is_probability_label(label):
        return 0.0, 1.0
    v = _finite(np.asarray(values, dtype=float).ravel())
    if not len(v):
        return -1.0, 1.0
    lo, hi = np.percentile(v, [1, 99])
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    return float(lo), float(hi)


def heatmap_cmap() -> ListedColormap:
    """Light part of a grey ramp: blue and vermillion markers stay visible everywhere."""
    return ListedColormap(plt.get_cmap(HEATMAP_CMAP)(np.linspace(0.03, 0.65, 256)), name="toygan_d")


def _point_handles(real_as_density: bool = False, ms: float = 6) -> list:
    """Legend entries for real and generated data, drawn as the figure draws them."""
    if real_as_density:
        real = Patch(facecolor=to_rgba(REAL_COLOR, 0.35), edgecolor=REAL_COLOR, lw=1.0,
                     label="real (density: 50 % and 95 % regions)")
    else:
        real = Line2D([], [], ls="", marker="o", ms=ms, color=REAL_COLOR, label="real")
    return [real, Line2D([], [], ls="", marker="o", ms=ms, color=FAKE_COLOR, label="generated")]


def _many_colors(n: int) -> list:
    import seaborn as sns  # only for more seeds than SEED_COLORS

    return sns.color_palette("flare", n)


def _seed_key(s):
    try:
        return (0, int(s), "")
    except (TypeError, ValueError):
        return (1, 0, str(s))


def _seed_text(seed, ratio, verdict=None) -> str:
    """``"seed 3 · ok · W1/floor 1.2×"`` (the verdict left out when there is none)."""
    parts = [f"seed {seed}"] + ([verdict.replace("_", " ")] if verdict else []) + [f"W1/floor {fmt_ratio(ratio)}"]
    return " · ".join(parts)


def _looks_bad(verdict) -> bool:
    """A run whose verdict is not ok is drawn dashed, so it cannot pass for a good one."""
    return bool(verdict) and verdict != "ok"


# ----------------------------------------------------------------------------- 1-D


def _two_densities(ax, real, gen, bw, view, labels, name="x") -> None:
    """Real (filled) and generated KDEs on ``ax`` over ``view``, generated peaks capped."""
    real_peak = _kde(ax, real, color=REAL_COLOR, label=labels[0], bw_adjust=bw, view=view, fill=True, alpha=0.25)
    gen_peak = _kde(ax, gen, color=FAKE_COLOR, label=labels[1], bw_adjust=bw, view=view)
    ax.set_xlim(*view)
    _cap_density_ylim(ax, real_peak, gen_peak)
    ax.set_xlabel(name)
    ax.set_ylabel("density")


def density_1d(real, gen, path, settings, *, experiment, seed, columns=None):
    """KDE of real vs generated samples (1-D); ``columns``: the data's column name."""
    real, gen = _col(real), _col(gen)
    bw = setting(settings, "kde_bw_adjust")
    fig = new_figure(settings)
    ax = fig.add_subplot()
    view = view_limits(real, [gen])[0]
    _two_densities(ax, real, gen, bw, view, ("real", "generated"), axis_names(columns, 1)[0])
    fig_title(fig, run_title(experiment, seed, "real vs generated density"))
    ax.legend(loc="upper right")
    note_outside(ax, outside_fraction(gen, view[None, :]))
    return save(fig, path, settings)


def discriminator_outputs(d_real, d_fake, path, settings, *, experiment, seed, label):
    """Histograms of D's output on real vs generated samples."""
    d_real = np.asarray(d_real, dtype=float).ravel()
    d_fake = np.asarray(d_fake, dtype=float).ravel()
    fig = new_figure(settings)
    ax = fig.add_subplot()
    both = _finite(np.concatenate([d_real, d_fake]))
    if is_probability_label(label):
        lo, hi = 0.0, 1.0
    elif len(both):
        lo, hi = np.percentile(both, [0.5, 99.5])
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        pad = 0.03 * (hi - lo)
        lo, hi = lo - pad, hi + pad
    else:
        lo, hi = 0.0, 1.0
    bins = np.linspace(lo, hi, 41)
    for values, color, name in ((d_real, REAL_COLOR, "real"), (d_fake, FAKE_COLOR, "generated")):
        v = _finite(values)
        if not len(v):
            ax.plot([], [], color=color, label=f"{name} (no finite values)")
            continue
        w = np.full(len(v), 1.0 / len(v))
        ax.hist(np.clip(v, lo, hi), bins=bins, weights=w, color=color, alpha=0.45,
                edgecolor=color, linewidth=0.8, histtype="stepfilled", label=f"{name} (mean {v.mean():.3g})")
        ax.axvline(v.mean(), color=color, ls="--", lw=1.5)
    if is_probability_label(label):
        ax.axvline(0.5, color="0.4", ls=":", lw=1, label="D = 0.5 (undecided)")
    ax.set_xlim(lo, hi)
    ax.set_xlabel(label)
    ax.set_ylabel("fraction of samples")
    fig_title(fig, run_title(experiment, seed, "discriminator outputs"))
    ax.legend(loc="best")
    return save(fig, path, settings)


def decision_1d(real, gen, grid_x, d_grid, path, settings, *, experiment, seed, label, columns=None):
    """Densities of real and generated (left axis) and D(x) over x (right axis)."""
    real, gen = _col(real), _col(gen)
    grid_x = np.asarray(grid_x, dtype=float).ravel()
    d_grid = np.asarray(d_grid, dtype=float).ravel()
    bw = setting(settings, "kde_bw_adjust")
    fig = new_figure(settings)
    ax = fig.add_subplot()
    view = clip_to_grid(view_limits(real, [gen]), [grid_x])[0]
    _two_densities(ax, real, gen, bw, view, ("real density", "generated density"), axis_names(columns, 1)[0])

    ax2 = ax.twinx()
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax2.plot(grid_x, d_grid, color=D_COLOR, lw=2.2, ls="--", label=f"discriminator: {label}")
    lo, hi = _d_limits(d_grid[(grid_x >= view[0]) & (grid_x <= view[1])], label)
    if is_probability_label(label):
        ax2.axhline(0.5, color=D_COLOR, lw=0.8, ls=":", alpha=0.8)
        ax2.set_ylim(-0.02, 1.02)
    else:
        pad = 0.05 * (hi - lo)
        ax2.set_ylim(lo - pad, hi + pad)
    ax2.set_ylabel(label, color=D_COLOR)
    ax2.tick_params(axis="y", colors=D_COLOR)

    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    fig.legend(h1 + h2, l1 + l2, loc="outside lower center", ncol=3, frameon=False)
    fig_title(fig, run_title(experiment, seed, "densities and discriminator"))
    note_outside(ax, outside_fraction(gen, view[None, :]))
    return save(fig, path, settings)


# ----------------------------------------------------------------------------- 2-D


def real_density(real, view, bw_adjust) -> dict | None:
    """The real data's KDE on a grid over ``view``, with the density thresholds of its
    highest-density regions: {"x", "y", "density", "levels", "lines"}; None where no density
    can be estimated (too few points, all on a line)."""
    fit = subsample(finite_rows(as_2d(real)), CONTOUR_FIT_POINTS, seed=1)
    gx, gy = np.linspace(*view[0], CONTOUR_GRID), np.linspace(*view[1], CONTOUR_GRID)
    dens = density_2d(fit, gx, gy, bw_adjust=best_bw_adjust(fit, bw_adjust))
    if dens is None or not np.isfinite(dens).all():
        return None
    levels = mass_levels(dens, REAL_MASSES)
    if len(levels) < 2 or not levels[-1] < dens.max():
        return None
    if not _fits(fit, gx, gy, dens):
        return None
    return {"x": gx, "y": gy, "density": dens, "levels": levels, "lines": mass_levels(dens, REAL_LINE_MASSES)}


def _fits(points, gx, gy, dens) -> bool:
    """Whether the estimate draws the data's own spread: its 50 % region should hold about half
    of the points. Modes much sharper than the bandwidth (the ring's std 0.01) put nearly all of
    them inside, and the contours would show modes many times wider than they are."""
    half = mass_levels(dens, (0.5,))
    if not len(half):
        return False
    ix = np.clip(np.searchsorted(gx, points[:, 0]), 0, len(gx) - 1)
    iy = np.clip(np.searchsorted(gy, points[:, 1]), 0, len(gy) - 1)
    inside = float(np.mean(dens[iy, ix] >= half[0]))
    return inside <= MAX_INSIDE_HALF


MAX_INSIDE_HALF = 0.75  # a fitting estimate holds about 0.5 of the points in its 50 % region


def _draw_real_density(ax, density: dict, *, fill_alpha: float = 0.6, lines: bool = True) -> None:
    """The real data's highest-density regions, filled in blues (darker = denser); with
    ``lines``, its 50 % and 95 % regions outlined over whatever is drawn below z-order 3."""
    top = float(density["density"].max())
    levels = [*density["levels"], top * (1 + 1e-9) + 1e-300]
    colors = plt.get_cmap("Blues")(np.linspace(0.18, 0.6, len(levels) - 1))
    ax.contourf(density["x"], density["y"], density["density"], levels=levels, colors=colors, alpha=fill_alpha,
                zorder=1)
    if lines and len(density["lines"]):
        ax.contour(density["x"], density["y"], density["density"], levels=density["lines"], colors=[REAL_COLOR],
                   linewidths=1.1, zorder=3)


def _mixed_points(ax, real, gen, *, size: float = POINT_SIZE, alpha: float = POINT_ALPHA) -> None:
    """Real and generated points drawn alike (same size and alpha, their own colours) in one
    shuffled layer, so that neither is always painted over the other."""
    real, gen = np.asarray(real, float).reshape(-1, 2), np.asarray(gen, float).reshape(-1, 2)
    points = np.concatenate([real, gen])
    colors = np.array([to_rgba(REAL_COLOR, alpha)] * len(real) + [to_rgba(FAKE_COLOR, alpha)] * len(gen))
    order = np.random.default_rng(4).permutation(len(points))
    if len(points):
        ax.scatter(points[order, 0], points[order, 1], s=size, c=colors[order].reshape(-1, 4), linewidths=0,
                   rasterized=True, zorder=2)


def _plane(ax, view, box, names, *, labels: bool = True) -> None:
    """Limits, box aspect and the data's column names on a 2-D panel."""
    ax.set_xlim(*view[0])
    ax.set_ylim(*view[1])
    ax.set_box_aspect(box)
    if labels:
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])


def _plane_figure(settings, box: float, title: str, side: float = 0.0):
    """A figure for one 2-D panel of box aspect ``box`` (height / width), ``side`` inches
    beside it (a colour bar), the title wrapped above and one legend row below: the panel's
    height is the configured figure height less its decorations, its width follows."""
    w, h = setting(settings, "figsize")
    panel_h = max(float(h) - 1.25, 2.0)
    fig_w = max(panel_h / box + 0.9 + side, 4.2)
    fig = new_figure(settings, figsize=(fig_w, h))
    extra = (title_lines(title, fig_w - 0.2) - 1) * line_height(plt.rcParams["figure.titlesize"])
    fig.set_size_inches(fig_w, panel_h + 1.25 + extra)
    fig_title(fig, title)
    return fig


def scatter_2d(real, gen, path, settings, *, experiment, seed, columns=None):
    """Real and generated points (alike, shuffled) over the real data's density (2-D);
    ``columns``: the data's column names."""
    real, gen = finite_rows(as_2d(real)), as_2d(gen)
    n_pts = int(setting(settings, "scatter_points"))
    view, box, _ = fit_view(view_limits(real, [gen]))
    fig = _plane_figure(settings, box, run_title(experiment, seed, "real vs generated"))
    ax = fig.add_subplot()
    density = real_density(real, view, setting(settings, "kde_bw_adjust"))
    if density is not None:
        _draw_real_density(ax, density, fill_alpha=0.4, lines=False)
    _mixed_points(ax, subsample(real, n_pts, seed=2), subsample(finite_rows(gen), n_pts, seed=3))
    _plane(ax, view, box, axis_names(columns, 2))
    handles = _point_handles()
    if density is not None:
        handles.append(Patch(facecolor=to_rgba(REAL_COLOR, 0.3), edgecolor="none", label="real density"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    note_outside(ax, outside_fraction(gen, view))
    return save(fig, path, settings)


def _draw_heatmap(ax, grid_x, grid_y, d_grid, label, vlim):
    mesh = ax.pcolormesh(grid_x, grid_y, d_grid, cmap=heatmap_cmap(), vmin=vlim[0], vmax=vlim[1],
                         shading="auto", rasterized=True)
    if is_probability_label(label) and np.nanmin(d_grid) < 0.5 < np.nanmax(d_grid):
        ax.contour(grid_x, grid_y, d_grid, levels=[0.5], colors=[D_COLOR], linewidths=1.5,
                   linestyles="--", zorder=3)
    return mesh


def heatmap_2d(grid_x, grid_y, d_grid, real, gen, path, settings, *, experiment, seed, label, columns=None):
    """D's output over the plane with real and generated points (alike, shuffled) on top."""
    grid_x = np.asarray(grid_x, dtype=float).ravel()
    grid_y = np.asarray(grid_y, dtype=float).ravel()
    d_grid = np.asarray(d_grid, dtype=float)
    if d_grid.shape != (len(grid_y), len(grid_x)):
        raise ValueError(f"d_grid must have shape (len(grid_y), len(grid_x)) = {(len(grid_y), len(grid_x))}, "
                         f"got {d_grid.shape}")
    real, gen = finite_rows(as_2d(real)), as_2d(gen)
    n_pts = int(setting(settings, "scatter_points"))
    view, box, _ = fit_view(clip_to_grid(view_limits(real, [gen]), [grid_x, grid_y]))
    fig = _plane_figure(settings, box, run_title(experiment, seed, "discriminator over the plane"), side=1.3)
    ax = fig.add_subplot()
    mesh = _draw_heatmap(ax, grid_x, grid_y, d_grid, label, _d_limits(d_grid, label))
    cb = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
    cb.set_label(label)
    _mixed_points(ax, subsample(real, n_pts, seed=2), subsample(finite_rows(gen), n_pts, seed=3), size=4.0,
                  alpha=0.65)
    _plane(ax, view, box, axis_names(columns, 2))
    ax.grid(False)
    handles = _point_handles(ms=5)
    if is_probability_label(label):
        handles.append(Line2D([], [], color=D_COLOR, ls="--", lw=1.5, label="D = 0.5"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    note_outside(ax, outside_fraction(gen, view))
    return save(fig, path, settings)


# ----------------------------------------------------------------------------- dashboard


def dashboard(real, gens: Mapping[Any, Any], ratios: Mapping[Any, Any], path, settings, *, experiment,
              verdicts: Mapping[Any, Any] | None = None, columns=None):
    """All seeds of one experiment in one figure (1-D: overlaid KDEs; 2-D: a grid of panels,
    the real density under each seed's points), each labelled with its verdict, if given, and
    its W1/floor; ``columns``: the data's column names."""
    real = finite_rows(as_2d(real))
    seeds = sorted(gens, key=_seed_key)
    verdicts = verdicts or {}
    names = axis_names(columns, real.shape[1])
    if real.shape[1] == 1:
        return _dashboard_1d(real[:, 0], gens, ratios, verdicts, seeds, path, settings, experiment, names)
    return _dashboard_2d(real, gens, ratios, verdicts, seeds, path, settings, experiment, names)


def _legend_columns(labels, width: float, size) -> int:
    """How many legend columns of ``labels`` fit ``width`` inches (handle and gaps included)."""
    widest = max((text_width(lab, size) for lab in labels), default=1.0) + 0.75
    return max(1, min(len(labels), int(width // widest)))


def _dashboard_1d(real, gens, ratios, verdicts, seeds, path, settings, experiment, names):
    bw = setting(settings, "kde_bw_adjust")
    fig = new_figure(settings)
    ax = fig.add_subplot()
    gen_cols = [_col(gens[s]) for s in seeds]
    view = view_limits(real, gen_cols)[0]
    real_peak = _kde(ax, real, color=REAL_COLOR, label="real", bw_adjust=bw, view=view, fill=True,
                     alpha=0.2, lw=3.5, zorder=1)
    palette = SEED_COLORS if len(seeds) <= len(SEED_COLORS) else _many_colors(len(seeds))
    gen_peak = 0.0
    for s, g, c in zip(seeds, gen_cols, palette):
        peak = _kde(ax, g, color=c, label=_seed_text(s, ratios.get(s), verdicts.get(s)), bw_adjust=bw,
                    view=view, lw=1.6, alpha=0.9, zorder=2, ls="--" if _looks_bad(verdicts.get(s)) else "-")
        gen_peak = max(gen_peak, peak)
    ax.set_xlim(*view)
    _cap_density_ylim(ax, real_peak, gen_peak)
    ax.set_xlabel(names[0])
    ax.set_ylabel("density")
    legend_title = "generated (verdict · W1/floor)" if verdicts else "generated (W1/floor)"
    w, h = fig.get_size_inches()
    if len(seeds) <= 8:  # the legend right of the axes, the figure widened to hold it
        labels = ax.get_legend_handles_labels()[1]
        fig.set_size_inches(w + 0.9 + max(text_width(t, plt.rcParams["legend.fontsize"]) for t in labels), h)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
                  title=legend_title, title_fontsize="small")
    else:  # many seeds: a multi-column legend below the axes
        h_, l_ = ax.get_legend_handles_labels()
        ncol = _legend_columns(l_, w - 0.2, plt.rcParams["legend.fontsize"])
        fig.set_size_inches(w, h + line_height(plt.rcParams["legend.fontsize"]) * 1.4 * math.ceil(len(l_) / ncol))
        fig.legend(h_, l_, loc="outside lower center", ncol=ncol, title=legend_title,
                   title_fontsize="small", frameon=False)
    title = f"{experiment} — all seeds"
    w, h = fig.get_size_inches()
    extra = (title_lines(title, w - 0.2) - 1) * line_height(plt.rcParams["figure.titlesize"])
    fig.set_size_inches(w, h + extra)
    fig_title(fig, title)
    return save(fig, path, settings)


def grid_shape(n: int, max_cols: int = 6) -> tuple[int, int]:
    """(rows, columns) of a panel grid for ``n`` panels: few empty cells, about 3 : 2 wide."""
    best = None
    for c in range(1, min(max(n, 1), max_cols) + 1):
        r = math.ceil(max(n, 1) / c)
        cost = (r * c - n) + 2 * abs(math.log(c / r / 1.5))
        if best is None or cost < best[0] - 1e-9:
            best = (cost, r, c)
    return best[1], best[2]


def _dashboard_2d(real, gens, ratios, verdicts, seeds, path, settings, experiment, names):
    nrows, ncols = grid_shape(len(seeds))
    n_pts = int(setting(settings, "scatter_points"))
    gen_arrays = [as_2d(gens[s]) for s in seeds]
    view, box, _ = fit_view(view_limits(real, gen_arrays))
    # Panels 1.6 configured figure widths across in all, each 0.36 to 0.6 of one wide and at most 0.6 high.
    w, _ = setting(settings, "figsize")
    panel_w = float(np.clip(1.6 * w / ncols, 0.36 * w, 0.6 * w))
    panel_w = min(panel_w, 0.6 * w / box)
    panel_h = panel_w * box
    fig_w = ncols * (panel_w + 0.1) + 0.85
    fig = new_figure(settings, figsize=(fig_w, panel_h))
    titles = [wrap_text(_seed_text(s, ratios.get(s), verdicts.get(s)), panel_w, size="small",
                        weight=plt.rcParams["axes.titleweight"]) for s in seeds]
    title_h = max((t.count("\n") + 1 for t in titles), default=1) * line_height("small") + 0.12
    heading = f"{experiment} — all seeds"
    sup_h = title_lines(heading, fig_w - 0.2) * line_height(plt.rcParams["figure.titlesize"]) + 0.1
    fig.set_size_inches(fig_w, nrows * (panel_h + title_h + 0.08) + 0.6 + sup_h + 0.4)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()

    density = real_density(real, view, setting(settings, "kde_bw_adjust"))
    r = subsample(real, n_pts, seed=2)
    for ax, s, g, title in zip(axes, seeds, gen_arrays, titles):
        gf = subsample(finite_rows(g), n_pts, seed=3)
        if density is not None:  # real as its density, generated as points, the outlines on top
            _draw_real_density(ax, density)
            ax.scatter(gf[:, 0], gf[:, 1], s=0.8 * POINT_SIZE, color=FAKE_COLOR, alpha=POINT_ALPHA, linewidths=0,
                       rasterized=True, zorder=2)
        else:
            _mixed_points(ax, r, gf, size=0.8 * POINT_SIZE)
        ax.set_title(title, fontsize="small", color=BAD_TITLE_COLOR if _looks_bad(verdicts.get(s)) else "black")
        _plane(ax, view, box, names, labels=False)
        note_outside(ax, outside_fraction(g, view), what="points")
    for ax in axes[len(seeds):]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:len(seeds)]):
        if i + ncols >= len(seeds):  # no panel below: this one carries the x axis
            ax.set_xlabel(names[0])
            ax.xaxis.set_tick_params(labelbottom=True)
        if i % ncols == 0:
            ax.set_ylabel(names[1])
    fig.legend(handles=_point_handles(real_as_density=density is not None), loc="outside lower center", ncol=2,
               frameon=False)
    fig_title(fig, heading)
    return save(fig, path, settings)
