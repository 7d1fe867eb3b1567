"""Cross-run figures: the comparison of experiments.  No TensorFlow."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from typing import TYPE_CHECKING  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

if TYPE_CHECKING:  # pandas costs a per-run figure job a fifth of its start-up; imported where used
    import pandas as pd

from .style import FAKE_COLOR, FLOOR_COLOR, fmt_ratio, new_figure, save, setting  # noqa: E402

MODES_COLOR = "#E69F00"  # Okabe-Ito orange
HQ_COLOR = "#CC79A7"  # Okabe-Ito reddish purple
TRUTH_COLOR = "#009E73"  # Okabe-Ito bluish green
# Verdict counts printed under each experiment, in this order and with these words.
VERDICT_WORDS = [("n_ok", "ok"), ("n_mode_collapse", "collapse"), ("n_inconclusive", "inconclusive"),
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
    ax.legend(loc="best", fontsize="x-small")


def comparison(by_exp, path, settings):
    """W1/floor per experiment (mean ± s.e., min–max), the generator's own error w1_truth
    beside the floor where the true distribution is known, and mode metrics where available.
    Tick labels carry the seeds and the verdict counts."""
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
    has_modes = bool(np.isfinite(frac).any() or np.isfinite(hq).any())
    has_truth = bool(np.isfinite(_num(df, "w1_truth_mean")).any())

    w, h = setting(settings, "figsize")
    width = max(float(w), 1.5 + 1.0 * n)
    ratios = [3] + [2] * (has_truth + has_modes)
    fig = new_figure(settings, figsize=(width, h * (1.0 + 0.65 * (has_truth + has_modes))))
    axes = fig.subplots(len(ratios), 1, sharex=True, squeeze=False,
                        height_ratios=ratios if len(ratios) > 1 else None)[:, 0]

    ax = axes[0]
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
    ax.legend(loc="best")

    if has_truth:
        _truth_panel(axes[1], df, x)

    if has_modes:
        ax2 = axes[-1]
        bw = 0.38
        ax2.bar(x - bw / 2, _nan0(frac), bw, yerr=_nan0(frac_se), color=MODES_COLOR, capsize=3,
                label="modes captured (fraction)", error_kw=dict(lw=1.2))
        ax2.bar(x + bw / 2, _nan0(hq), bw, yerr=_nan0(hq_se), color=HQ_COLOR, capsize=3,
                label="high-quality samples (fraction)", error_kw=dict(lw=1.2))
        for xi in x[~(np.isfinite(frac) | np.isfinite(hq))]:
            ax2.text(xi, 0.04, "n/a", ha="center", va="bottom", fontsize="small", color="0.45")
        ax2.set_ylim(0, 1.3)
        ax2.set_yticks(np.linspace(0, 1, 6))
        ax2.set_ylabel("fraction")
        ax2.legend(loc="upper center", ncol=2)

    # Rotate the tick labels only if the names do not fit their slots (~0.075 in per char).
    rotate = max((len(nm) for nm in names), default=1) * 0.075 > 0.9 * (width - 1.2) / max(n, 1)
    sep = " " if rotate else "\n"
    labels = [f"{nm}{sep}(n={int(s)})" if np.isfinite(s) else nm for nm, s in zip(names, n_seeds)]
    labels = [f"{lab}{sep}{v}" if v else lab for lab, v in zip(labels, _verdict_counts(df))]
    axes[-1].set_xticks(x, labels)
    if rotate:
        axes[-1].tick_params(axis="x", labelrotation=30)
        for t in axes[-1].get_xticklabels():
            t.set_ha("right")
            t.set_rotation_mode("anchor")
    axes[-1].set_xlim(-0.6, n - 0.4)
    axes[-1].set_xlabel("experiment (n = seeds; verdict counts)")
    fig.suptitle("W1 / noise floor across experiments (mean ± s.e. over seeds)")
    return save(fig, path, settings)
