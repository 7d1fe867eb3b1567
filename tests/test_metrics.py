"""Known-answer tests of toygan.evaluation.metrics."""

import json
import dataclasses
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from toygan.evaluation import metrics as M
from toygan.config.settings import Evaluation

SETTINGS = Evaluation.parse({"n_samples": 4000, "ot_subsample": 1000, "histogram_bins": 200,
                             "epsilon": 1e-10, "mode_threshold": 3.0, "seed": 12345})


def ring(k=8, std=0.01):
    ang = 2 * np.pi * np.arange(k) / k
    means = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    return {"means": means, "stds": np.full((k, 2), std), "weights": np.full(k, 1.0 / k)}


def sample_ring(comps, n, rng, only=None):
    k = len(comps["weights"])
    labels = np.full(n, only) if only is not None else np.arange(n) % k
    return comps["means"][labels] + comps["stds"][labels] * rng.standard_normal((n, 2))


def mixture_1d():
    return {"means": np.array([[0.0], [5.0]]), "stds": np.array([[1.0], [2.0]]), "weights": np.array([0.5, 0.5])}


def sample_mixture_1d(n, rng):
    lab = rng.integers(0, 2, n)
    return np.where(lab == 0, rng.normal(0, 1, n), rng.normal(5, 2, n))[:, None]


# --- distances ----------------------------------------------------------------------------


def test_w1_normal_shift_is_one():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, (50_000, 1)), rng.normal(1, 1, (50_000, 1))
    assert M.w1(a, b, ot_subsample=2000) == pytest.approx(1.0, abs=0.05)


def test_w1_identical_is_zero():
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=(500, 1)), rng.normal(size=(500, 2))
    assert M.w1(x1, x1.copy(), ot_subsample=2000) == 0.0
    assert M.w1(x2, x2.copy(), ot_subsample=500) == pytest.approx(0.0, abs=1e-6)  # ot.dist rounding
    assert M.sliced_w1(x2, x2.copy()) == pytest.approx(0.0, abs=1e-12)


def test_w1_2d_shift_3_4_is_5():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(400, 2))
    assert M.w1(a, a + np.array([3.0, 4.0]), ot_subsample=2000) == pytest.approx(5.0, abs=1e-9)


def test_w1_2d_subsample_is_seeded():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(600, 2)), rng.normal(size=(700, 2)) + 0.5
    assert M.w1(a, b, ot_subsample=200, seed=7) == M.w1(a, b, ot_subsample=200, seed=7)


def test_sliced_w1_matches_exact_1d_for_unequal_sizes():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(137, 1)), rng.gamma(2.0, size=(311, 1))
    ref = stats.wasserstein_distance(a[:, 0], b[:, 0])
    assert M.sliced_w1(a, b) == pytest.approx(ref, rel=1e-12)
    assert M.training_w1(a, b) == pytest.approx(ref, rel=1e-12)
    # 2-D shift by a vector v: each direction gives |<v, theta>|, mean over the circle 2|v|/pi
    c = rng.normal(size=(300, 2))
    assert M.sliced_w1(c, c + [3.0, 4.0], n_projections=4096) == pytest.approx(10 / np.pi, rel=0.02)


def test_ks_and_histograms_identical_are_zero():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1000, 1))
    stat, p = M.ks(x, x.copy())
    assert stat == 0.0 and p == pytest.approx(1.0)
    d = M.histogram_divergences(x, x.copy(), bins=200, epsilon=1e-10)
    assert d == {"js": 0.0, "kl": 0.0}


def test_histogram_divergences_disjoint_and_bounds():
    a = np.linspace(0, 1, 1000)[:, None]
    b = np.linspace(2, 3, 1000)[:, None]
    d = M.histogram_divergences(a, b, bins=30, epsilon=1e-10)
    assert d["js"] == pytest.approx(math.log(2), rel=1e-6)
    assert d["kl"] > 10  # epsilon keeps it finite
    assert math.isfinite(d["kl"])
    const = np.zeros((10, 1))
    assert M.histogram_divergences(const, const, bins=200, epsilon=1e-10) == {"js": 0.0, "kl": 0.0}


