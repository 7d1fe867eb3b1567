"""Cross-run tables: one row per run, one row per experiment, a PacGAN-style Markdown table.

pandas only (no TensorFlow). Column meanings are documented in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..evaluation.verdict import VERDICTS

__all__ = ["ID_COLUMNS", "DESCRIPTIVE_COLUMNS", "metric_columns", "collect", "by_experiment", "write_tables", "benchmark_table", "format_mean_se"]

# Columns that identify or describe a run; everything else numeric is a metric.
ID_COLUMNS = ["experiment", "dataset", "seed", "status", "verdict", "diverged_epoch"]
# Columns of metrics.json that describe the run rather than score it: kept in metrics.tsv,
# not aggregated by by_experiment.
DESCRIPTIVE_COLUMNS = ["reason", "verdict_reason", "dim", "n_generated", "n_real", "n_truth", "floor_pairs",
                       "mode_reference", "modes_source"]
_NON_METRIC = set(ID_COLUMNS) | set(DESCRIPTIVE_COLUMNS)
STATUSES = ("ok", "diverged", "failed")
# Verdicts of finished, finite runs (diverged and failed runs are counted by their status).
_COUNTED_VERDICTS = tuple(v for v in VERDICTS if v not in ("diverged", "failed"))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def collect(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per (experiment, seed), every metric a column, sorted by experiment then seed.

    Each record is a run's metrics.json content plus ``experiment``, ``dataset``, ``seed``,
    ``status`` ("ok" | "diverged" | "failed"), ``verdict`` (one of ``VERDICTS``, or None for
    records written before verdicts existed) and ``diverged_epoch`` (int or None). Metric
    columns whose values are all numbers or None become float columns (None -> NaN);
    ``diverged_epoch`` is a nullable integer column.
    """
    # Per-mode lists (mode_mass, ...) stay in metrics.json: a table cell holds one number.
    records = [{k: v for k, v in r.items() if not isinstance(v, (list, dict))} for r in records]
    for r in records:
        missing = [c for c in ("experiment", "seed", "status") if c not in r]
        if missing:
            raise ValueError(f"record lacks {missing}: {sorted(r)}")
        if r["status"] not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {r['status']!r}")
        r.setdefault("dataset", None)
        r.setdefault("verdict", None)
        if r["verdict"] is not None and r["verdict"] not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {r['verdict']!r}")
        r.setdefault("diverged_epoch", None)
    df = pd.DataFrame.from_records(records)
    if df.empty:
        return pd.DataFrame(columns=ID_COLUMNS)
    dup = df.duplicated(["experiment", "seed"], keep=False)
    if dup.any():
        pairs = sorted(set(map(tuple, df.loc[dup, ["experiment", "seed"]].to_numpy().tolist())))
        raise ValueError(f"duplicate (experiment, seed) records: {pairs}")
    for col in df.columns:
        if col in _NON_METRIC:
            continue
        values = [v for v in df[col] if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if all(_is_number(v) for v in values):
            df[col] = pd.to_numeric(df[col].astype(object)).astype(float)
    df["seed"] = df["seed"].astype(int)
    df["diverged_epoch"] = pd.array(
        [None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in df["diverged_epoch"]],
        dtype="Int64",
    )
    rest = [c for c in df.columns if c not in ID_COLUMNS]
    df = df[ID_COLUMNS + rest]
    return df.sort_values(["experiment", "seed"], kind="stable").reset_index(drop=True)


def metric_columns(df: pd.DataFrame) -> list[str]:
    """Numeric columns of a ``collect`` frame that are metrics (not ids), in order."""
    return [c for c in df.columns if c not in _NON_METRIC and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])]


