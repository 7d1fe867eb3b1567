"""Shared look of every toygan figure: theme, colours, titles, saving, view limits.

No TensorFlow here (plot rules must stay light).  The Agg backend is selected at import.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from ..config.schema import section_defaults  # noqa: E402
from .theme import set_theme  # noqa: E402

# Okabe-Ito colour-blind safe colours, used identically in every figure.
REAL_COLOR = "#0072B2"  # blue: real data
FAKE_COLOR = "#D55E00"  # vermillion: generated samples / generator
D_COLOR = "#009E73"  # green: the discriminator / critic
W1_COLOR = "#4D4D4D"  # dark grey: W1 distance curves
FLOOR_COLOR = "#7F7F7F"  # grey: noise-floor reference lines
DIVERGED_COLOR = "#CC0000"  # red: divergence marker
HEATMAP_CMAP = "Greys"  # neutral so that blue and vermillion points stay visible on top
DEFAULT_NAMES = ("x", "y")  # axis labels of data without column names
# A 2-D panel's box: height / width between 1 / BOX_MAX and BOX_MAX, so it is never squashed flat.
BOX_MAX = 1.5
# Data whose spans differ more than this (likely different units) get independent axis scales.
EQUAL_MAX = 4.0

# The `plots` section's defaults, from the schema: used when a caller passes a partial dict.
DEFAULTS: dict[str, Any] = section_defaults("plots")


def setting(settings: Mapping[str, Any] | None, key: str) -> Any:
    if settings is not None and settings.get(key) is not None:
        return settings[key]
    return DEFAULTS[key]


def apply_style() -> None:
    """Seaborn's whitegrid theme (without importing seaborn) and our tweaks, for all figures (idempotent)."""
    set_theme()
    plt.rcParams.update(
        {
            "axes.titlesize": "medium",
            "axes.titleweight": "bold",
            "figure.titlesize": "large",
            "figure.titleweight": "bold",
            "legend.fontsize": "small",
            "legend.framealpha": 0.85,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "none",
            "pdf.fonttype": 42,
        }
    )


def run_title(experiment: str, seed: Any, what: str) -> str:
    """``"two_normals · seed 0 — real vs generated"``; the seed part is dropped if None."""
    head = f"{experiment}" if seed is None else f"{experiment} · seed {seed}"
    return f"{head} — {what}" if what else head


def axis_names(columns: Sequence[Any] | None, dim: int) -> list[str]:
    """The data's column names as axis labels: ``columns`` (from the data description's
    ``"columns"``) if it names every dimension, else ``["x"]`` / ``["x", "y"]``."""
    if columns is not None and len(columns) == dim and all(str(c).strip() for c in columns):
        return [str(c) for c in columns]
    return list(DEFAULT_NAMES[:dim]) if dim <= len(DEFAULT_NAMES) else [f"x{j + 1}" for j in range(dim)]


# ----------------------------------------------------------------------------- text fitting


@lru_cache(maxsize=1)
def _measurer():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, 72)  # 72 dpi: widths in points


def font_points(size: Any) -> float:
    """A font size (points, or a name such as "small" relative to rcParams["font.size"]) in points."""
    return FontProperties(size=size).get_size_in_points()


def text_width(text: str, size: Any, weight: Any = "normal") -> float:
    """Width in inches of ``text`` drawn at font ``size`` (widest line of a multi-line text)."""
    prop = FontProperties(size=size, weight=weight)
    renderer = _measurer()
    return max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0] for line in text.split("\n")) / 72


def _pieces(word: str, width: float, size, weight) -> list[str]:
    """``word`` cut where a name is read in parts (after "__", then after "_" or "/"), or
    anywhere as a last resort, into pieces no wider than ``width``."""
    if text_width(word, size, weight) <= width:
        return [word]
    for pattern in (r"(?<=__)", r"(?<=[_/])"):
        parts = [p for p in re.split(pattern, word) if p]
        if len(parts) > 1:
            return [q for p in parts for q in _pieces(p, width, size, weight)]
    out, line = [], ""
    for ch in word:
        if line and text_width(line + ch, size, weight) > width:
            out.append(line)
            line = ""
        line += ch
    return out + [line] if line else out


