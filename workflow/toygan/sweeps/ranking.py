"""The table of one sweep: a row per point, its settings, mean ± s.e. of every metric over
seeds, status and verdict counts, ranked best first by the sweep's metric. pandas only."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..summary import tables

VERDICTS = ("ok", "mode_collapse", "diverged", "failed", "inconclusive")


def sweep_table(
    records: Iterable[Mapping[str, Any]],
    points: Mapping[str, Mapping[str, Any]],
    metric: str,
    higher_is_better: bool = False,
) -> pd.DataFrame:
    """Columns: rank, point, one per swept key, n_seeds, n_diverged, n_failed, n_<verdict>
    (when the runs have a ``verdict``), then ``<metric>_mean`` and ``<metric>_se`` for the
    ranking metric first and every other metric after. Points without a finite value of the
    ranking metric come last, unranked."""
    runs = tables.collect(records)
    missing = sorted(set(points) - set(runs["experiment"]))
    if missing:
        raise ValueError(f"no runs of sweep point(s) {missing}")
    runs = runs[runs["experiment"].isin(list(points))]
    by_exp = tables.by_experiment(runs).set_index("experiment")
    if f"{metric}_mean" not in by_exp.columns:
        have = sorted(c[:-5] for c in by_exp.columns if c.endswith("_mean"))
        raise ValueError(f"metric {metric!r} is not in the runs' metrics.json; available: {', '.join(have)}")
    keys = list(next(iter(points.values())))
    rows = []
    for name, values in points.items():
        row = {"point": name, **{k: _cell(v) for k, v in values.items()}}
        src = by_exp.loc[name]
        row.update(n_seeds=int(src["n_seeds"]), n_diverged=int(src["n_diverged"]), n_failed=int(src["n_failed"]))
        if "verdict" in runs.columns:
            verdicts = runs.loc[runs["experiment"] == name, "verdict"]
            row.update({f"n_{v}": int((verdicts == v).sum()) for v in VERDICTS})
        rows.append(row)
    table = pd.DataFrame(rows)
    metrics = [metric] + [m for m in tables.metric_columns(runs) if m != metric]
    for m in metrics:
        for stat in ("mean", "se"):
            table[f"{m}_{stat}"] = [by_exp.loc[p, f"{m}_{stat}"] for p in points]
    score = table[f"{metric}_mean"].to_numpy(dtype=float)
    order = np.argsort(-score if higher_is_better else score, kind="stable")
    order = [i for i in order if np.isfinite(score[i])] + [i for i in order if not np.isfinite(score[i])]
    table = table.iloc[order].reset_index(drop=True)
    ranked = np.isfinite(table[f"{metric}_mean"].to_numpy(dtype=float))
    table.insert(0, "rank", pd.array([i + 1 if ok else None for i, ok in enumerate(ranked)], dtype="Int64"))
    front = ["rank", "point", *keys]
    return table[front + [c for c in table.columns if c not in front]]


def _cell(value: Any) -> Any:
    """A swept value as a table cell (lists as ``64x64``-like text)."""
    return "x".join(map(str, value)) if isinstance(value, (list, tuple)) else value


def write(table: pd.DataFrame, path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep="\t", index=False, float_format="%.6g", na_rep="NA")
