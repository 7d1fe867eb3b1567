"""One word per run that a reader cannot misread (no TensorFlow). Rules in docs/metrics.md.

In order, the first that applies:

* ``failed``: the generated sample has NaN/inf (status failed);
* ``diverged``: training diverged (status diverged);
* ``inconclusive``: no mode reference, or the smallest mode has fewer than
  ``min_mode_rows`` real reference rows, too few to tell a missing mode from noise;
* ``mode_collapse``: a mode has no high-quality generated row, or a mode's generated mass
  is below ``collapse_mass_ratio`` times its real mass;
* ``ok``: none of the above. It says "no collapse seen", not "perfect": read ``w1_z`` and
  ``w1_truth`` for how close.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..config.settings import Evaluation

VERDICTS = ("ok", "mode_collapse", "diverged", "failed", "inconclusive")
__all__ = ["VERDICTS", "decide"]


def decide(result: Mapping[str, Any], settings: Evaluation) -> tuple[str, str]:
    """(verdict, reason) of one run's metrics (``metrics.evaluate`` plus its final status);
    the thresholds are those of ``settings``, the evaluation section."""
    s = settings
    status = result.get("status")
    if status == "failed":
        return "failed", result.get("reason") or "generated sample unusable"
    if status == "diverged":
        return "diverged", f"training diverged at epoch {result.get('diverged_epoch')}"
    rows = result.get("mode_rows_min")
    if result.get("n_modes") is None or rows is None:
        return "inconclusive", "no mode reference for this dataset"
    where = result.get("mode_reference", "real data")
    if rows < s.min_mode_rows:
        return "inconclusive", (f"smallest mode has {rows:.0f} real rows in {where}, "
                                f"fewer than min_mode_rows {s.min_mode_rows}")
    missing = int(result["n_modes"]) - int(result["modes_captured"])
    if missing:
        return "mode_collapse", f"{missing} of {int(result['n_modes'])} modes missing"
    ratio, limit = result.get("mode_mass_ratio_min"), s.collapse_mass_ratio
    if ratio is not None and ratio < limit:
        return "mode_collapse", (f"a mode gets {ratio:.2f}× its real mass ({where}), "
                                 f"below collapse_mass_ratio {limit:g}")
    return "ok", f"all {int(result['n_modes'])} modes present, each with ≥ {limit:g}× its real mass"
