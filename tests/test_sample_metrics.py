"""Mode widths and precision / recall / density / coverage: known answers, and a sample of the
truth judged ok (toygan.evaluation.widths, prdc, verdict)."""

from __future__ import annotations

import numpy as np
import pytest

from toygan.config.settings import Evaluation
from toygan.config.validate import validate_config
from toygan.data import datasets
from toygan.evaluation import metrics, prdc, reference, verdict, widths

SPECS = validate_config({
    "datasets": {"ring": {"kind": "ring"}, "grid": {"kind": "grid"},
                 "two_normals": {"kind": "mixture", "n": 2000,
                                 "components": [{"mean": 0.0, "std": 1.0}, {"mean": 5.0, "std": 2.0}]}},
    "experiments": {"e": {"dataset": "ring"}},
})["datasets"]


def truth(spec, n, seed):
    """n fresh rows of the true distribution (never the held-out draws)."""
    return datasets.heldout_pair(spec, n, 10_000 + seed)[0]


def test_a_sample_of_the_truth_scores_at_the_prdc_floor():
    rng = np.random.default_rng(0)
    real, same = rng.normal(size=(4000, 2)), rng.normal(size=(4000, 2))
    r = prdc.prdc(real, same, 5)
    assert r["precision"] > 0.97 and r["recall"] > 0.97 and 0.9 < r["density"] < 1.1 and r["coverage"] > 0.93


def test_half_the_data_missing_gives_recall_and_coverage_near_a_half():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(6000, 2))
    gen = rng.normal(size=(12_000, 2))
    gen = gen[gen[:, 0] < 0][:6000]  # the left half of the data only
    r = prdc.prdc(real, gen, 5)
    assert r["recall"] == pytest.approx(0.5, abs=0.04) and r["coverage"] == pytest.approx(0.5, abs=0.04)
    assert r["precision"] > 0.97  # what it draws is on the data


def test_prdc_matches_the_pairwise_definition():
    """The k-d tree answers are the definitions computed from every pairwise distance."""
    rng = np.random.default_rng(2)
    for d in (1, 2):
        real, gen = rng.normal(size=(400, d)), rng.normal(size=(300, d)) * 1.5 + 0.3
        dist = lambda a, b: np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))  # noqa: E731
        rr, gr = np.sort(dist(real, real), 1)[:, 5], np.sort(dist(gen, gen), 1)[:, 5]
        D = dist(real, gen)
        want = {"precision": (D <= rr[:, None]).any(0).mean(), "recall": (D <= gr[None]).any(1).mean(),
                "density": (D <= rr[:, None]).sum(0).mean() / 5, "coverage": (D.min(1) <= rr).mean()}
        assert prdc.prdc(real, gen, 5) == pytest.approx(want, abs=1e-12)


def test_exact_centres_have_width_ratio_zero_and_are_not_ok():
    spec = SPECS["grid"]
    s = Evaluation.parse({"n_samples": 2500, "ot_subsample": 200, "truth_samples": 2500, "floor_pairs": 3})
    a, b = datasets.heldout_pair(spec, 2500, s.seed)
    floor, modes = reference.build(spec, a, b, s)
    centres = datasets.components(spec)["means"]
    gen = centres[np.arange(2500) % len(centres)]
    r = metrics.evaluate(gen, a, floor, modes, s)
    assert r["high_quality_fraction"] == 1.0 and r["modes_captured"] == 25  # what HQ alone would say
    assert r["width_ratio_min"] == 0.0 and r["width_ratio_max"] == 0.0
    word, reason = verdict.decide(r, s)
    assert word == "narrow_modes" and "0.00× the real width" in reason


def test_widths_of_a_blurred_sample_are_wide():
    spec = SPECS["ring"]
    s = Evaluation.parse({"n_samples": 2500, "ot_subsample": 200, "truth_samples": 2500, "floor_pairs": 3})
    a, b = datasets.heldout_pair(spec, 2500, s.seed)
    floor, modes = reference.build(spec, a, b, s)
    comps = datasets.components(spec)
    rng = np.random.default_rng(3)
    gen = comps["means"][rng.integers(0, 8, 2500)] + rng.normal(size=(2500, 2)) * 0.02  # twice the real std
    r = metrics.evaluate(gen, a, floor, modes, s)
    assert r["width_ratio_min"] > 1.3  # the HQ radius truncates: a blur of 2x shows as about 1.4x
    assert verdict.decide(r, s)[0] == "wide_modes"


def test_the_reference_median_is_the_truths():
    rng = np.random.default_rng(4)
    for d in (1, 2):
        z = np.linalg.norm(rng.normal(size=(400_000, d)), axis=1)
        assert np.median(z[z < 3.0]) == pytest.approx(widths.reference_median(d, 3.0), rel=3e-3)


@pytest.mark.parametrize("name", ["ring", "grid", "two_normals"])
def test_a_sample_of_the_truth_is_ok_in_99_percent_of_draws(name):
    """At the PacGAN protocol's 2,500 rows (the noisiest a run is scored at), 100 fresh samples of
    the truth: at least 99 are ok, whatever their mode widths' noise."""
    spec = SPECS[name]
    s = Evaluation.parse({"n_samples": 2500, "ot_subsample": 100, "truth_samples": 2500, "floor_pairs": 5})
    a, b = datasets.heldout_pair(spec, 2500, s.seed)
    floor, modes = reference.build(spec, a, b, s)
    words = [verdict.decide(metrics.evaluate(truth(spec, 2500, i), a, floor, modes, s), s)[0] for i in range(100)]
    assert words.count("ok") >= 99, {w: words.count(w) for w in set(words)}


def test_without_modes_precision_and_recall_judge():
    s = Evaluation.parse({})
    base = {"status": "ok", "dim": 2, "recall_floor": 0.98, "recall_floor_sd": 0.003,
            "precision_floor": 0.98, "precision_floor_sd": 0.003}
    assert verdict.decide({**base, "recall": 0.97, "precision": 0.96}, s)[0] == "ok"
    word, reason = verdict.decide({**base, "recall": 0.5, "precision": 0.97}, s)
    assert word == "mode_collapse" and "regions of the data are missing" in reason
    assert verdict.decide({**base, "recall": 0.95, "precision": 0.4}, s)[0] == "off_data"
    noisy = {**base, "recall_floor_sd": 0.2, "precision_floor_sd": 0.2, "recall": 0.1, "precision": 0.1}
    assert verdict.decide(noisy, s)[0] == "inconclusive"
