"""Known-answer tests of the noise-floor distribution, w1_truth and the fitted modes."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from toygan.data import datasets
from toygan.evaluation import reference, truth
from toygan.config.settings import Evaluation
from toygan.config.validate import fill_defaults, load_schema
from bimodal import bimodal_spec

NORMAL = {"kind": "normal", "n": 100, "mean": 0.0, "std": 1.0, "seed": 0}
N01 = {"means": [[0.0]], "stds": [[1.0]], "weights": [1.0]}
RING = {"means": [[math.cos(a), math.sin(a)] for a in 2 * np.pi * np.arange(8) / 8],
        "stds": [[0.02, 0.02]] * 8, "weights": [1 / 8] * 8}


def draw(comps, n, seed):
    rng = np.random.default_rng(seed)
    means, stds = np.asarray(comps["means"]), np.asarray(comps["stds"])
    lab = rng.choice(len(means), n, p=comps["weights"])
    return means[lab] + stds[lab] * rng.standard_normal((n, means.shape[1]))


@pytest.mark.parametrize("c", [0.0, 0.7, -2.5])
def test_w1_to_a_point_mass_is_exact(c):
    # W1(δ_c, N(0,1)) = E|Z − c| = c (2Φ(c) − 1) + 2φ(c)
    expected = c * (2 * stats.norm.cdf(c) - 1) + 2 * stats.norm.pdf(c)
    assert truth.w1_truth(np.full(7, c), N01, projections=32) == pytest.approx(expected, abs=1e-9)


def test_w1_truth_of_exact_draws_is_near_zero_and_a_shift_scores_its_size():
    x = draw(N01, 100_000, 1)
    # The noise of the estimator at 100k rows is ~0.0025 (docs/metrics.md), far below the
    # ~0.019 floor of two 10k samples.
    assert truth.w1_truth(x, N01, projections=32) < 0.006
    assert truth.w1_truth(x + 0.5, N01, projections=32) == pytest.approx(0.5, abs=0.006)
    mix = {"means": [[0.0], [5.0]], "stds": [[1.0], [2.0]], "weights": [0.5, 0.5]}
    y = draw(mix, 100_000, 2)
    assert truth.w1_truth(y, mix, projections=32) < 0.012
    assert truth.w1_truth(y - 0.3, mix, projections=32) == pytest.approx(0.3, abs=0.012)


def test_2d_w1_truth_is_sliced_and_exact_for_a_shift():
    z = draw(RING, 100_000, 3)
    assert truth.w1_truth(z, RING, projections=32) < 0.003
    # Sliced W1 of a shift v is the mean of |<v, θ>| over directions: 2|v|/π.
    assert truth.w1_truth(z + [0.3, 0.4], RING, projections=32) == pytest.approx(2 * 0.5 / math.pi, abs=0.004)


def test_floor_mean_matches_the_analytic_expectation_for_n01():
    # Two independent empirical CDFs of n rows differ by ~N(0, 2F(1−F)/n) at each x, so
    # E W1 = ∫ E|F_a − F_b| dx ≈ ∫ sqrt(4 F (1 − F) / (π n)) dx.
    n = 10_000
    expected = integrate.quad(lambda x: math.sqrt(4 * stats.norm.cdf(x) * stats.norm.sf(x) / (math.pi * n)),
                              -12, 12)[0]
    floor = reference.floor_distribution(datasets.floor_pairs(NORMAL, n, 12345, 20), Evaluation.parse({}), "test")
    w1 = floor["metrics"]["w1"]
    assert floor["pairs"] == 20 and floor["n_rows"] == n and len(w1["values"]) == 20
    assert abs(w1["mean"] - expected) < 3 * w1["sd"] / math.sqrt(20) + 0.02 * expected, (w1, expected)
    assert 0.1 * expected < w1["sd"] < 0.6 * expected
    assert set(floor["metrics"]) == {"w1", "ks_stat", "js", "kl", "precision", "recall", "density", "coverage"}


def test_floor_on_several_processes_equals_the_floor_on_one():
    root = load_schema()
    ring = fill_defaults({"kind": "ring", "n": 100}, root["$defs"]["dataset"], root)
    s = Evaluation.parse({"floor_pairs": 3, "ot_subsample": 300})
    one = reference.floor_distribution(datasets.floor_pairs(ring, 400, 5, 3), s, "test")
    two = reference.floor_distribution(datasets.floor_pairs(ring, 400, 5, 3), s, "test", workers=2)
    assert one == two and one["pairs"] == 3 and set(one["metrics"]) >= {"w1", "sliced_w1", "precision"}


def test_floor_pairs_are_deterministic_and_independent():
    p1 = list(datasets.floor_pairs(NORMAL, 50, 7, 3))
    p2 = list(datasets.floor_pairs(NORMAL, 50, 7, 3))
    assert all(np.array_equal(a, c) and np.array_equal(b, d) for (a, b), (c, d) in zip(p1, p2))
    assert not np.array_equal(p1[0][0], p1[1][0]) and not np.array_equal(p1[0][0], p1[0][1])


def test_file_floor_resamples_the_heldout_rows(tmp_path):
    spec = bimodal_spec(tmp_path)
    heldout = np.vstack(datasets.heldout_pair(spec, 0, 0))
    pairs = list(datasets.floor_pairs(spec, 10_000, 0, 4, heldout=heldout))
    assert len(pairs) == 4 and all(a.shape == (len(heldout) // 2, 1) for a, _ in pairs)
    assert all(np.isin(a, heldout).all() and np.isin(b, heldout).all() for a, b in pairs)
    with pytest.raises(datasets.DataFileError, match="held-out"):
        list(datasets.floor_pairs(spec, 10, 0, 1, heldout=heldout[:1]))


def test_bic_finds_the_two_clusters_of_the_small_file(tmp_path):
    spec = bimodal_spec(tmp_path)
    floor, modes = reference.build(spec, *datasets.heldout_pair(spec, 0, 0), Evaluation.parse({"floor_pairs": 5}))
    comps = modes["components"]
    assert modes["source"] == "gmm" and len(comps["weights"]) == 2
    assert np.allclose(np.ravel(comps["means"]), [-3, 4], atol=0.4)
    assert np.allclose(comps["weights"], [1 / 3, 2 / 3], atol=0.03)
    assert modes["real_all"]["n_rows"] == 150 and modes["real_all"]["modes_captured"] == 2
    assert floor["pairs"] == 5 and floor["n_rows"] == 15 and floor["w1_truth_noise"] is None
    assert "bootstrap" in floor["source"]


def test_known_modes_and_truth_noise_for_synthetic_data():
    floor, modes = reference.build(NORMAL, *datasets.heldout_pair(NORMAL, 500, 1),
                                   Evaluation.parse({"n_samples": 500, "floor_pairs": 3, "truth_samples": 20_000}))
    assert modes == {"source": "known", "components": {"means": [[0.0]], "stds": [[1.0]], "weights": [1.0]}}
    noise = floor["w1_truth_noise"]
    assert noise["n_rows"] == 20_000 and len(noise["values"]) == reference.TRUTH_NOISE_DRAWS
    assert 0 < noise["mean"] < 0.015  # ~ 0.0056 at 20k rows
    assert reference.describe(floor, modes).endswith("modes: 1 (known)")



def test_a_true_sample_of_the_ring_scores_as_the_truth_should():
    ring = {"kind": "ring", "modes": 8, "radius": 1.0, "std": 0.01, "seed": 0}
    s = Evaluation.parse({"n_samples": 2500, "floor_pairs": 6})
    floor, _ = reference.build(ring, *datasets.heldout_pair(ring, 2500, 0), s)
    sample = floor["true_sample_modes"]
    assert sample["n_rows"] == 2500 and len(sample["draws"]) == 6
    hq = np.mean([d["high_quality_fraction"] for d in sample["draws"]])
    assert abs(hq - stats.chi2(2).cdf(9.0)) < 0.006  # 0.9889 within 3 std; one draw's sd is 0.002
    for d in sample["draws"]:
        assert d["modes_captured"] == 8 and d["reverse_kl"] < 0.01
        # 312 rows a mode: the median's relative s.e. is 0.04, so 6 draws of 8 modes stay within ±20 %
        assert 0.8 < d["width_ratio_min"] <= 1.0 <= d["width_ratio_max"] < 1.2
        assert abs(d["width_ratio_mean"] - 1.0) < 0.06  # the mean of 8 modes: s.e. 0.015


def test_no_true_sample_row_where_the_modes_are_fitted(tmp_path):
    spec = bimodal_spec(tmp_path)
    floor, _ = reference.build(spec, *datasets.heldout_pair(spec, 0, 0), Evaluation.parse({"floor_pairs": 3}))
    assert floor["true_sample_modes"] is None
