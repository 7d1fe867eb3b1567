"""Cross-run figures: the comparison of experiments.  No TensorFlow."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from typing import TYPE_CHECKING  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

if TYPE_CHECKING:  # pandas costs a per-run figure job a fifth of its start-up; imported where used
    import pandas as pd

from matplotlib.lines import Line2D  # noqa: E402

from .style import (  # noqa: E402
    FAKE_COLOR,
    FLOOR_COLOR,
    fig_title,
    fmt_ratio,
    line_height,
    new_figure,
    save,
    setting,
    title_lines,
    wrap_text,
)

MODES_COLOR = "#E69F00"  # Okabe-Ito orange
HQ_COLOR = "#CC79A7"  # Okabe-Ito reddish purple
TRUTH_COLOR = "#009E73"  # Okabe-Ito bluish green
WIDTH_COLOR = "#6A3D9A"  # purple: mode width ratios
# The sample-based metrics (Naeem et al., 2020), each beside its real-vs-real floor.
PRDC = [("precision", "#56B4E9"), ("recall", "#009E73"), ("density", "#E69F00"), ("coverage", "#CC79A7")]
FLOOR_MARK = "#222222"
# Panel heights in inches at the default figure height (4.5 in); the configured height scales them.
PANEL_HEIGHT = {"ratio": 2.6, "truth": 1.9, "modes": 1.7, "width": 1.5, "prdc": 2.1}
SLOT = 1.05  # inches of x axis per experiment
LEGEND_WIDTH = 2.7  # inches right of the panels for their legends
# Verdict counts printed under each experiment, in this order and with these words.
VERDICT_WORDS = [("n_ok", "ok"), ("n_mode_collapse", "collapse"), ("n_narrow_modes", "narrow"),
                 ("n_wide_modes", "wide"), ("n_off_data", "off data"), ("n_inconclusive", "inconclusive"),
                 ("n_diverged", "diverged"), ("n_failed", "failed")]


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    import pandas as pd

    if col not in df:
        return np.full(len(df), np.nan)
    return np.array(pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan), copy=True)


def _nan0(a: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(a), a, 0.0)


def _verdict_counts(df: pd.DataFrame) -> list[str]:
    """'2 ok · 1 collapse' per experiment (empty where no verdict column exists)."""
    cols = [(c, word) for c, word in VERDICT_WORDS if c in df]
    if not any(c.startswith("n_ok") or c == "n_mode_collapse" for c, _ in cols):
        return [""] * len(df)
    out = []
    for _, row in df.iterrows():
        parts = [f"{int(row[c])} {word}" for c, word in cols if np.isfinite(float(row[c])) and int(row[c])]
        out.append(" · ".join(parts))
    return out


def _truth_panel(ax, df: pd.DataFrame, x: np.ndarray) -> None:
    """w1_truth (mean ± s.e.) beside the noise floor at the scored size (mean ± sd over the
    floor's pairs), in data units; in 2-D both are sliced W1."""
    truth, truth_se = _num(df, "w1_truth_mean"), _num(df, "w1_truth_se")
    sliced = np.isfinite(_num(df, "sliced_w1_floor_mean"))
    floor = np.where(sliced, _num(df, "sliced_w1_floor_mean"), _num(df, "w1_floor_mean"))
    floor_sd = np.where(sliced, _num(df, "sliced_w1_floor_sd_mean"), _num(df, "w1_floor_sd_mean"))
    noise = _num(df, "w1_truth_noise_mean")
    ok = np.isfinite(truth)
    ax.errorbar(x[ok] - 0.12, truth[ok], yerr=_nan0(truth_se[ok]), fmt="D", color=TRUTH_COLOR, ms=6, capsize=4,
                label="w1_truth: generator vs true distribution (mean ± s.e.)", zorder=3)
    okf = np.isfinite(floor)
    ax.errorbar(x[okf] + 0.12, floor[okf], yerr=_nan0(floor_sd[okf]), fmt="s", color=FLOOR_COLOR, ms=6,
                capsize=4, label="noise floor at the scored size (mean ± sd)", zorder=3)
    okn = np.isfinite(noise)
    if okn.any():
        ax.scatter(x[okn] - 0.12, noise[okn], marker="_", s=120, color="0.45", zorder=2,
                   label="w1_truth of exact draws (its own noise)")
    for xi, t in zip(x[ok], truth[ok]):
        ax.annotate(f"{t:.3g}", (xi - 0.12, t), xytext=(-8, 0), textcoords="offset points", va="center",
                    ha="right", fontsize="x-small", color="0.25")
    vals = np.r_[truth[ok], floor[okf], noise[okn]]
    vals = vals[vals > 0]
    if vals.size and vals.max() / vals.min() > 20:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, float(np.nanmax(np.r_[truth[ok] + _nan0(truth_se[ok]), floor[okf] + _nan0(floor_sd[okf]),
                                             [1e-9]])) * 1.25)
    ax.set_ylabel("W1 (data units)")
    _legend(ax)