def wrap_text(text: str, width: float, *, size: Any, weight: Any = "normal") -> str:
    """``text`` broken into lines no wider than ``width`` inches at font ``size``: between
    words, and inside a long name after "__" or "_" (experiment names are long)."""
    width = max(float(width), 0.3) / 1.04  # a little slack: hinting and bold glyphs differ
    lines = []
    for para in str(text).split("\n"):
        pieces = []  # parts of a title (" · ", " — ") whole where they fit, else word by word
        for part in (p for p in re.split(r"(?<= · )|(?<= — )", para) if p):
            words = [part] if text_width(part.rstrip(), size, weight) <= width else re.split(r"(?<= )", part)
            pieces += [q for w in words if w for q in _pieces(w, width, size, weight)]
        line = ""
        for piece in pieces:
            if line.strip() and text_width((line + piece).rstrip(), size, weight) > width:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
        lines.append(line.rstrip())
    return "\n".join(lines)


def line_height(size: Any) -> float:
    """Height in inches of one line of text at font ``size`` (matplotlib's line spacing 1.2)."""
    return 1.2 * font_points(size) / 72


def fig_title(fig, text: str, width: float | None = None):
    """``fig.suptitle(text)`` wrapped to the figure's width (or ``width`` inches): a long
    experiment name never runs off the figure or into a neighbour."""
    size = plt.rcParams["figure.titlesize"]
    weight = plt.rcParams["figure.titleweight"]
    width = fig.get_size_inches()[0] - 0.2 if width is None else width
    return fig.suptitle(wrap_text(text, width, size=size, weight=weight))


def title_lines(text: str, width: float, size: Any = None, weight: Any = None) -> int:
    """Lines that ``text`` takes wrapped to ``width`` inches (default: the suptitle's font)."""
    size = plt.rcParams["figure.titlesize"] if size is None else size
    weight = plt.rcParams["figure.titleweight"] if weight is None else weight
    return wrap_text(text, width, size=size, weight=weight).count("\n") + 1


def new_figure(settings: Mapping[str, Any] | None, figsize=None, **kwargs):
    apply_style()
    size = tuple(figsize if figsize is not None else setting(settings, "figsize"))
    return plt.figure(figsize=size, layout="constrained", **kwargs)


def save(fig, path, settings: Mapping[str, Any] | None) -> Path:
    """Save ``fig`` to ``path`` (format from the suffix, dpi from settings) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower() or setting(settings, "format")
    try:
        fig.savefig(path, format=fmt, dpi=setting(settings, "dpi"), bbox_inches="tight", pad_inches=0.08)
    finally:
        plt.close(fig)
    return path


def fmt_ratio(ratio: Any) -> str:
    """W1/floor as ``"1.7×"``; ``"n/a"`` for None/NaN."""
    try:
        r = float(ratio)
    except (TypeError, ValueError):
        return "n/a"
    if not np.isfinite(r):
        return "n/a"
    if r >= 10:
        return f"{r:.0f}×"
    if r < 1:
        return f"{r:.2f}×"
    return f"{r:.1f}×"


def is_probability_label(label: str | None) -> bool:
    """True when D's output is a probability (sigmoid losses), i.e. bounded in [0, 1]."""
    return label is not None and "P(" in label


# ----------------------------------------------------------------------------- data utils


