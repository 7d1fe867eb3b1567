"""Tests of toygan.summary.tables on synthetic records (values checked by hand)."""

import math

import numpy as np
import pandas as pd
import pytest

from toygan.summary import tables as S


def rec(exp, seed, w1, status="ok", dataset="ring8", modes=8, hq=0.9, rkl=0.01, epoch=None, **extra):
    return {"experiment": exp, "dataset": dataset, "seed": seed, "status": status, "diverged_epoch": epoch,
            "reason": None, "dim": 2, "w1": w1, "w1_floor": 0.04,
            "modes_captured": modes, "n_modes": 8, "high_quality_fraction": hq, "reverse_kl": rkl, **extra}


@pytest.fixture
def records():
    return [
        rec("b_pac", 2, 0.30, modes=6, hq=0.70, rkl=0.20),
        rec("a_gan", 1, 0.20, modes=7, hq=0.80, rkl=0.10),
        rec("a_gan", 0, 0.10, modes=8, hq=0.90, rkl=0.02),
        rec("a_gan", 2, None, status="failed", modes=None, hq=None, rkl=None),
        rec("b_pac", 0, float("nan"), status="diverged", epoch=120, modes=0, hq=0.0, rkl=None),
        rec("c_one", 0, 0.5, dataset="grid25"),
    ]


def test_collect_rows_and_types(records):
    df = S.collect(records)
    assert list(df[["experiment", "seed"]].itertuples(index=False, name=None)) == [
        ("a_gan", 0), ("a_gan", 1), ("a_gan", 2), ("b_pac", 0), ("b_pac", 2), ("c_one", 0)]
    assert list(df.columns[: len(S.ID_COLUMNS)]) == S.ID_COLUMNS
    assert df["w1"].dtype == float and np.isnan(df.loc[2, "w1"])
    assert df["reverse_kl"].dtype == float
    assert df.loc[3, "diverged_epoch"] == 120 and pd.isna(df.loc[0, "diverged_epoch"])
    assert "reason" in df.columns and "reason" not in S.metric_columns(df)


def test_collect_rejects_duplicates_and_bad_status(records):
    with pytest.raises(ValueError, match="duplicate"):
        S.collect(records + [rec("a_gan", 0, 0.1)])
    with pytest.raises(ValueError, match="status"):
        S.collect([rec("x", 0, 0.1, status="weird")])


def test_by_experiment_by_hand(records):
    by = S.by_experiment(S.collect(records))
    assert list(by["experiment"]) == ["a_gan", "b_pac", "c_one"]
    a = by.set_index("experiment").loc["a_gan"]
    assert a["dataset"] == "ring8"
    assert (a["n_seeds"], a["n_diverged"], a["n_failed"]) == (3, 0, 1)
    # w1 over the finite values 0.1 and 0.2: mean 0.15, sd = 0.0707107, se = sd / sqrt(2) = 0.05
    assert a["w1_mean"] == pytest.approx(0.15)
    assert a["w1_se"] == pytest.approx(0.05)
    assert (a["w1_min"], a["w1_max"]) == (pytest.approx(0.1), pytest.approx(0.2))
    assert a["modes_captured_mean"] == pytest.approx(7.5) and a["modes_captured_se"] == pytest.approx(0.5)
    b = by.set_index("experiment").loc["b_pac"]
    assert (b["n_seeds"], b["n_diverged"], b["n_failed"]) == (2, 1, 0)
    assert b["w1_mean"] == pytest.approx(0.30) and math.isnan(b["w1_se"])  # one finite value
    assert b["modes_captured_mean"] == pytest.approx(3.0)  # 0 and 6 are both finite
    assert b["modes_captured_se"] == pytest.approx(3.0)   # sd = 4.2426, / sqrt(2)
    c = by.set_index("experiment").loc["c_one"]
    assert c["dataset"] == "grid25" and c["n_seeds"] == 1 and math.isnan(c["w1_se"])
    assert c["w1_min"] == c["w1_max"] == c["w1_mean"] == pytest.approx(0.5)
    for stat in ("mean", "se", "min", "max"):
        assert f"reverse_kl_{stat}" in by.columns and f"w1_floor_{stat}" in by.columns
    for col in ("seed", "diverged_epoch", "dim"):
        assert f"{col}_mean" not in by.columns


def test_write_tables_round_trip(records, tmp_path):
    df = S.collect(records)
    m, b = tmp_path / "out" / "metrics.tsv", tmp_path / "out" / "metrics_by_experiment.tsv"
    by = S.write_tables(df, m, b)
    back = pd.read_csv(m, sep="\t")
    assert list(back.columns) == list(df.columns) and len(back) == len(df)
    np.testing.assert_allclose(back["w1"], df["w1"], rtol=1e-5)
    assert back["diverged_epoch"].isna().sum() == 5 and back["diverged_epoch"].max() == 120
    back_b = pd.read_csv(b, sep="\t")
    assert list(back_b.columns) == list(by.columns)
    np.testing.assert_allclose(back_b["w1_mean"], by["w1_mean"], rtol=1e-5)
    assert np.isnan(back_b.loc[1, "w1_se"])
    # 6 significant digits
    S.write_tables(S.collect([rec("e", 0, 1 / 3)]), m, b)
    assert "\t0.333333\t" in m.read_text() and "0.3333333" not in m.read_text()


def test_format_mean_se():
    assert S.format_mean_se(7.56, 0.123, 1) == "7.6 ± 0.1"
    assert S.format_mean_se(0.012345, 0.00321, 3, significant=True) == "0.0123 ± 0.0032"
    assert S.format_mean_se(1.5, float("nan"), 2) == "1.50"
    assert S.format_mean_se(None, None, 2) == "n/a"