def _legend(ax, handles=None, labels=None) -> None:
    """A panel's legend to its right, its entries wrapped to the legend column."""
    if handles is None:
        h, lab = ax.get_legend_handles_labels()
    else:
        h, lab = handles, labels or [x.get_label() for x in handles]
    if not h:
        return
    size = "small"
    lab = [wrap_text(t, LEGEND_WIDTH - 0.6, size=size) for t in lab]
    ax.legend(h, lab, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=size, frameon=False)


def _modes_panel(ax, x, frac, frac_se, hq, hq_se) -> None:
    bw = 0.38
    ax.bar(x - bw / 2, _nan0(frac), bw, yerr=_nan0(frac_se), color=MODES_COLOR, capsize=3,
           label="modes captured (fraction)", error_kw=dict(lw=1.2))
    ax.bar(x + bw / 2, _nan0(hq), bw, yerr=_nan0(hq_se), color=HQ_COLOR, capsize=3,
           label="high-quality samples (fraction)", error_kw=dict(lw=1.2))
    for xi in x[~(np.isfinite(frac) | np.isfinite(hq))]:
        ax.text(xi, 0.04, "n/a", ha="center", va="bottom", fontsize="small", color="0.45")
    ax.set_ylim(0, 1.12)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("fraction")
    _legend(ax)


def _width_panel(ax, df: pd.DataFrame, x: np.ndarray) -> None:
    """The generated modes' width over the real modes' (1 is right): the narrowest and the
    widest mode of a run, each a mean over seeds, on a log scale centred on 1."""
    lo, hi = _num(df, "width_ratio_min_mean"), _num(df, "width_ratio_max_mean")
    lo, hi = np.where(lo > 0, lo, np.nan), np.where(hi > 0, hi, np.nan)
    both = np.isfinite(lo) & np.isfinite(hi)
    ax.vlines(x[both], lo[both], hi[both], color=WIDTH_COLOR, lw=3, alpha=0.35)
    ax.scatter(x[np.isfinite(lo)], lo[np.isfinite(lo)], marker="v", s=45, color=WIDTH_COLOR, zorder=3,
               label="narrowest mode (min ratio, mean over seeds)")
    ax.scatter(x[np.isfinite(hi)], hi[np.isfinite(hi)], marker="^", s=45, color=WIDTH_COLOR, zorder=3,
               label="widest mode (max ratio, mean over seeds)")
    ax.axhline(1.0, ls="--", color=FLOOR_COLOR, lw=1.2, label="1 = as wide as the real mode")
    for xi in x[~(np.isfinite(lo) | np.isfinite(hi))]:
        ax.text(xi, 0.06, "n/a", ha="center", va="bottom", fontsize="small", color="0.45",
                transform=ax.get_xaxis_transform())
    vals = np.r_[lo[np.isfinite(lo)], hi[np.isfinite(hi)]]
    reach = max(float(np.max(np.abs(np.log(vals)))) if vals.size else 0.0, np.log(1.6)) * 1.25
    ax.set_yscale("log")
    ax.set_ylim(np.exp(-reach), np.exp(reach))
    ax.yaxis.set_major_locator(LogLocator(base=2))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_ylabel("mode width\ngenerated / real")
    _legend(ax)


