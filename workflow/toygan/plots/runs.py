"""Per-run figures: densities, discriminator outputs, decision boundary, 2-D scatters and
heatmaps, and the per-experiment dashboard over seeds.  No TensorFlow."""

from __future__ import annotations

import math
from typing import Any, Mapping

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from .kde import kde_line  # noqa: E402
from .style import (  # noqa: E402
    D_COLOR,
    FAKE_COLOR,
    HEATMAP_CMAP,
    REAL_COLOR,
    as_2d,
    clip_to_grid,
    finite_rows,
    fmt_ratio,
    is_degenerate,
    is_probability_label,
    new_figure,
    note_outside,
    outside_fraction,
    run_title,
    save,
    setting,
    subsample,
    view_limits,
)

CONTOUR_FIT_POINTS = 2000
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


def _legend_markers(ax, **kw):
    handles = [
        Line2D([], [], ls="", marker="o", ms=6, color=REAL_COLOR, label="real"),
        Line2D([], [], ls="", marker="o", ms=6, color=FAKE_COLOR, label="generated"),
    ]
    return ax.legend(handles=handles, **kw)


def _many_colors(n: int) -> list:
    import seaborn as sns  # only for more seeds than SEED_COLORS

    return sns.color_palette("flare", n)


def _seed_key(s):
    try:
        return (0, int(s), "")
    except (TypeError, ValueError):
        return (1, 0, str(s))


def _seed_text(seed, ratio, verdict=None) -> str:
    text = f"seed {seed} · W1/floor {fmt_ratio(ratio)}"
    return f"{text} · {verdict.replace('_', ' ')}" if verdict else text


def _looks_bad(verdict) -> bool:
    """A run whose verdict is not ok is drawn dashed, so it cannot pass for a good one."""
    return bool(verdict) and verdict != "ok"


# ----------------------------------------------------------------------------- 1-D


def _two_densities(ax, real, gen, bw, view, labels) -> None:
    """Real (filled) and generated KDEs on ``ax`` over ``view``, generated peaks capped."""
    real_peak = _kde(ax, real, color=REAL_COLOR, label=labels[0], bw_adjust=bw, view=view, fill=True, alpha=0.25)
    gen_peak = _kde(ax, gen, color=FAKE_COLOR, label=labels[1], bw_adjust=bw, view=view)
    ax.set_xlim(*view)
    _cap_density_ylim(ax, real_peak, gen_peak)
    ax.set_xlabel("x")
    ax.set_ylabel("density")


def density_1d(real, gen, path, settings, *, experiment, seed):
    """KDE of real vs generated samples (1-D)."""
    real, gen = _col(real), _col(gen)
    bw = setting(settings, "kde_bw_adjust")
    fig = new_figure(settings)
    ax = fig.add_subplot()
    view = view_limits(real, [gen])[0]
    _two_densities(ax, real, gen, bw, view, ("real", "generated"))
    ax.set_title(run_title(experiment, seed, "real vs generated density"))
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
    ax.set_title(run_title(experiment, seed, "discriminator outputs"))
    ax.legend(loc="best")
    return save(fig, path, settings)


def decision_1d(real, gen, grid_x, d_grid, path, settings, *, experiment, seed, label):
    """Densities of real and generated (left axis) and D(x) over x (right axis)."""
    real, gen = _col(real), _col(gen)
    grid_x = np.asarray(grid_x, dtype=float).ravel()
    d_grid = np.asarray(d_grid, dtype=float).ravel()
    bw = setting(settings, "kde_bw_adjust")
    fig = new_figure(settings)
    ax = fig.add_subplot()
    view = clip_to_grid(view_limits(real, [gen]), [grid_x])[0]
    _two_densities(ax, real, gen, bw, view, ("real density", "generated density"))

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
    ax.set_title(run_title(experiment, seed, "densities and discriminator"))
    note_outside(ax, outside_fraction(gen, view[None, :]))
    return save(fig, path, settings)


# ----------------------------------------------------------------------------- 2-D