def test_benchmark_table(records):
    by = S.by_experiment(S.collect(records))
    ref = [{"dataset": "2D-ring", "model": "PacGAN2", "modes": "7.9 ± 0.1", "high_quality": "95.6 ± 2.0",
            "reverse_kl": "0.0151 ± 0.0027"}]
    walls = S.train_wall_per_run([
        {"experiment": "a_gan", "seed": 0, "seed_group": [0, 1], "group_wall_seconds": 20.0},
        {"experiment": "a_gan", "seed": 1, "seed_group": [0, 1], "group_wall_seconds": 20.0},
        {"experiment": "a_gan", "seed": 2, "seed_group": [2], "group_wall_seconds": 14.0},
        {"experiment": "c_one", "seed": 0, "seed_group": [0, 1, 2, 3], "group_wall_seconds": 30.0},
    ])
    assert walls == {"a_gan": [10.0, 10.0, 14.0], "c_one": [7.5]}
    text = S.benchmark_table(by, "Mode collapse", ref, walls)
    lines = text.splitlines()
    assert lines[0] == "## Mode collapse"
    header = ("| Dataset | Model | Modes (max K) | High-quality samples (%) | Reverse KL | Mode width × real: mean (min–max) "
              "| Width per mode, mean over runs (min–max) | Train wall / run (s) |")
    assert header in lines
    i_ref = next(i for i, l in enumerate(lines) if "PacGAN2" in l)
    i_a = next(i for i, l in enumerate(lines) if "| a_gan |" in l)
    assert i_ref < i_a and "†" in lines[i_ref]
    assert "| ring8 | a_gan | 7.5 ± 0.5 (max 8) | 85.0 ± 5.0 | 0.0600 ± 0.0400 | n/a | n/a | 11.3 ± 1.3 |" in lines
    assert lines[i_ref].endswith("| n/a | n/a | n/a |")
    assert "± " in text and "literature" in text.lower()
    assert "a_gan: 3 (1 failed)" in text and "b_pac: 2 (1 diverged)" in text and "c_one: 1" in text
    assert "| grid25 | c_one | 8.0 (max 8) | 90.0 | 0.0100 | n/a | n/a | 7.5 |" in lines
    assert "| b_pac |" in text and text.count("| n/a |") >= 2  # b_pac has no run.json: no wall


def test_benchmark_table_shows_the_narrowest_and_widest_mode_over_runs():
    runs = [{**rec("w", s, 0.1, modes=8, hq=0.99, rkl=0.002), "width_ratio_min": lo, "width_ratio_max": hi,
             "width_ratio_mean": mean}
            for s, (lo, mean, hi) in enumerate([(0.91, 0.98, 1.05), (0.25, 0.8, 1.34), (0.8, 0.95, 1.1)])]
    text = S.benchmark_table(S.by_experiment(S.collect(runs)), "t")
    assert "| 0.91 (0.25–1.34) |" in text
    older = [{k: v for k, v in r.items() if k != "width_ratio_mean"} for r in runs]  # tables written before the mean
    assert "| 0.25–1.34 |" in S.benchmark_table(S.by_experiment(S.collect(older)), "t")


def test_benchmark_table_puts_a_true_sample_row_before_each_datasets_runs():
    runs = [{**rec("g", s, 0.1, dataset="grid", modes=25, hq=0.99, rkl=0.006), "width_ratio_min": 0.9,
             "width_ratio_max": 1.1} for s in range(2)]
    draws = [{"modes_captured": 25, "n_modes": 25, "high_quality_fraction": hq, "reverse_kl": 0.005,
              "width_ratio_min": lo, "width_ratio_mean": mean, "width_ratio_max": hi, "mode_width_ratio": [lo, hi]}
             for hq, lo, mean, hi in [(0.99, 0.84, 1.0, 1.1), (0.98, 0.8, 0.99, 1.2), (0.97, 0.5, 1.01, 1.9)]]
    sample = {"n_rows": 2500, "draws": draws}
    lines = S.benchmark_table(S.by_experiment(S.collect(runs)), "t", true_samples={"grid": sample, "ring": None}
                              ).splitlines()
    row = ("| grid | true sample ‡ | 25.0 ± 0.0 (max 25) | 98.0 ± 0.6 | 0.00500 ± 0.00000 | 1.00 (0.80–1.20) "
           "| 0.82–1.15 | n/a |")
    assert row in lines  # widths over the first 2 draws: the runs' seeds
    assert lines.index(row) + 1 == next(i for i, l in enumerate(lines) if "| g |" in l)
    assert any(l.startswith("‡ grid: 3 exact draws") and "first 2 draws" in l for l in lines)
    assert not any("| ring |" in l for l in lines)


def test_per_mode_widths_average_each_mode_over_runs_before_the_range():
    # mode 0 is narrow in every run, mode 1 swings by noise; None: too few rows in that run
    runs = [[0.80, 1.20, 1.0], [0.84, 0.80, None], [0.82, 1.00, 1.1]]
    assert S.per_mode_span(runs) == pytest.approx((0.82, 1.05))
    assert S.per_mode_span([]) is None and S.per_mode_span([[None, None]]) is None
    assert S.per_mode_span([[1.0, 1.0], [1.0]]) is None  # runs scored against other modes: no per-mode mean
    recs = [{**rec("w", i, 0.1, modes=3, hq=0.99, rkl=0.002), "width_ratio_min": min(v for v in r if v),
             "width_ratio_max": max(v for v in r if v), "width_ratio_mean": 1.0} for i, r in enumerate(runs)]
    text = S.benchmark_table(S.by_experiment(S.collect(recs)), "t", mode_widths={"w": runs})
    assert "| 1.00 (0.80–1.20) | 0.82–1.05 |" in text