def by_experiment(df: pd.DataFrame) -> pd.DataFrame:
    """One row per experiment: dataset, n_seeds, n_diverged, n_failed, the verdict counts
    n_ok, n_mode_collapse, n_narrow_modes, n_wide_modes, n_off_data, n_inconclusive
    (diverged and failed runs are n_diverged and n_failed) and, for every numeric metric,
    ``<metric>_mean``, ``<metric>_se`` (sample std with ddof=1 / sqrt(n); NaN for n < 2),
    ``<metric>_min`` and ``<metric>_max`` over the runs whose value is finite."""
    metrics = metric_columns(df)
    rows = []
    for exp, grp in df.groupby("experiment", sort=True):
        datasets = list(dict.fromkeys(grp["dataset"].dropna()))
        row: dict[str, Any] = {
            "experiment": exp,
            "dataset": ",".join(map(str, datasets)) if datasets else None,
            "n_seeds": int(len(grp)),
            "n_diverged": int((grp["status"] == "diverged").sum()),
            "n_failed": int((grp["status"] == "failed").sum()),
            **{f"n_{v}": int((grp["verdict"] == v).sum()) for v in _COUNTED_VERDICTS},
        }
        for m in metrics:
            v = grp[m].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            row[f"{m}_mean"], row[f"{m}_se"] = _mean_se(v)
            row[f"{m}_min"] = float(v.min()) if v.size else np.nan
            row[f"{m}_max"] = float(v.max()) if v.size else np.nan
        rows.append(row)
    cols = ["experiment", "dataset", "n_seeds", "n_diverged", "n_failed", *[f"n_{v}" for v in _COUNTED_VERDICTS]]
    cols += [f"{m}_{s}" for m in metrics for s in ("mean", "se", "min", "max")]
    return pd.DataFrame(rows, columns=cols)


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error (sample std with ddof=1 / sqrt(n)); NaN where undefined."""
    v = np.asarray(values, dtype=float)
    n = v.size
    mean = float(v.mean()) if n else np.nan
    return mean, (float(v.std(ddof=1) / math.sqrt(n)) if n > 1 else np.nan)


def write_tables(df: pd.DataFrame, metrics_tsv: str | Path, by_experiment_tsv: str | Path) -> pd.DataFrame:
    """Write the per-run table and ``by_experiment(df)`` as TSV (floats with 6 significant
    digits, missing values as ``NA``); returns the per-experiment frame."""
    by_exp = by_experiment(df)
    for frame, path in ((df, metrics_tsv), (by_exp, by_experiment_tsv)):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, sep="\t", index=False, float_format="%.6g", na_rep="NA")
    return by_exp


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def format_mean_se(mean: Any, se: Any, digits: int, *, significant: bool = False) -> str:
    """``"mean ± se"`` with ``digits`` decimals (or, with ``significant=True``, as many
    decimals as give the mean ``digits`` significant digits, at most 6). A missing mean gives
    ``"n/a"``; a missing se (a single seed) gives the mean alone."""
    if _missing(mean):
        return "n/a"
    mean = float(mean)
    if significant:
        mag = math.floor(math.log10(abs(mean))) if mean != 0 else 0
        digits = int(min(max(digits - 1 - mag, 0), 6))
    text = f"{mean:.{digits}f}"
    if _missing(se):
        return text
    return f"{text} ± {float(se):.{digits}f}"


def _col(row: Mapping[str, Any], name: str) -> Any:
    return row[name] if name in row else None


def train_wall_per_run(run_infos: Iterable[Mapping[str, Any]]) -> dict[str, list[float]]:
    """Training wall seconds per run, by experiment, from the runs' ``run.json``: a train job's
    wall (training only, as its log says) shared evenly by the replicas it trained together."""
    walls: dict[str, list[float]] = {}
    for info in run_infos:
        walls.setdefault(info["experiment"], []).append(info["group_wall_seconds"] / len(info["seed_group"]))
    return walls


def _width_cell(mean: Any, low: Any, high: Any) -> str:
    """"mean (narrowest–widest)" of the mode widths over the real ones; the mean alone may be
    missing (tables of metrics written before it existed)."""
    if _missing(low) or _missing(high):
        return "n/a"
    span = f"{float(low):.2f}–{float(high):.2f}"
    return span if _missing(mean) else f"{float(mean):.2f} ({span})"


def per_mode_span(ratios: Sequence[Sequence[float | None]]) -> tuple[float, float] | None:
    """(narrowest, widest) of the per-mode widths averaged over runs: each run's
    ``mode_width_ratio`` list, a mode's missing values left out. Averaging first takes most of
    the sampling noise away, so a mode that is off in every run stands out."""
    rows = [[np.nan if v is None else float(v) for v in r] for r in ratios if r]
    if not rows or len({len(r) for r in rows}) != 1:
        return None
    values = np.asarray(rows)
    seen = np.isfinite(values).any(axis=0)
    if not seen.any():
        return None
    means = np.nanmean(values[:, seen], axis=0)
    return float(means.min()), float(means.max())


def _span_cell(span: tuple[float, float] | None) -> str:
    return "n/a" if span is None else f"{span[0]:.2f}–{span[1]:.2f}"


def _true_sample_row(dataset: str, sample: Mapping[str, Any], seeds: int) -> str:
    """The row of exact draws of the truth (floor.json's ``true_sample_modes``), formatted as
    a run's: mean ± s.e. over all draws; the widths' min–max over the first ``seeds`` draws,
    as many as the dataset's rows have runs, so that the two ranges are alike."""
    draws = list(sample["draws"])

    def mean_se(key: str, scale: float = 1.0) -> tuple[float, float]:
        return _mean_se([scale * float(d[key]) for d in draws if _is_number(d.get(key))])

    k = max(int(d["n_modes"]) for d in draws)
    modes = format_mean_se(*mean_se("modes_captured"), 1) + f" (max {k})"
    hq = format_mean_se(*mean_se("high_quality_fraction", 100.0), 1)
    rkl = format_mean_se(*mean_se("reverse_kl"), 3, significant=True)
    first = draws[: max(1, min(seeds, len(draws)))]
    lows = [d["width_ratio_min"] for d in first if _is_number(d.get("width_ratio_min"))]
    highs = [d["width_ratio_max"] for d in first if _is_number(d.get("width_ratio_max"))]
    width = _width_cell(mean_se("width_ratio_mean")[0], min(lows) if lows else None, max(highs) if highs else None)
    per_mode = _span_cell(per_mode_span([d.get("mode_width_ratio") for d in first]))
    return f"| {dataset} | true sample ‡ | {modes} | {hq} | {rkl} | {width} | {per_mode} | n/a |"


def benchmark_table(
    by_exp: pd.DataFrame,
    title: str,
    reference_rows: Sequence[Mapping[str, Any]] = (),
    walls: Mapping[str, Sequence[float]] | None = None,
    true_samples: Mapping[str, Mapping[str, Any] | None] | None = None,
    mode_widths: Mapping[str, Sequence[Sequence[float | None]]] | None = None,
) -> str:
    """Markdown table shaped like PacGAN (Lin et al. 2018) Table 1.

    Columns: Dataset | Model | Modes (max K) | High-quality samples (%) | Reverse KL, each
    "mean ± se" over seeds (modes and % to 1 decimal, reverse KL to 3 significant digits),
    the mode widths relative to the real ones (each run's mean over its modes, averaged over
    runs, and the narrowest and widest mode over all runs; PacGAN's table has no such column),
    then the training wall time per run (``walls``, from ``train_wall_per_run``) in seconds.
    ``reference_rows`` (dicts of strings: dataset, model, modes, high_quality, reverse_kl)
    come first, marked † as literature values. Our rows are the experiments of ``by_exp``
    that have mode metrics; "Model" is the experiment name. ``true_samples`` (dataset →
    floor.json's ``true_sample_modes``) adds, before a dataset's first row, how exact draws
    of the truth of the scored size score (‡): the metrics' own noise. ``mode_widths``
    (experiment → each run's ``mode_width_ratio``) adds the per-mode widths averaged over runs
    (``per_mode_span``).
    """
    walls = walls or {}
    mode_widths = mode_widths or {}
    true_samples = {d: v for d, v in (true_samples or {}).items() if v and v.get("draws")}
    lines = [f"## {title}", ""]
    lines.append("| Dataset | Model | Modes (max K) | High-quality samples (%) | Reverse KL | Mode width × real: "
                 "mean (min–max) | Width per mode, mean over runs (min–max) | Train wall / run (s) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for ref in reference_rows:
        lines.append(
            f"| {ref['dataset']} | {ref['model']} † | {ref['modes']} | {ref['high_quality']} | {ref['reverse_kl']} "
            "| n/a | n/a | n/a |"
        )
    ours = []
    if "modes_captured_mean" in by_exp.columns:
        ours = [
            r for _, r in by_exp.iterrows()
            if not (_missing(_col(r, "modes_captured_mean")) and _missing(_col(r, "n_modes_max")))
        ]
    seeds_of = {}
    for r in ours:
        seeds_of[r["dataset"]] = max(seeds_of.get(r["dataset"], 0), int(r["n_seeds"]))
    shown = set()
    for r in ours:
        if r["dataset"] in true_samples and r["dataset"] not in shown:
            shown.add(r["dataset"])
            lines.append(_true_sample_row(r["dataset"], true_samples[r["dataset"]], seeds_of[r["dataset"]]))
        k = r.get("n_modes_max")
        k = r.get("real_n_modes_max") if _missing(k) else k
        modes = format_mean_se(r["modes_captured_mean"], _col(r, "modes_captured_se"), 1)
        if not _missing(k):
            modes += f" (max {int(k)})"
        hq_mean, hq_se = _col(r, "high_quality_fraction_mean"), _col(r, "high_quality_fraction_se")
        hq = format_mean_se(
            None if _missing(hq_mean) else 100 * float(hq_mean), None if _missing(hq_se) else 100 * float(hq_se), 1
        )
        rkl = format_mean_se(_col(r, "reverse_kl_mean"), _col(r, "reverse_kl_se"), 3, significant=True)
        wall = _mean_se(walls.get(r["experiment"], []))
        width = _width_cell(_col(r, "width_ratio_mean_mean"), _col(r, "width_ratio_min_min"),
                            _col(r, "width_ratio_max_max"))
        per_mode = _span_cell(per_mode_span(mode_widths.get(r["experiment"], [])))
        lines.append(f"| {r['dataset']} | {r['experiment']} | {modes} | {hq} | {rkl} | {width} | {per_mode} "
                     f"| {format_mean_se(*wall, 1)} |")
    lines.append("")
    if reference_rows:
        lines.append("† Literature values as reported in the cited papers, not produced by this workflow.")
        lines.append("")
    for dataset in sorted(shown):
        sample = true_samples[dataset]
        lines.append(
            f"‡ {dataset}: {len(sample['draws'])} exact draws of the true distribution of {sample['n_rows']} rows each, "
            "scored as the runs are: a perfect generator's scores, the metrics' own noise. Its widths are the "
            f"narrowest and widest mode over the first {min(seeds_of[dataset], len(sample['draws']))} draws, "
            "as many as the dataset's rows have runs."
        )
        lines.append("")
    if ours:
        parts = []
        for r in ours:
            extra = [f"{int(r[c])} {c[2:]}" for c in ("n_diverged", "n_failed") if int(r[c])]
            parts.append(f"{r['experiment']}: {int(r['n_seeds'])}" + (f" ({', '.join(extra)})" if extra else ""))
        lines.append(
            "Our rows: mean ± standard error over seeds (runs without a finite value are left out). "
            "Train wall / run: a train job's training loop time (compilation included, imports not) over "
            "the runs it trained together, on the machine that ran it. Seeds per row: " + "; ".join(parts) + "."
        )
    else:
        lines.append("No experiment of this workflow has mode metrics (a dataset with known components).")
    lines.append("")
    return "\n".join(lines)