def _prdc_panel(ax, df: pd.DataFrame, x: np.ndarray) -> None:
    """Precision, recall, density and coverage (mean ± s.e. over seeds) as grouped bars, each
    with its real-vs-real floor (mean) marked across the bar."""
    present = [(m, c) for m, c in PRDC if np.isfinite(_num(df, f"{m}_mean")).any()]
    width = 0.8 / max(len(present), 1)
    top = 1.0
    for j, (m, color) in enumerate(present):
        xs = x - 0.4 + width * (j + 0.5)
        mean, se, floor = _num(df, f"{m}_mean"), _num(df, f"{m}_se"), _num(df, f"{m}_floor_mean")
        ax.bar(xs, _nan0(mean), width * 0.92, yerr=_nan0(se), color=color, capsize=2, label=m,
               error_kw=dict(lw=1.0))
        ok = np.isfinite(floor)
        ax.hlines(floor[ok], xs[ok] - width * 0.5, xs[ok] + width * 0.5, colors=FLOOR_MARK, lw=2.2, zorder=4)
        top = max(top, float(np.nanmax(np.r_[mean + _nan0(se), floor, [0.0]])))
    none = np.ones(len(x), dtype=bool)
    for m, _ in present:
        none &= ~np.isfinite(_num(df, f"{m}_mean"))
    for xi in x[none]:
        ax.text(xi, 0.04 * top, "n/a", ha="center", va="bottom", fontsize="small", color="0.45")
    ax.set_ylim(0, top * 1.1)
    ax.set_ylabel("sample metrics")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color=FLOOR_MARK, lw=2.2))
    labels.append("real-vs-real floor (mean)")
    _legend(ax, handles, labels)


def _common_prefix(names: list[str]) -> str:
    """The part before the last "__" that every name shares (a sweep's name), if any."""
    if len(names) < 2:
        return ""
    first, last = min(names), max(names)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    cut = first[:i].rfind("__")
    prefix = first[:cut + 2] if cut > 0 else ""
    return prefix if all(len(nm) > len(prefix) for nm in names) else ""


