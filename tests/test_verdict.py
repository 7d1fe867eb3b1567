"""The verdict: mode collapse on a small bimodal file, and the rules in order."""

import numpy as np
import pytest

from toygan.data import datasets
from toygan.evaluation import metrics, reference, verdict
from toygan.config.settings import Evaluation
from bimodal import bimodal_spec

SETTINGS = Evaluation.parse({"floor_pairs": 10})


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    spec = bimodal_spec(tmp_path_factory.mktemp("bimodal"))
    a, b = datasets.heldout_pair(spec, 0, 0)
    floor, modes = reference.build(spec, a, b, SETTINGS)
    return a, floor, modes


def judge(gen, small_file, status="ok"):
    a, floor, modes = small_file
    result = metrics.evaluate(gen, a, floor, modes, SETTINGS)
    result["status"] = status if result["status"] == "ok" else result["status"]
    return result, verdict.decide(result, SETTINGS)


def gen_rows(rng, n=10_000, tight=1 / 3):
    """Draws of the file's generating distribution, with weight ``tight`` on the tight cluster."""
    lab = rng.random(n) < tight
    return np.where(lab, rng.normal(-3, 0.3, n), rng.normal(4, 1.5, n))[:, None]


def test_matching_generator_is_ok(small_file):
    result, (v, why) = judge(gen_rows(np.random.default_rng(0)), small_file)
    assert v == "ok", why
    assert result["mode_reference"] == "all real rows" and result["modes_source"] == "gmm"
    assert result["mode_mass_ratio_min"] > 0.8 and result["real_all_modes_captured"] == 2


@pytest.mark.parametrize("make", [
    lambda rng: rng.normal(4, 1.5, (10_000, 1)),    # the broad cluster only
    lambda rng: rng.normal(-3, 0.3, (10_000, 1)),   # the tight cluster only
    lambda rng: rng.normal(0.5, 1.0, (10_000, 1)),  # one bump between the clusters
    lambda rng: gen_rows(rng, tight=0.1),           # both, the tight one far too light
], ids=["broad_only", "tight_only", "bump_between", "tight_underweight"])
def test_collapsed_generators_are_mode_collapse(small_file, make):
    result, (v, why) = judge(make(np.random.default_rng(1)), small_file)
    assert v == "mode_collapse", (why, result["mode_mass"], result["real_all_mode_mass"])


def test_failed_and_diverged_come_first(small_file):
    bad = gen_rows(np.random.default_rng(2))
    bad[3] = np.nan
    assert judge(bad, small_file)[1][0] == "failed"
    assert judge(gen_rows(np.random.default_rng(2)), small_file, status="diverged")[1][0] == "diverged"


def test_too_few_rows_in_a_mode_is_inconclusive():
    base = {"status": "ok", "n_modes": 2, "modes_captured": 1, "mode_mass_ratio_min": 0.0,
            "mode_reference": "all real rows"}
    defaults = Evaluation.parse({})
    assert verdict.decide({**base, "mode_rows_min": 8.0}, defaults)[0] == "inconclusive"
    assert verdict.decide({**base, "mode_rows_min": 8.0}, Evaluation.parse({"min_mode_rows": 5}))[0] == "mode_collapse"
    assert verdict.decide({"status": "ok"}, defaults)[0] == "inconclusive"  # no mode reference


def test_collapse_on_known_components():
    comps = {"means": np.array([[0.0], [5.0]]), "stds": np.array([[1.0], [2.0]]), "weights": np.array([0.5, 0.5])}
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, (4000, 1)), rng.normal(5, 2, (4000, 1))
    real = np.where(rng.random((4000, 1)) < 0.5, a, b)
    one_mode = rng.normal(0, 1, (4000, 1))
    s = Evaluation.parse({"n_samples": 4000, "truth_samples": 4000})
    r = metrics.evaluate(one_mode, real, real[::-1].copy(), comps, s)
    assert verdict.decide(r, s)[0] == "mode_collapse"
    assert r["mode_reference"] == "held-out A" and r["w1_truth"] > 1.0
