"""Training figures: loss/W1 curves and the training animation (GIF via PillowWriter).
No TensorFlow, no ffmpeg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.animation import PillowWriter  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from PIL import Image  # noqa: E402

from .kde import density_on  # noqa: E402
from .runs import PEAK_CAP, _d_limits, _point_handles, heatmap_cmap  # noqa: E402
from .style import (  # noqa: E402
    D_COLOR,
    DIVERGED_COLOR,
    FAKE_COLOR,
    REAL_COLOR,
    W1_COLOR,
    apply_style,
    as_2d,
    axis_names,
    clip_to_grid,
    fig_title,
    finite_rows,
    fit_view,
    is_probability_label,
    line_height,
    new_figure,
    outside_fraction,
    run_title,
    save,
    setting,
    subsample,
    title_lines,
    view_limits,
)

SMOOTH_ABOVE = 200  # epochs; longer histories get a rolling mean over the faint raw curve
HOLD_SECONDS = 1.5  # the last GIF frame is shown this long (Pillow merges identical frames)
ANIM_SCATTER_POINTS = 600  # per side and frame; keeps GIFs small
ANIM_TEXT_PX = 10.5  # height of body text in GIF pixels


# ----------------------------------------------------------------------------- loss curves


def _finite_float(s) -> np.ndarray:
    """A column as floats, non-finite values and (in a hand-made table) text as NaN."""
    try:
        y = np.array(s, dtype=float)
    except (TypeError, ValueError):
        import pandas as pd  # only for text in a numeric column: pandas costs a figure job a fifth of its start-up

        y = np.array(pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    y[~np.isfinite(y)] = np.nan
    return y


def _by_epoch(history) -> dict[str, np.ndarray]:
    """The columns of ``history`` (a DataFrame or a dict of columns) in epoch order."""
    columns = {c: np.asarray(history[c]) for c in history}
    order = np.argsort(_finite_float(columns["epoch"]), kind="stable")
    return {c: v[order] for c, v in columns.items()}


def rolling_mean(y: np.ndarray, win: int) -> np.ndarray:
    """pandas' ``Series(y).rolling(win, center=True, min_periods=1).mean()``: the window of
    point i ends (win - 1) // 2 points after it, NaNs are skipped, windows at the ends are partial."""
    after = (win - 1) // 2
    padded = np.concatenate([np.full(win - 1 - after, np.nan), y, np.full(after, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, win)
    count = np.sum(~np.isnan(windows), axis=1)
    total = np.nansum(windows, axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def loss_curves(history, path, settings, *, experiment, seed, loss_name, diverged_epoch=None):
    """D and G loss vs epoch (top) and W1 to the real data at measured epochs (bottom)."""
    h = _by_epoch(history)
    epoch = _finite_float(h["epoch"])
    w, ht = setting(settings, "figsize")
    fig = new_figure(settings, figsize=(w, ht * 1.3))
    ax1, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])

    values = []
    n = len(epoch)
    for col, color, name in (("d_loss", D_COLOR, "D loss"), ("g_loss", FAKE_COLOR, "G loss")):
        if col not in h:
            continue
        y = _finite_float(h[col])
        values.append(y[np.isfinite(y)])
        if n > SMOOTH_ABOVE:
            win = max(5, n // 50)
            smooth = rolling_mean(y, win)
            ax1.plot(epoch, y, color=color, lw=0.6, alpha=0.3)
            ax1.plot(epoch, smooth, color=color, lw=1.8, label=f"{name} (rolling mean, {win} epochs)")
        else:
            ax1.plot(epoch, y, color=color, lw=1.6, label=name,
                     marker="o" if n <= 30 else None, ms=3)
    allv = np.concatenate(values) if values else np.array([])
    # Robust y-range: judged on the pre-divergence epochs if known, else on all epochs.
    ref = allv
    if diverged_epoch is not None and np.isfinite(float(diverged_epoch)):
        before = epoch < float(diverged_epoch)
        ref_parts = [_finite_float(h[c])[before] for c in ("d_loss", "g_loss") if c in h]
        ref_parts = np.concatenate(ref_parts) if ref_parts else np.array([])
        ref_parts = ref_parts[np.isfinite(ref_parts)]
        if len(ref_parts) >= 5:
            ref = ref_parts
    if len(ref) >= 5:
        # Tukey fences (k = 5) on the reference values: an exploding loss is left off-scale.
        q1, q3 = np.percentile(ref, [25, 75])
        iqr = max(q3 - q1, 1e-12 * max(abs(q1), abs(q3), 1.0))
        inside = allv[(allv >= q1 - 5 * iqr) & (allv <= q3 + 5 * iqr)]
        n_off = len(allv) - len(inside)
        if n_off and len(inside):
            lo, hi = inside.min(), inside.max()
            pad = 0.1 * (hi - lo) if hi > lo else 0.5
            ax1.set_ylim(lo - pad, hi + pad)
            ax1.text(0.01, 0.02, f"y-axis clipped: {n_off} extreme loss value(s) off-scale",
                     transform=ax1.transAxes, fontsize="x-small", color="0.35", ha="left", va="bottom")
    ax1.set_ylabel(f"loss ({loss_name})")
    if ax1.get_legend_handles_labels()[0]:
        ax1.legend(loc="best")

    w1 = _finite_float(h["w1"]) if "w1" in h else np.full(n, np.nan)
    m = np.isfinite(w1) & np.isfinite(epoch)
    if m.any():
        ax2.plot(epoch[m], w1[m], color=W1_COLOR, lw=1.4, marker="o", ms=3.5, label="W1 (measured epochs)")
        pos = w1[m][w1[m] > 0]
        if len(pos) >= 2 and pos.max() / pos.min() > 10:
            ax2.set_yscale("log")
        else:
            ax2.set_ylim(bottom=0)
    else:
        ax2.text(0.5, 0.5, "W1 not measured", transform=ax2.transAxes, ha="center", va="center",
                 color="0.4")
    ax2.set_ylabel("W1 to real data\n(data units)")
    ax2.set_xlabel("epoch")

    if diverged_epoch is not None and np.isfinite(float(diverged_epoch)):
        e = float(diverged_epoch)
        for ax in (ax1, ax2):
            ax.axvline(e, color=DIVERGED_COLOR, ls="--", lw=1.4)
        ax1.annotate(f"diverged at epoch {_epoch_text(e)}",
                     xy=(e, 1.0), xycoords=("data", "axes fraction"), xytext=(-4, -4),
                     textcoords="offset points", ha="right", va="top", color=DIVERGED_COLOR,
                     fontsize="small", bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
        xmin, xmax = ax1.get_xlim()
        if e > xmax or e < xmin:
            ax1.set_xlim(min(xmin, e), max(xmax, e) + 0.02 * (max(xmax, e) - min(xmin, e)))
    fig_title(fig, run_title(experiment, seed, f"training curves ({loss_name} loss)"))
    return save(fig, path, settings)


# ----------------------------------------------------------------------------- animation


def _frame_indices(n_snapshots: int, max_frames: int) -> np.ndarray:
    n = max(1, min(int(max_frames), n_snapshots))
    if n == 1:
        return np.array([n_snapshots - 1])
    return np.unique(np.round(np.linspace(0, n_snapshots - 1, n)).astype(int))


def _epoch_text(e) -> str:
    e = float(e)
    return f"{int(e)}" if e.is_integer() else f"{e:g}"


def animation(snapshots, real, path, settings, *, experiment, seed, label, columns=None):
    """Animated GIF of training: per frame, generated vs real and D's output; ``columns``: the
    data's column names. The experiment heads the figure; the frame's title is its seed and epoch."""
    epochs = np.asarray(snapshots["epochs"]).ravel()
    samples = np.asarray(snapshots["samples"], dtype=float)
    if samples.ndim == 2:
        samples = samples[..., None]
    idx = _frame_indices(len(epochs), setting(settings, "animation_frames"))
    real = finite_rows(as_2d(real))
    dpi = int(setting(settings, "animation_dpi"))
    fps = int(setting(settings, "animation_fps"))

    apply_style()
    # Small GIFs are rendered at low dpi: size text in pixels so it stays readable.
    base = max(7.0, ANIM_TEXT_PX * 72.0 / dpi)
    plt.rcParams.update({"font.size": base, "axes.titlesize": base, "axes.labelsize": 0.95 * base,
                         "legend.fontsize": 0.85 * base, "xtick.labelsize": 0.85 * base,
                         "ytick.labelsize": 0.85 * base, "lines.linewidth": 1.5,
                         "axes.titleweight": "bold"})
    plt.rcParams.update({"figure.titlesize": base, "figure.titleweight": "normal"})
    w, h = setting(settings, "animation_size")
    names = axis_names(columns, samples.shape[2])
    fig = plt.figure(figsize=(w, h), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    if samples.shape[2] == 1:
        update = _setup_1d(fig, ax, snapshots, samples, real, idx, settings, label, names)
    else:
        update = _setup_2d(fig, ax, snapshots, samples, real, idx, settings, label, names)
    w, h = fig.get_size_inches()
    extra = (title_lines(experiment, w - 0.15) - 1) * line_height(base)
    fig.set_size_inches(w, h + extra)
    fig_title(fig, experiment, width=w - 0.15)
    title = ax.set_title("")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = _BlitWriter(fps=fps)
    try:
        with writer.saving(fig, str(path), dpi):
            for k, i in enumerate(idx):
                changed = update(i)
                title.set_text(f"seed {seed} · epoch {_epoch_text(epochs[i])}")
                if k == 0:
                    # Lay out, then freeze so frames do not jitter. Twice: at a GIF's low dpi the
                    # first pass leaves the legend below the axes over their x label.
                    fig.canvas.draw()
                    fig.canvas.draw()
                    fig.set_layout_engine("none")
                    writer.grab_frame()
                    writer.freeze_background([*changed, title])
                else:
                    writer.grab_blitted([*changed, title])
            # Identical trailing frames are merged by Pillow into one longer last frame.
            writer.repeat_last(int(round(HOLD_SECONDS * fps)))
    finally:
        plt.close(fig)
        apply_style()
    return path


class _BlitWriter(PillowWriter):
    """PillowWriter that renders only what changes between frames.

    A full render of a frame is mostly axes, ticks, labels and the legend, identical in every
    frame once the layout is frozen. After the first frame the figure is drawn once without the
    changing artists, and each later frame is that background plus those artists, drawn in the
    order the full render draws them (by axes, then z-order).
    """

    def freeze_background(self, changing) -> None:
        for artist in changing:
            artist.set_animated(True)
        self.fig.canvas.draw()
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def grab_blitted(self, changing) -> None:
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        axes = {id(a): n for n, a in enumerate(self.fig.axes)}
        for artist in sorted(changing, key=lambda a: (axes.get(id(a.axes), -1), a.get_zorder())):
            self.fig.draw_artist(artist)
        im = Image.frombuffer("RGBA", self.frame_size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        self._frames.append(im.convert("RGB") if im.getextrema()[3][0] == 255 else im.copy())

    def repeat_last(self, n: int) -> None:
        self._frames.extend([self._frames[-1]] * n)


def _setup_1d(fig, ax, snapshots, samples, real, idx, settings, label, names):
    grid_x = np.asarray(snapshots["grid_x"], dtype=float).ravel()
    d_grid = np.asarray(snapshots["d_grid"], dtype=float)
    if d_grid.shape != (len(samples), len(grid_x)):
        raise ValueError(f"snapshots['d_grid'] must have shape (F, len(grid_x)) = {(len(samples), len(grid_x))}, "
                         f"got {d_grid.shape}")
    bw = setting(settings, "kde_bw_adjust")
    view = clip_to_grid(view_limits(real, [samples[idx].reshape(-1, 1)]), [grid_x])[0]
    span = view[1] - view[0]
    xs = np.linspace(view[0], view[1], 300)
    floor = 0.01 * span
    real_dens = density_on(subsample(real, 3000)[:, 0], xs, bw_adjust=bw, bw_floor=floor)
    gen_dens = {i: density_on(subsample(samples[i], 1500)[:, 0], xs, bw_adjust=bw, bw_floor=floor) for i in idx}
    real_peak = real_dens.max()
    gen_peak = max(g.max() for g in gen_dens.values())
    top = min(max(real_peak, gen_peak), PEAK_CAP * real_peak) * 1.08 if real_peak > 0 else max(gen_peak, 1.0)

    ax.fill_between(xs, real_dens, color=REAL_COLOR, alpha=0.25, lw=0)
    ax.plot(xs, real_dens, color=REAL_COLOR, lw=1.8, label="real")
    (gen_line,) = ax.plot(xs, gen_dens[idx[0]], color=FAKE_COLOR, lw=1.8, label="generated")
    ax.set_xlim(*view)
    ax.set_ylim(0, top)
    ax.set_xlabel(names[0])
    ax.set_ylabel("density")

    ax2 = ax.twinx()
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    (d_line,) = ax2.plot(grid_x, d_grid[idx[0]], color=D_COLOR, lw=1.6, ls="--", label="D(x)")
    if is_probability_label(label):
        ax2.axhline(0.5, color=D_COLOR, lw=0.6, ls=":")
        ax2.set_ylim(-0.02, 1.02)
    else:
        inview = (grid_x >= view[0]) & (grid_x <= view[1])
        lo, hi = _d_limits(d_grid[np.ix_(idx, inview)], label)
        pad = 0.05 * (hi - lo)
        ax2.set_ylim(lo - pad, hi + pad)
    ax2.set_ylabel(label, color=D_COLOR)
    ax2.tick_params(axis="y", colors=D_COLOR)
    fig.legend(handles=[ax.lines[0], gen_line, d_line], loc="outside lower center", ncol=3,
               frameon=False, handlelength=1.5, columnspacing=1.0, borderpad=0.1)
    note = ax.text(0.01, 0.98, "", transform=ax.transAxes, ha="left", va="top", fontsize="small",
                   color=FAKE_COLOR)

    def update(i):
        gen_line.set_ydata(gen_dens[i])
        d_line.set_ydata(d_grid[i])
        frac = outside_fraction(samples[i], view[None, :])
        clipped = gen_dens[i].max() > top
        parts = ([f"{frac:.0%} outside view"] if frac > 0.005 else []) + (["peak clipped"] if clipped else [])
        note.set_text(" · ".join(parts))
        return [gen_line, note, d_line]

    return update


def _setup_2d(fig, ax, snapshots, samples, real, idx, settings, label, names):
    grid_x = np.asarray(snapshots["grid_x"], dtype=float).ravel()
    grid_y = np.asarray(snapshots["grid_y"], dtype=float).ravel()
    d_grid = np.asarray(snapshots["d_grid"], dtype=float)
    if d_grid.shape != (len(samples), len(grid_y), len(grid_x)):
        raise ValueError(f"snapshots['d_grid'] must have shape (F, len(grid_y), len(grid_x)) = "
                         f"{(len(samples), len(grid_y), len(grid_x))}, got {d_grid.shape}")
    n_pts = min(int(setting(settings, "scatter_points")), ANIM_SCATTER_POINTS)
    view, box, _ = fit_view(clip_to_grid(view_limits(real, [samples[idx].reshape(-1, 2)]), [grid_x, grid_y]))
    # The panel as tall as the figure allows, the figure as wide as the panel and its colour bar need.
    w, h = fig.get_size_inches()
    panel_h = max(h - 1.0, 1.5)
    fig.set_size_inches(min(w, panel_h / box + 2.0), h)
    vlim = _d_limits(d_grid[idx], label)
    mesh = ax.pcolormesh(grid_x, grid_y, d_grid[idx[0]], cmap=heatmap_cmap(), vmin=vlim[0], vmax=vlim[1],
                         shading="auto")
    cb = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
    cb.set_label(label)
    r = subsample(real, n_pts, seed=2)
    # Real and generated points alike: same size and alpha, their own colours.
    real_sc = ax.scatter(r[:, 0], r[:, 1], s=3, color=REAL_COLOR, alpha=0.7, linewidths=0)
    gen_sc = ax.scatter([], [], s=3, color=FAKE_COLOR, alpha=0.7, linewidths=0)
    ax.set_xlim(*view[0])
    ax.set_ylim(*view[1])
    ax.set_box_aspect(box)
    ax.grid(False)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    handles = _point_handles(ms=4)
    if is_probability_label(label):
        handles.append(Line2D([], [], color=D_COLOR, ls="--", lw=1.0, label="D = 0.5"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False,
               handlelength=1.5, columnspacing=1.0, borderpad=0.1)
    note = ax.text(0.01, 0.01, "", transform=ax.transAxes, ha="left", va="bottom", fontsize="small",
                   color=FAKE_COLOR)
    prob = is_probability_label(label)
    state: dict[str, Any] = {"contour": None}

    def update(i):
        mesh.set_array(d_grid[i])
        g = subsample(finite_rows(samples[i]), n_pts, seed=3)
        gen_sc.set_offsets(g)
        if state["contour"] is not None:
            state["contour"].remove()
            state["contour"] = None
        if prob and np.nanmin(d_grid[i]) < 0.5 < np.nanmax(d_grid[i]):
            state["contour"] = ax.contour(grid_x, grid_y, d_grid[i], levels=[0.5], colors=[D_COLOR],
                                          linewidths=1.0, linestyles="--")
        frac = outside_fraction(samples[i], view)
        note.set_text(f"{frac:.0%} of generated outside view" if frac > 0.005 else "")
        # The heatmap changes and covers the axes: everything drawn over it is drawn again.
        contour = [state["contour"]] if state["contour"] is not None else []
        return [mesh, real_sc, gen_sc, *contour, note, *ax.spines.values()]

    return update
