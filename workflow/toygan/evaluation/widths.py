"""Mode widths: is each mode as wide as the real one, or collapsed inside itself?

A generator that puts its samples on (or near) the mode centres scores full marks on the mode
counts, the high-quality fraction and the reverse KL: all three look only at which mode a
sample is nearest to and whether it lies within the high-quality radius. The width says how
the samples spread inside a mode.

Statistic: the median, over a mode's high-quality rows (those nearest to it and within
``threshold`` of its centre), of their distance to the centre in units of the mode's std. A
median is robust to the few stray rows a tail brings, and the truncation at the high-quality
radius keeps rows of other modes and bridges out. The width ratio of a mode is the
generated statistic over the truth's:

* known Gaussian modes: the median of a chi distribution with d degrees of freedom truncated
  at ``threshold``, exact (0.672 in 1-D, 1.168 in 2-D at the default 3);
* fitted modes (a Gaussian mixture fitted to a file): the same statistic of all real rows.

A ratio near 1 is right; 0 means every sample sits on the centre. The noise of a median of n
rows is about 1 / (2 f(m) sqrt(n)) for the density f at the median m; ``relative_se`` gives it
relative to m, so that the verdict flags only widths off by more than their noise.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

MIN_ROWS = 20  # fewer high-quality rows in a mode than this: no width (its mass says enough)


def reference_median(d: int, threshold: float) -> float:
    """Median std-normalised distance to the centre of a d-dimensional Gaussian's rows within
    ``threshold``: the median of chi(d) truncated at the threshold."""
    from scipy import stats

    chi = stats.chi(d)
    return float(chi.ppf(0.5 * chi.cdf(threshold)))


def relative_se(n: int, d: int, threshold: float) -> float:
    """Standard error of the median of n such rows, relative to the median."""
    from scipy import stats

    chi = stats.chi(d)
    m = reference_median(d, threshold)
    density_at_median = chi.pdf(m) / chi.cdf(threshold)
    return 1.0 / (2.0 * density_at_median * m * math.sqrt(max(n, 1)))


def medians(nearest: np.ndarray, dist: np.ndarray, k: int, threshold: float) -> list[float | None]:
    """Per mode, the median distance of its high-quality rows (None below MIN_ROWS rows)."""
    out: list[float | None] = []
    good = dist < threshold
    for mode in range(k):
        rows = dist[good & (nearest == mode)]
        out.append(float(np.median(rows)) if len(rows) >= MIN_ROWS else None)
    return out


def counts(nearest: np.ndarray, dist: np.ndarray, k: int, threshold: float) -> list[int]:
    return np.bincount(nearest[dist < threshold], minlength=k).tolist()


def ratios(generated: list[float | None], reference: list[float | None]) -> list[float | None]:
    return [None if g is None or not r else g / r for g, r in zip(generated, reference)]


def summary(ratio: list[float | None]) -> dict[str, Any]:
    known = [r for r in ratio if r is not None]
    return {"mode_width_ratio": ratio,
            "width_ratio_min": min(known) if known else None,
            "width_ratio_mean": sum(known) / len(known) if known else None,
            "width_ratio_max": max(known) if known else None}


def off_modes(ratio: list[float | None], rows: list[int], d: int, threshold: float,
              low: float, high: float, z: float = 4.0) -> list[tuple[int, float]]:
    """(mode, ratio) of every mode whose width is outside [low, high] by more than ``z`` of
    its standard errors (so a sample of the truth is flagged about never, at any size)."""
    out = []
    for mode, (r, n) in enumerate(zip(ratio, rows)):
        if r is None or low <= r <= high:
            continue
        if abs(r - 1.0) > z * relative_se(n, d, threshold):
            out.append((mode, r))
    return out


def reference_for(modes_source: str, d: int, threshold: float, k: int,
                  real_all: Mapping[str, Any] | None) -> list[float | None]:
    """The truth's per-mode statistic: exact for known Gaussian modes, else the real rows'."""
    if modes_source == "known":
        return [reference_median(d, threshold)] * k
    return list(real_all["mode_width"]) if real_all and "mode_width" in real_all else [None] * k
