"""One word per run that a reader cannot misread (no TensorFlow). Rules in docs/metrics.md.

In order, the first that applies:

* ``failed``: the generated sample has NaN/inf (status failed);
* ``diverged``: training diverged (status diverged);

With a mode reference (true components, or a Gaussian mixture fitted to a file) whose
smallest mode has at least ``min_mode_rows`` real reference rows:

* ``mode_collapse``: a mode has no high-quality generated row, or a mode's generated mass
  is below ``collapse_mass_ratio`` times its real mass;
* ``narrow_modes`` / ``wide_modes``: a mode's width (toygan.evaluation.widths) is below
  ``width_ratio_low`` or above ``width_ratio_high`` times the real width, by more than 4
  standard errors of the width: samples collapsed inside their mode, or blurred;

Otherwise (no modes, or modes too small to judge), by precision and recall against their
real-vs-real floors:

* ``inconclusive``: those floors are too noisy to see a drop of the threshold's size (too
  few held-out rows), or the metrics are missing;
* ``mode_collapse``: recall below ``recall_ratio_min`` times its floor: regions of the data
  are missing;
* ``off_data``: precision below ``precision_ratio_min`` times its floor: samples off the data;

* ``ok``: none of the above. It says "no collapse seen", not "perfect": read ``w1_z`` and
  ``w1_truth`` for how close.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..config.settings import Evaluation
from . import widths

VERDICTS = ("ok", "mode_collapse", "narrow_modes", "wide_modes", "off_data", "diverged", "failed", "inconclusive")
_SIGNIFICANT = 3.0  # floor standard deviations a drop must exceed to be told from noise

__all__ = ["VERDICTS", "decide"]


def decide(result: Mapping[str, Any], settings: Evaluation) -> tuple[str, str]:
    """(verdict, reason) of one run's metrics (``metrics.evaluate`` plus its final status);
    the thresholds are those of ``settings``, the evaluation section."""
    status = result.get("status")
    if status == "failed":
        return "failed", result.get("reason") or "generated sample unusable"
    if status == "diverged":
        return "diverged", f"training diverged at epoch {result.get('diverged_epoch')}"
    rows = result.get("mode_rows_min")
    if result.get("n_modes") is None or rows is None:
        return _by_precision_recall(result, settings, "no mode reference for this dataset")
    where = result.get("mode_reference", "real data")
    if rows < settings.min_mode_rows:
        return _by_precision_recall(result, settings, f"smallest mode has {rows:.0f} real rows in {where}, "
                                                      f"fewer than min_mode_rows {settings.min_mode_rows}")
    return _by_modes(result, settings, where)


def _by_modes(result: Mapping[str, Any], s: Evaluation, where: str) -> tuple[str, str]:
    n_modes = int(result["n_modes"])
    missing = n_modes - int(result["modes_captured"])
    if missing:
        return "mode_collapse", f"{missing} of {n_modes} modes missing"
    ratio, limit = result.get("mode_mass_ratio_min"), s.collapse_mass_ratio
    if ratio is not None and ratio < limit:
        return "mode_collapse", (f"a mode gets {ratio:.2f}× its real mass ({where}), "
                                 f"below collapse_mass_ratio {limit:g}")
    ratios, rows = result.get("mode_width_ratio"), result.get("mode_width_rows")
    if ratios and rows:
        off = widths.off_modes(ratios, rows, int(result["dim"]), s.mode_threshold, s.width_ratio_low, s.width_ratio_high)
        narrow = [(m, r) for m, r in off if r < 1]
        if narrow:
            m, r = min(narrow, key=lambda p: p[1])
            return "narrow_modes", (f"{len(narrow)} of {n_modes} modes narrower than real; the narrowest is "
                                    f"{r:.2f}× the real width, below width_ratio_low {s.width_ratio_low:g}")
        if off:
            m, r = max(off, key=lambda p: p[1])
            return "wide_modes", (f"{len(off)} of {n_modes} modes wider than real; the widest is {r:.2f}× the "
                                  f"real width, above width_ratio_high {s.width_ratio_high:g}")
    return "ok", f"all {n_modes} modes present, each with ≥ {limit:g}× its real mass and about its real width"


def _drop(result: Mapping[str, Any], name: str, ratio_min: float) -> tuple[bool, bool, float | None]:
    """(measurable, dropped, ratio): whether the floor can tell a drop to ``ratio_min`` from
    noise, and whether the run's value fell that far (by more than the noise)."""
    value, floor, sd = result.get(name), result.get(f"{name}_floor"), result.get(f"{name}_floor_sd")
    if value is None or not floor:
        return False, False, None
    measurable = sd is not None and floor * (1 - ratio_min) > _SIGNIFICANT * sd
    ratio = value / floor
    dropped = measurable and ratio < ratio_min and (floor - value) > _SIGNIFICANT * sd
    return measurable, dropped, ratio


def _by_precision_recall(result: Mapping[str, Any], s: Evaluation, why_not_modes: str) -> tuple[str, str]:
    r_ok, r_drop, r_ratio = _drop(result, "recall", s.recall_ratio_min)
    p_ok, p_drop, p_ratio = _drop(result, "precision", s.precision_ratio_min)
    if not (r_ok and p_ok):
        return "inconclusive", (f"{why_not_modes}; precision and recall floors too noisy to judge "
                                "(too few held-out rows)")
    if r_drop:
        return "mode_collapse", (f"{why_not_modes}; recall {result['recall']:.3f} is {r_ratio:.2f}× its floor, "
                                 f"below recall_ratio_min {s.recall_ratio_min:g}: regions of the data are missing")
    if p_drop:
        return "off_data", (f"{why_not_modes}; precision {result['precision']:.3f} is {p_ratio:.2f}× its floor, "
                            f"below precision_ratio_min {s.precision_ratio_min:g}: samples off the data")
    return "ok", (f"{why_not_modes}; precision {p_ratio:.2f}× and recall {r_ratio:.2f}× their real-vs-real floors")