def test_moments():
    rng = np.random.default_rng(6)
    x = rng.normal(2.0, 3.0, (200_000, 1))
    m = M.moments(x)
    assert set(m) == {"mean", "std", "skewness", "kurtosis"}
    assert m["mean"] == pytest.approx(2.0, abs=0.05)
    assert m["std"] == pytest.approx(3.0, abs=0.05)
    assert m["skewness"] == pytest.approx(0.0, abs=0.05)
    assert m["kurtosis"] == pytest.approx(0.0, abs=0.05)
    m2 = M.moments(np.hstack([x, rng.exponential(1.0, (200_000, 1))]))
    assert set(m2) == {f"{b}_{s}" for b in ("mean", "std", "skewness", "kurtosis") for s in "xy"}
    assert m2["skewness_y"] == pytest.approx(2.0, abs=0.1)
    assert m2["kurtosis_y"] == pytest.approx(6.0, abs=0.5)


# --- modes --------------------------------------------------------------------------------


def test_one_mode_of_ring():
    comps, rng = ring(), np.random.default_rng(7)
    r = M.mode_metrics(sample_ring(comps, 2000, rng, only=3), comps, threshold=3.0)
    assert r["modes_captured"] == 1 and r["n_modes"] == 8
    assert r["reverse_kl"] == pytest.approx(math.log(8))
    assert r["high_quality_fraction"] > 0.98


def test_all_modes_of_ring():
    comps, rng = ring(), np.random.default_rng(8)
    r = M.mode_metrics(sample_ring(comps, 8000, rng), comps, threshold=3.0)
    assert r["modes_captured"] == 8 and r["n_modes"] == 8
    assert r["reverse_kl"] == pytest.approx(0.0, abs=1e-3)
    assert r["high_quality_fraction"] == pytest.approx(1.0, abs=0.02)


def test_far_points_have_no_quality():
    comps = ring()
    r = M.mode_metrics(np.full((100, 2), 10.0), comps, threshold=3.0)
    assert r == {"modes_captured": 0, "n_modes": 8, "high_quality_fraction": 0.0, "reverse_kl": None}


def test_mode_threshold_is_strict_and_std_normalised():
    comps = {"means": [[0.0], [10.0]], "stds": [[1.0], [0.1]], "weights": [0.5, 0.5]}
    # 2.9 is 2.9 sigma from mode 0 (and 71 sigma from mode 1); 10.35 is 3.5 sigma from mode 1
    r = M.mode_metrics(np.array([[2.9], [10.35]]), comps, threshold=3.0)
    assert r["modes_captured"] == 1 and r["high_quality_fraction"] == 0.5
    # reverse KL uses the given weights: q = (1, 0), w = (0.5, 0.5) -> log 2
    assert r["reverse_kl"] == pytest.approx(math.log(2))


# --- training W1 --------------------------------------------------------------------------


def test_training_w1_is_fast_and_deterministic():
    rng = np.random.default_rng(9)
    a, b = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    assert M.training_w1(a, b) == M.training_w1(a, b)
    M.training_w1(a, b)
    t0 = time.perf_counter()
    for _ in range(10):
        M.training_w1(a, b)
    assert (time.perf_counter() - t0) / 10 < 0.02


# --- evaluate -----------------------------------------------------------------------------


def _is_json_plain(d):
    json.dumps(d, allow_nan=False)
    plain = (int, float, str, bool)
    # Per-mode masses, widths and row counts are the only lists; everything else is a scalar.
    per_mode = (float, int, type(None))
    return all(v is None or type(v) in plain or (type(v) is list and all(type(x) in per_mode for x in v))
               for v in d.values())


def test_evaluate_1d_real_vs_real_and_bad_generator():
    rng = np.random.default_rng(10)
    comps = mixture_1d()
    ha, hb, good = (sample_mixture_1d(4000, rng) for _ in range(3))
    r = M.evaluate(np.vstack([good, good]), ha, hb, comps, SETTINGS)  # truncated to 4000
    assert r["status"] == "ok" and r["n_generated"] == 4000
    assert _is_json_plain(r)
    for m in ("w1", "ks_stat", "js", "kl"):
        assert {m, f"{m}_floor", f"{m}_ratio"} <= set(r)
        assert 0.2 < r[f"{m}_ratio"] < 5, (m, r[f"{m}_ratio"])
    assert "ks_pvalue" in r and "gen_kurtosis" in r and "real_mean" in r
    assert r["modes_captured"] == 2 and r["real_modes_captured"] == 2
    assert r["high_quality_fraction"] == pytest.approx(r["real_high_quality_fraction"], abs=0.02)

    bad = rng.normal(20, 0.1, (4000, 1))
    rb = M.evaluate(bad, ha, hb, comps, SETTINGS)
    for m in ("w1", "ks_stat", "js", "kl"):
        assert rb[f"{m}_ratio"] > 10, (m, rb[f"{m}_ratio"])
    assert rb["modes_captured"] == 0 and rb["reverse_kl"] is None