def scatter_2d(real, gen, path, settings, *, experiment, seed):
    """Real and generated points over a density contour of the real data (2-D)."""
    real, gen = finite_rows(as_2d(real)), as_2d(gen)
    n_pts = int(setting(settings, "scatter_points"))
    fig = new_figure(settings)
    ax = fig.add_subplot()
    view = view_limits(real, [gen])
    fit = subsample(real, CONTOUR_FIT_POINTS, seed=1)
    if len(fit) > 2:
        try:
            import seaborn as sns  # 2-D only: seaborn imports scipy.stats, half a figure job's start-up

            sns.kdeplot(x=fit[:, 0], y=fit[:, 1], ax=ax, fill=True, levels=7, thresh=0.03,
                        cmap="Blues", alpha=0.55, gridsize=80, clip=(tuple(view[0]), tuple(view[1])),
                        bw_adjust=setting(settings, "kde_bw_adjust"), warn_singular=False)
        except (np.linalg.LinAlgError, ValueError):
            pass
    r = subsample(real, n_pts, seed=2)
    g = subsample(finite_rows(gen), n_pts, seed=3)
    ax.scatter(r[:, 0], r[:, 1], s=5, color=REAL_COLOR, alpha=0.35, linewidths=0, rasterized=True)
    ax.scatter(g[:, 0], g[:, 1], s=7, color=FAKE_COLOR, alpha=0.6, linewidths=0, rasterized=True)
    ax.set_xlim(*view[0])
    ax.set_ylim(*view[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(run_title(experiment, seed, "real vs generated"))
    _legend_markers(ax, loc="upper right", title="shading: real density", title_fontsize="x-small")
    note_outside(ax, outside_fraction(gen, view))
    return save(fig, path, settings)


def _draw_heatmap(ax, grid_x, grid_y, d_grid, label, vlim):
    mesh = ax.pcolormesh(grid_x, grid_y, d_grid, cmap=heatmap_cmap(), vmin=vlim[0], vmax=vlim[1],
                         shading="auto", rasterized=True)
    if is_probability_label(label) and np.nanmin(d_grid) < 0.5 < np.nanmax(d_grid):
        ax.contour(grid_x, grid_y, d_grid, levels=[0.5], colors=[D_COLOR], linewidths=1.5,
                   linestyles="--")
    return mesh


def heatmap_2d(grid_x, grid_y, d_grid, real, gen, path, settings, *, experiment, seed, label):
    """D's output over the plane with real and generated points on top."""
    grid_x = np.asarray(grid_x, dtype=float).ravel()
    grid_y = np.asarray(grid_y, dtype=float).ravel()
    d_grid = np.asarray(d_grid, dtype=float)
    if d_grid.shape != (len(grid_y), len(grid_x)):
        raise ValueError(f"d_grid must have shape (len(grid_y), len(grid_x)) = {(len(grid_y), len(grid_x))}, "
                         f"got {d_grid.shape}")
    real, gen = finite_rows(as_2d(real)), as_2d(gen)
    n_pts = int(setting(settings, "scatter_points"))
    fig = new_figure(settings)
    ax = fig.add_subplot()
    mesh = _draw_heatmap(ax, grid_x, grid_y, d_grid, label, _d_limits(d_grid, label))
    cb = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
    cb.set_label(label)
    r = subsample(real, n_pts, seed=2)
    g = subsample(finite_rows(gen), n_pts, seed=3)
    ax.scatter(r[:, 0], r[:, 1], s=3, color=REAL_COLOR, alpha=0.5, linewidths=0, rasterized=True)
    ax.scatter(g[:, 0], g[:, 1], s=3, color=FAKE_COLOR, alpha=0.6, linewidths=0, rasterized=True)
    view = clip_to_grid(view_limits(real, [gen]), [grid_x, grid_y])
    ax.set_xlim(*view[0])
    ax.set_ylim(*view[1])
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(run_title(experiment, seed, "discriminator over the plane"))
    handles = [
        Line2D([], [], ls="", marker="o", ms=5, color=REAL_COLOR, label="real"),
        Line2D([], [], ls="", marker="o", ms=5, color=FAKE_COLOR, label="generated"),
    ]
    if is_probability_label(label):
        handles.append(Line2D([], [], color=D_COLOR, ls="--", lw=1.5, label="D = 0.5"))
    ax.legend(handles=handles, loc="upper right")
    note_outside(ax, outside_fraction(gen, view))
    return save(fig, path, settings)


# ----------------------------------------------------------------------------- dashboard


def dashboard(real, gens: Mapping[Any, Any], ratios: Mapping[Any, Any], path, settings, *, experiment,
              verdicts: Mapping[Any, Any] | None = None):
    """All seeds of one experiment in one figure (1-D: overlaid KDEs; 2-D: panel grid), each
    labelled with its W1/floor and, if given, its verdict."""
    real = finite_rows(as_2d(real))
    seeds = sorted(gens, key=_seed_key)
    verdicts = verdicts or {}
    if real.shape[1] == 1:
        return _dashboard_1d(real[:, 0], gens, ratios, verdicts, seeds, path, settings, experiment)
    return _dashboard_2d(real, gens, ratios, verdicts, seeds, path, settings, experiment)


def _dashboard_1d(real, gens, ratios, verdicts, seeds, path, settings, experiment):
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
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.set_title(f"{experiment} — all seeds")
    legend_title = "generated (W1/floor · verdict)" if verdicts else "generated (W1/floor)"
    if len(seeds) <= 8:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
                  title=legend_title, title_fontsize="small")
    else:  # many seeds: a multi-column legend below the axes
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h + 0.22 * math.ceil((len(seeds) + 1) / 3))
        h_, l_ = ax.get_legend_handles_labels()
        fig.legend(h_, l_, loc="outside lower center", ncol=3, title=legend_title,
                   title_fontsize="small", frameon=False)
    return save(fig, path, settings)