def comparison(by_exp, path, settings):
    """W1/floor per experiment (mean ± s.e., min–max), the generator's own error w1_truth
    beside the floor where the true distribution is known, mode metrics, the width of the
    generated modes and the sample-based metrics (precision, recall, density, coverage with
    their floors) where available: a panel each, those without data left out. Tick labels
    carry the experiment (wrapped to its slot), its seeds and verdict counts."""
    df = by_exp.reset_index(drop=True)
    n = len(df)
    x = np.arange(n)
    names = [str(e) for e in df["experiment"]] if "experiment" in df else [str(i) for i in x]
    n_seeds = _num(df, "n_seeds")

    mean, se = _num(df, "w1_ratio_mean"), _num(df, "w1_ratio_se")
    mn, mx = _num(df, "w1_ratio_min"), _num(df, "w1_ratio_max")
    modes, modes_se = _num(df, "modes_captured_mean"), _num(df, "modes_captured_se")
    n_modes = _num(df, "n_modes_mean")
    with np.errstate(invalid="ignore", divide="ignore"):
        frac, frac_se = modes / n_modes, modes_se / n_modes
    hq, hq_se = _num(df, "high_quality_fraction_mean"), _num(df, "high_quality_fraction_se")
    kinds = ["ratio"]
    if np.isfinite(_num(df, "w1_truth_mean")).any():
        kinds.append("truth")
    if np.isfinite(frac).any() or np.isfinite(hq).any():
        kinds.append("modes")
    if any(np.isfinite(_num(df, c)).any() for c in ("width_ratio_min_mean", "width_ratio_max_mean")):
        kinds.append("width")
    if any(np.isfinite(_num(df, f"{m}_mean")).any() for m, _ in PRDC):
        kinds.append("prdc")

    w, h = setting(settings, "figsize")
    scale = float(h) / 4.5
    width = max(float(w) + 1.3, 1.0 + SLOT * n + LEGEND_WIDTH)
    slot = (width - 1.0 - LEGEND_WIDTH) / max(n, 1)
    fig = new_figure(settings, figsize=(width, h))

    # Tick labels: the name (less a prefix all share) wrapped to its slot, the seeds, the verdicts.
    prefix = _common_prefix(names)
    size = plt_rc("xtick.labelsize")
    counts = _verdict_counts(df)
    labels = []
    for nm, s_, v in zip(names, n_seeds, counts):
        parts = [wrap_text(nm[len(prefix):], slot - 0.08, size=size)]
        if np.isfinite(s_):
            parts.append(f"(n={int(s_)})")
        if v:
            parts.append(wrap_text(v, slot - 0.08, size=size))
        labels.append("\n".join(parts))
    label_lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    xlabel = "experiment (n = seeds; verdict counts)"
    if prefix:
        xlabel = f"experiment, after {prefix} (n = seeds; verdict counts)"
    xlabel = wrap_text(xlabel, width - LEGEND_WIDTH - 1.0, size=plt_rc("axes.labelsize"))
    heading = "Experiments compared: W1 / noise floor and sample metrics (mean ± s.e. over seeds)"
    heights = [PANEL_HEIGHT[k] * scale for k in kinds]
    fig.set_size_inches(width, sum(heights) + 0.15 * len(kinds) + label_lines * line_height(size)
                        + (xlabel.count("\n") + 1) * line_height(plt_rc("axes.labelsize")) + 0.3
                        + title_lines(heading, width - 0.2) * line_height(plt_rc("figure.titlesize")))
    axes = fig.subplots(len(kinds), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
    panel = dict(zip(kinds, axes))

    ax = panel["ratio"]
    ok_minmax = np.isfinite(mn) & np.isfinite(mx)
    if ok_minmax.any():
        ax.vlines(x[ok_minmax], mn[ok_minmax], mx[ok_minmax], color=FAKE_COLOR, lw=1.2, alpha=0.55,
                  label="min–max over seeds")
        ax.scatter(np.r_[x[ok_minmax], x[ok_minmax]], np.r_[mn[ok_minmax], mx[ok_minmax]], marker="_",
                   s=80, color=FAKE_COLOR, alpha=0.55, linewidths=1.2)
    ok = np.isfinite(mean)
    ax.errorbar(x[ok], mean[ok], yerr=_nan0(se[ok]), fmt="o", color=FAKE_COLOR, ms=7, capsize=5,
                elinewidth=2.4, capthick=2, label="mean ± s.e.", zorder=3)
    for xi, m in zip(x[ok], mean[ok]):
        ax.annotate(fmt_ratio(m), (xi, m), xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize="x-small", color="0.25")
    ax.axhline(1.0, ls="--", color=FLOOR_COLOR, lw=1.3, label="noise floor (mean over real pairs)")
    vals = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in (mean, mn, mx)] + [np.array([1.0])])
    if vals.max() / vals.min() > 20:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.set_ylim(0, max(1.1, float(np.nanmax(np.r_[vals, _nan0(mean + _nan0(se))]))) * 1.12)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_ylabel("W1 / noise floor (×)")
    _legend(ax)

    if "truth" in panel:
        _truth_panel(panel["truth"], df, x)
    if "modes" in panel:
        _modes_panel(panel["modes"], x, frac, frac_se, hq, hq_se)
    if "width" in panel:
        _width_panel(panel["width"], df, x)
    if "prdc" in panel:
        _prdc_panel(panel["prdc"], df, x)

    axes[-1].set_xticks(x, labels)
    axes[-1].set_xlim(-0.6, n - 0.4)
    axes[-1].set_xlabel(xlabel)
    fig_title(fig, heading)
    return save(fig, path, settings)


def plt_rc(key: str):
    import matplotlib.pyplot as plt

    return plt.rcParams[key]