def test_evaluate_2d_ring():
    rng = np.random.default_rng(11)
    comps = ring()
    ha, hb, good = (sample_ring(comps, 3000, rng) for _ in range(3))
    r = M.evaluate(good, ha, hb, comps, SETTINGS)
    assert r["status"] == "ok" and _is_json_plain(r)
    assert set(k for k in r if k.endswith("_ratio")) == {
        "w1_ratio", "sliced_w1_ratio", "precision_ratio", "recall_ratio", "density_ratio", "coverage_ratio",
        "mode_width_ratio"}
    assert 0.9 < r["recall_ratio"] < 1.1 and 0.9 < r["precision_ratio"] < 1.1  # a sample of the truth
    assert 0.7 < r["width_ratio_min"] <= r["width_ratio_max"] < 1.3
    assert "ks_stat" not in r and "gen_mean_x" in r and "real_std_y" in r
    assert 0.3 < r["w1_ratio"] < 3 and 0.2 < r["sliced_w1_ratio"] < 5
    assert r["modes_captured"] == 8 and r["real_modes_captured"] == 8
    collapsed = sample_ring(comps, 3000, rng, only=0)
    rc = M.evaluate(collapsed, ha, hb, comps, SETTINGS)
    assert rc["w1_ratio"] > 10 and rc["sliced_w1_ratio"] > 10
    assert rc["modes_captured"] == 1 and rc["reverse_kl"] == pytest.approx(math.log(8))


def test_evaluate_without_components():
    rng = np.random.default_rng(12)
    ha, hb, g = (rng.normal(size=(500, 1)) for _ in range(3))
    r = M.evaluate(g, ha, hb, None, SETTINGS)
    assert "modes_captured" not in r and r["status"] == "ok"


def test_evaluate_zero_floor_gives_none_ratio():
    x = np.zeros((50, 1))
    r = M.evaluate(x + 1, x, x.copy(), None, SETTINGS)
    assert r["w1_floor"] == 0.0 and r["w1_ratio"] is None and r["w1"] == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_evaluate_nonfinite_fails(bad):
    rng = np.random.default_rng(13)
    comps = ring()
    ha, hb, g = (sample_ring(comps, 500, rng) for _ in range(3))
    g[5, 1] = bad
    r = M.evaluate(g, ha, hb, comps, SETTINGS)
    assert r["status"] == "failed" and "NaN or inf" in r["reason"]
    assert _is_json_plain(r)
    for k in ("w1", "w1_ratio", "sliced_w1", "gen_mean_x", "modes_captured", "reverse_kl"):
        assert r[k] is None
    assert r["w1_floor"] > 0 and r["real_modes_captured"] == 8


def test_no_tensorflow_imported():
    # POT probes installed backends on import; toygan.evaluation.metrics disables them, so TensorFlow
    # (installed in the venv) must not be loaded. Checked in a fresh interpreter.
    code = (
        "import sys, numpy as np; import toygan.evaluation.metrics as M; "
        "M.w1(np.zeros((5, 2)), np.ones((5, 2)), ot_subsample=5); "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    workflow = str(Path(M.__file__).resolve().parents[1])
    subprocess.run([sys.executable, "-c", code], check=True, cwd=workflow, timeout=120)


def test_evaluate_with_a_floor_distribution_reports_mean_sd_and_z():
    from toygan.evaluation import reference

    rng = np.random.default_rng(14)
    comps = mixture_1d()
    pairs = [(sample_mixture_1d(2000, rng), sample_mixture_1d(2000, rng)) for _ in range(6)]
    floor = reference.floor_distribution(pairs, SETTINGS, "test")
    a = sample_mixture_1d(2000, rng)
    shifted = sample_mixture_1d(2000, rng) + 0.5
    r = M.evaluate(shifted, a, floor, comps, dataclasses.replace(SETTINGS, n_samples=2000, truth_samples=2000))
    w1 = floor["metrics"]["w1"]
    assert r["floor_pairs"] == 6 and r["w1_floor"] == pytest.approx(w1["mean"])
    assert r["w1_floor_sd"] == pytest.approx(np.std(w1["values"], ddof=1))
    assert r["w1_ratio"] == pytest.approx(r["w1"] / w1["mean"])
    assert r["w1_z"] == pytest.approx((r["w1"] - w1["mean"]) / w1["sd"]) and r["w1_z"] > 5
    assert r["w1_truth"] == pytest.approx(0.5, abs=0.05) and r["n_truth"] == 2000
    assert r["w1_truth_noise"] is None  # only the reference rule measures it