def as_2d(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[1] not in (1, 2):
        raise ValueError(f"samples must have shape (n, 1) or (n, 2), got {np.shape(x)}")
    return a


def finite_rows(a: np.ndarray) -> np.ndarray:
    return a[np.all(np.isfinite(a), axis=1)]


def subsample(a: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    if len(a) <= n:
        return a
    idx = np.random.default_rng(seed).choice(len(a), size=int(n), replace=False)
    return a[np.sort(idx)]


def view_limits(real: np.ndarray, gens=(), *, pad: float = 0.1, reach: float = 1.0) -> np.ndarray:
    """Axis limits per dimension, shape (d, 2).

    From the real data's 0.5–99.5 % range padded by ``pad`` of its span, widened to show
    the bulk (1–99 %) of the generated samples lying within ``reach`` spans of the real
    range; points further away stay off-view, so a diverging generator cannot blow up the
    axes.
    """
    real = finite_rows(as_2d(real))
    d = real.shape[1]
    out = np.empty((d, 2))
    for j in range(d):
        r = real[:, j]
        lo, hi = (np.percentile(r, [0.5, 99.5]) if len(r) else (-1.0, 1.0))
        span = hi - lo
        if not span > 0:
            span = max(abs(lo), 1.0)
        lo_v, hi_v = lo - pad * span, hi + pad * span
        lo_r, hi_r = lo - reach * span, hi + reach * span
        for g in gens:
            g = as_2d(g)[:, j]
            g = g[np.isfinite(g) & (g >= lo_r) & (g <= hi_r)]  # far-away points: off-view
            if len(g):
                glo, ghi = np.percentile(g, [1, 99])
                lo_v = min(lo_v, max(glo - 0.05 * span, lo_r))
                hi_v = max(hi_v, min(ghi + 0.05 * span, hi_r))
        out[j] = lo_v, hi_v
    return out


def clip_to_grid(view: np.ndarray, grids) -> np.ndarray:
    """Intersect data-based limits with the extent of the grids D was evaluated on."""
    out = view.copy()
    for j, g in enumerate(grids):
        g = np.asarray(g, dtype=float)
        lo, hi = max(view[j, 0], g.min()), min(view[j, 1], g.max())
        if hi > lo:
            out[j] = lo, hi
    return out


def fit_view(view: np.ndarray, box_max: float = BOX_MAX,
             equal_max: float = EQUAL_MAX) -> tuple[np.ndarray, float, bool]:
    """(view, box, equal) for a 2-D panel: limits, the axes' box aspect (height / width) and
    whether both axes share one scale.

    The box takes the data's shape, bounded to [1 / box_max, box_max] so that a panel is never
    a flat strip; the shorter span is widened about its middle to fill the box, so both axes
    keep one scale (equal aspect). Spans more than ``equal_max`` apart (columns in different
    units, most likely) are each shown at their own scale in that bounded box.
    """
    view = np.array(view, dtype=float, copy=True)
    spans = view[:, 1] - view[:, 0]
    ratio = spans[1] / spans[0] if spans[0] > 0 else 1.0
    box = float(np.clip(ratio, 1 / box_max, box_max))
    if not 1 / equal_max <= ratio <= equal_max:
        return view, box, False
    want = np.array([spans[1] / box, spans[0] * box])  # the span each axis needs at one scale
    for j in (0, 1):
        if want[j] > spans[j]:
            mid = view[j].mean()
            view[j] = mid - want[j] / 2, mid + want[j] / 2
    return view, box, True


def outside_fraction(a: np.ndarray, view: np.ndarray) -> float:
    a = as_2d(a)
    if not len(a):
        return 0.0
    inside = np.all(np.isfinite(a), axis=1)
    for j in range(a.shape[1]):
        with np.errstate(invalid="ignore"):
            inside &= (a[:, j] >= view[j, 0]) & (a[:, j] <= view[j, 1])
    return float(1.0 - inside.mean())


def note_outside(ax, frac: float, what: str = "generated points") -> None:
    if frac > 0.005:
        ax.text(
            0.99, 0.01, f"{frac:.0%} of {what} outside view", transform=ax.transAxes,
            ha="right", va="bottom", fontsize="x-small", color=FAKE_COLOR,
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8),
        )


def is_degenerate(x: np.ndarray) -> bool:
    x = np.asarray(x, dtype=float).ravel()
    x = x[np.isfinite(x)]
    return len(x) < 2 or np.isclose(np.var(x), 0.0)
