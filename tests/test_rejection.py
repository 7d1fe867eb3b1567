"""Rejection rows: the config that declares them, the acceptance rule, the draws and the new D."""
from __future__ import annotations

import numpy as np
import pytest
from toygan.config.settings import Latent, Rejection
from toygan.config.validate import ConfigError, rejection_rows, validate_config
from toygan.sampling import rejection
from toygan.sampling.sample import latent_from

BASE = {
    "datasets": {"ring": {"kind": "ring", "n": 1000}},
    "experiments": {"g": {"dataset": "ring", "seeds": [0, 1]}},
}


def config(**rows) -> dict:
    return {**BASE, "rejection": rows}


def settings(**keys) -> Rejection:
    return Rejection.parse(validate_config(config(r={"of": "g", **keys}))["rejection"]["r"])


def test_a_row_is_its_experiment_under_a_name_of_its_own():
    cfg = validate_config(config(g_drs={"of": "g"}))
    assert rejection_rows(cfg) == {"g_drs": "g"}
    assert cfg["experiments"]["g_drs"] == cfg["experiments"]["g"]  # same settings, seeds, dataset
    assert validate_config(cfg) == cfg  # jobs validate the config again


@pytest.mark.parametrize(("rows", "message"), [
    ({"r": {"of": "h"}}, r"rejection.r.of: unknown experiment 'h'; experiments: g"),
    ({"g": {"of": "g"}}, r"rejection.g: an experiment of that name exists"),
    ({"r": {"of": "s"}, "s": {"of": "g"}}, r"rejection.r.of: 's' is a rejection row itself"),
    ({"r": {"of": "g", "percentil": 5}}, r"unknown key rejection.r.percentil \(did you mean percentile\?\)"),
    ({"r": {"of": "g", "percentile": 120}}, r"rejection.r.percentile: 120 is greater than the maximum of 100"),
    ({"r": {}}, r"rejection.r: 'of' is a required property"),
])
def test_bad_rows_are_refused_by_name(rows, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(config(**rows))


def test_a_sweep_point_cannot_be_sampled_by_a_row():
    cfg = {**config(r={"of": "sw__r1_gamma_0p1"}), "sweeps": {"sw": {"base": "g", "grid": {"loss.r1_gamma": [0.1]}}}}
    with pytest.raises(ConfigError, match=r"rejection.r.of: 'sw__r1_gamma_0p1' is a sweep point"):
        validate_config(cfg)


def test_the_shipped_settings_are_documented_defaults():
    s = settings()
    assert (s.steps, s.percentile, s.fourier_features, s.hidden) == (500, 20.0, 64, (128, 128, 128))


def test_samples_at_or_above_the_shift_always_pass_and_below_it_pass_at_exp_of_the_gap():
    logit = np.array([3.0, 1.0, 1.0 - np.log(2), 1.0 - np.log(2), -50.0])
    u = np.array([0.999, 0.999, 0.49, 0.51, 1e-6])
    assert rejection.kept(logit, 1.0, u).tolist() == [True, True, True, False, False]


def test_logits_invert_the_sigmoid_and_stay_finite():
    x = np.array([-30.0, -2.0, 0.0, 2.0, 30.0])
    assert np.allclose(rejection.logits(1 / (1 + np.exp(-x)))[1:4], x[1:4])
    assert np.isfinite(rejection.logits(np.array([0.0, 1.0]))).all()


def _toy():
    """G: a 2-D normal latent as it is; D: P(real) falls with the distance to the origin."""
    spec = Latent.from_dict({"dim": 2, "distribution": "normal", "low": -1.0, "high": 1.0, "categories": 0})
    return (lambda z: z), (lambda x: 1 / (1 + np.exp(np.sum(x**2, axis=1, keepdims=True) - 1))), (
        lambda k, rng: latent_from(spec, k, rng))


def test_draws_keep_what_d_rates_higher_and_repeat_with_the_seed():
    g, d, latent = _toy()
    x, stats = rejection.draw(g, d, latent, 20_000, 3, settings(percentile=50))
    again, _ = rejection.draw(g, d, latent, 20_000, 3, settings(percentile=50))
    other, _ = rejection.draw(g, d, latent, 20_000, 4, settings(percentile=50))
    assert x.shape == (20_000, 2) and np.array_equal(x, again) and not np.array_equal(x, other)
    # the kept samples sit nearer the origin than G's (mean squared radius 2)
    assert np.mean(np.sum(x**2, axis=1)) < 1.6
    assert 0.5 < stats["accepted"] < 0.95 and stats["drawn"] >= 20_000
    # every sample D rates at or above the median logit passes: none of those is lost
    _, all_kept = rejection.draw(g, d, latent, 20_000, 3, settings(percentile=0))
    assert all_kept["accepted"] == 1.0


def test_a_row_that_keeps_too_little_stops_with_what_to_change():
    g, _, latent = _toy()
    sharp = lambda x: 1 / (1 + np.exp(np.minimum(200 * np.sum(x**2, axis=1, keepdims=True), 600)))
    with pytest.raises(rejection.RejectionError, match=r"rejection.r: seed 0 kept .* lower rejection.r.percentile"):
        rejection.draw(g, sharp, latent, 1000, 0, settings(percentile=100, max_draws=2), row="r")


def test_the_new_d_learns_where_g_puts_mass_that_the_data_lacks(tmp_path):
    """A D trained against a frozen G rates real points above G's off-data points (TensorFlow)."""
    pytest.importorskip("tensorflow")
    from toygan.training.rejection_d import build_d, train_d
    from toygan.training.tfsetup import import_tensorflow

    import_tensorflow(1)
    rng = np.random.default_rng(0)
    real = rng.normal(0, 0.05, (2000, 2)).astype(np.float32) + np.array([1, 0], np.float32)
    fake = np.concatenate([real[:1000] + rng.normal(0, 0.01, (1000, 2)).astype(np.float32),
                           rng.uniform(-1, 1, (1000, 2)).astype(np.float32)])
    s = settings(steps=300, hidden=[32, 32], fourier_features=16, batch_size=256)
    model, drng = build_d(real, s, 0)
    train_d(model, real, fake, s, drng)
    p_real = np.asarray(model(real[:500]))[:, 0]
    p_off = np.asarray(model(fake[1000:1500]))[:, 0]
    assert np.median(p_real) > 0.5 > np.median(p_off)
    # the frequencies are scaled to the data's spread (per coordinate)
    freqs = model.layers[0].get_weights()[0]
    assert freqs.shape == (2, 16)