def _dashboard_2d(real, gens, ratios, verdicts, seeds, path, settings, experiment):
    n = max(len(seeds), 1)
    ncols = min(n, 4 if n > 4 else n)
    if n in (5, 6):
        ncols = 3
    nrows = math.ceil(n / ncols)
    panel = 2.6
    fig = new_figure(settings, figsize=(panel * ncols + 0.4, panel * nrows + 0.7))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    n_pts = int(setting(settings, "scatter_points"))
    gen_arrays = [as_2d(gens[s]) for s in seeds]
    view = view_limits(real, gen_arrays)
    r = subsample(real, n_pts, seed=2)
    for ax, s, g in zip(axes, seeds, gen_arrays):
        gf = subsample(finite_rows(g), n_pts, seed=3)
        ax.scatter(r[:, 0], r[:, 1], s=3, color=REAL_COLOR, alpha=0.15, linewidths=0, rasterized=True)
        ax.scatter(gf[:, 0], gf[:, 1], s=3, color=FAKE_COLOR, alpha=0.6, linewidths=0, rasterized=True)
        ax.set_title(_seed_text(s, ratios.get(s), verdicts.get(s)), fontsize="small",
                     color="#B22222" if _looks_bad(verdicts.get(s)) else "black")
        ax.set_aspect("equal", adjustable="box")
        note_outside(ax, outside_fraction(g, view), what="points")
    for ax in axes[len(seeds):]:
        ax.set_visible(False)
    axes[0].set_xlim(*view[0])
    axes[0].set_ylim(*view[1])
    for i, ax in enumerate(axes[:len(seeds)]):
        if i + ncols >= len(seeds):  # no panel below: this one carries the x axis
            ax.set_xlabel("x₁")
            ax.xaxis.set_tick_params(labelbottom=True)
        if i % ncols == 0:
            ax.set_ylabel("x₂")
    handles = [
        Line2D([], [], ls="", marker="o", ms=6, color=REAL_COLOR, alpha=0.4, label="real"),
        Line2D([], [], ls="", marker="o", ms=6, color=FAKE_COLOR, label="generated"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    fig.suptitle(f"{experiment} — all seeds")
    return save(fig, path, settings)
