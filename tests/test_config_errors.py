"""Config errors are caught when the Snakefile is parsed, before any job: each message names
the key path and, where there is a closed list, the allowed values.

Most cases are unit tests of toygan.config.validate_config (fast); a few go through the
snakemake CLI to show that the message reaches the user and that no job ran."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from toygan.config.validate import ConfigError, check_duplicate_keys, validate_config

from conftest import REPO

TINY = yaml.safe_load((REPO / "tests" / "config" / "tiny.yaml").read_text())


def problems(mutate) -> str:
    """The ConfigError message of the tiny config after ``mutate(cfg)``."""
    cfg = copy.deepcopy(TINY)
    mutate(cfg)
    with pytest.raises(ConfigError) as info:
        validate_config(cfg)
    msg = str(info.value)
    assert msg.startswith("invalid config:\n  - ")
    return msg


def exp(cfg, name="normal"):
    return cfg["experiments"][name]


def test_tiny_config_is_valid():
    cfg = validate_config(copy.deepcopy(TINY))
    assert exp(cfg)["training"]["batches"] == 2 and exp(cfg)["loss"]["name"] == "bce_smoothed"


# ----------------------------------------------------------------------------- unknown keys


def test_unknown_top_level_key_lists_the_allowed_keys():
    msg = problems(lambda c: c.update(plot={"dpi": 50}))
    assert "unknown key plot (did you mean plots?); allowed keys here: benchmark, datasets, evaluation, experiments, plots" in msg


def test_unknown_nested_key_names_its_path():
    msg = problems(lambda c: exp(c).update(trainig={"epochs": 5}))
    assert "unknown key experiments.normal.trainig (did you mean training?)" in msg
    assert "allowed keys here: dataset, defaults, discriminator, generator, latent, loss, sampling, seeds, training" in msg


def test_unknown_deep_key():
    msg = problems(lambda c: exp(c)["generator"]["optimizer"].update(lr=0.1))
    assert "unknown key experiments.normal.generator.optimizer.lr" in msg
    assert "learning_rate" in msg


def test_key_of_another_dataset_kind():
    msg = problems(lambda c: c["datasets"]["normal"].update(modes=8))
    assert "unknown key datasets.normal.modes; allowed keys here: kind, mean, n, seed, std" in msg


def test_dataset_without_kind_reports_just_that():
    msg = problems(lambda c: c["datasets"].update(extra={"n": 100}))
    assert msg == "invalid config:\n  - datasets.extra: 'kind' is a required property"


# ----------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda c: exp(c)["training"].update(epochs="ten"), "experiments.normal.training.epochs: 'ten' is not of type 'integer'"),
        (lambda c: exp(c)["training"].update(epochs=20.0), "experiments.normal.training.epochs: 20.0 is not of type 'integer'"),
        (lambda c: exp(c)["training"].update(shuffle="yes"), "experiments.normal.training.shuffle: 'yes' is not of type 'boolean'"),
        (lambda c: exp(c)["training"].update(epochs=True), "experiments.normal.training.epochs: True is not of type 'integer'"),
        (lambda c: exp(c)["generator"].update(hidden=32), "experiments.normal.generator.hidden: 32 is not of type 'array'"),
        (lambda c: exp(c).update(dataset=5), "experiments.normal.dataset: 5 is not of type 'string'"),
        (lambda c: exp(c).update(training=None), "experiments.normal.training: None is not of type 'object'"),
        (lambda c: c.update(experiments=["normal"]), "experiments: ['normal'] is not of type 'object'"),
    ],
    ids=["str-for-int", "float-for-int", "str-for-bool", "bool-for-int", "int-for-list", "int-for-str", "null-section", "list-for-map"],
)
def test_wrong_type(mutate, expected):
    assert expected in problems(mutate)


# ----------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda c: c["datasets"]["normal"].update(n=0), "datasets.normal.n: 0 is less than the minimum of 1"),
        (lambda c: exp(c)["training"].update(epochs=-1), "experiments.normal.training.epochs: -1 is less than the minimum of 1"),
        (lambda c: exp(c)["training"].update(epochs=0), "experiments.normal.training.epochs: 0 is less than the minimum of 1"),
        (lambda c: exp(c)["generator"].update(hidden=[8, 0]), "experiments.normal.generator.hidden.1: 0 is less than the minimum of 1"),
        (lambda c: exp(c)["training"].update(batch_size=0), "experiments.normal.training.batch_size: 0 is less than the minimum of 1"),
        (lambda c: exp(c)["latent"].update(dim=-3), "experiments.normal.latent.dim: -3 is less than the minimum of 1"),
        (lambda c: c["datasets"]["normal"].update(std=0), "datasets.normal.std: 0 is less than or equal to the minimum of 0"),
        (lambda c: exp(c)["discriminator"]["optimizer"].update(learning_rate=0),
         "experiments.normal.discriminator.optimizer.learning_rate: 0 is less than or equal to the minimum of 0"),
        (lambda c: exp(c).update(seeds=[]), "experiments.normal.seeds: [] should be non-empty"),
        (lambda c: exp(c).update(seeds=[1, 1]), "experiments.normal.seeds: [1, 1] has non-unique elements"),
    ],
    ids=["n0", "epochs-1", "epochs0", "hidden0", "batch_size0", "latent-3", "std0", "lr0", "no-seeds", "dup-seeds"],
)
def test_non_positive_sizes(mutate, expected):
    assert expected in problems(mutate)


def test_labels_outside_0_1():
    msg = problems(lambda c: exp(c).update(loss={"real_label": 1.5, "fake_label": -0.1}))
    assert "experiments.normal.loss.real_label: 1.5 is greater than the maximum of 1" in msg
    assert "experiments.normal.loss.fake_label: -0.1 is less than the minimum of 0" in msg


def test_equal_labels():
    msg = problems(lambda c: exp(c).update(loss={"real_label": 0.5, "fake_label": 0.5}))
    assert "experiments.normal.loss: real_label and fake_label must differ" in msg


def test_maxout_spectral_norm_and_fourier_features_are_for_the_discriminator_only():
    msg = problems(lambda c: exp(c).update(generator={"layer": "maxout", "spectral_norm": True, "fourier_features": 8}))
    assert "experiments.normal.generator.layer: maxout is for the discriminator only; use dense" in msg
    assert "experiments.normal.generator.spectral_norm: only the discriminator supports spectral normalisation" in msg
    assert "experiments.normal.generator.fourier_features: only the discriminator supports Fourier features" in msg
    ok = copy.deepcopy(TINY)
    exp(ok).update(discriminator={"layer": "maxout", "maxout_pieces": 3, "spectral_norm": True, "fourier_features": 8})
    assert exp(validate_config(ok))["discriminator"]["layer"] == "maxout"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers(value):
    msg = problems(lambda c: exp(c)["generator"]["optimizer"].update(learning_rate=value))
    assert msg == f"invalid config:\n  - experiments.normal.generator.optimizer.learning_rate: {value} is not a finite number"


def test_non_finite_numbers_in_yaml():
    cfg = yaml.safe_load("datasets: {normal: {kind: normal, mean: .nan}}\nexperiments: {e: {dataset: normal}}")
    with pytest.raises(ConfigError, match=r"datasets\.normal\.mean: nan is not a finite number"):
        validate_config(cfg)


def test_every_problem_is_reported_at_once():
    def many(c):
        c["datasets"]["normal"]["n"] = 0
        exp(c)["training"]["epochs"] = -1
        exp(c)["loss"] = {"name": "wasserstein"}

    msg = problems(many)
    assert msg.count("\n  - ") == 3


# ----------------------------------------------------------------------------- names and references


def test_experiment_naming_an_unknown_dataset():
    msg = problems(lambda c: exp(c).update(dataset="normall"))
    assert "experiments.normal.dataset: unknown dataset 'normall'; defined datasets: normal, two_normals" in msg


def test_unknown_loss_lists_the_allowed_losses():
    msg = problems(lambda c: exp(c).update(loss={"name": "wasserstein"}))
    assert (
        "experiments.normal.loss.name: 'wasserstein' is not one of "
        "bce_smoothed, minimax, nonsaturating, wgan_gp, lsgan, hinge"
    ) in msg


def test_unknown_optimizer_lists_the_allowed_optimizers():
    msg = problems(lambda c: exp(c)["discriminator"]["optimizer"].update(name="adagrad"))
    assert "experiments.normal.discriminator.optimizer.name: 'adagrad' is not one of rmsprop, adam, sgd" in msg


def test_unknown_activation_and_dataset_kind():
    msg = problems(lambda c: (exp(c)["generator"].update(activation="gelu"), c["datasets"]["normal"].update(kind="gauss")))
    assert "experiments.normal.generator.activation: 'gelu' is not one of relu, leaky_relu, tanh, elu, selu, sigmoid" in msg
    assert ("datasets.normal.kind: 'gauss' is not one of normal, mixture, ring, grid, moons, circles, swissroll, "
            "pinwheel, spirals, checkerboard, file") in msg


def test_bad_names():
    msg = problems(lambda c: c["experiments"].update({"my-run": copy.deepcopy(exp(c))}))
    assert "experiments: 'my-run' does not match '^[A-Za-z][A-Za-z0-9_]*$'" in msg


# ----------------------------------------------------------------------------- batches versus rows


def test_synthetic_data_smaller_than_one_batch():
    msg = problems(lambda c: exp(c)["training"].update(batch_size=500))
    assert (
        "datasets.normal.n: 200 rows are fewer than one training batch of experiments.normal "
        "(500 rows: training.batch_size = 500)"
    ) in msg
    msg = problems(lambda c: exp(c)["training"].update(batches=50, pack=5))
    assert "(250 rows: training.batches = 50 x training.pack = 5)" in msg


def test_batch_smaller_than_a_pack():
    msg = problems(lambda c: exp(c)["training"].update(batch_size=2, pack=3))
    assert "experiments.normal.training.batch_size: 2 is smaller than training.pack (3)" in msg


# ----------------------------------------------------------------------------- duplicate names


DUPLICATE = textwrap.dedent(
    """\
    datasets:
      normal: {kind: normal, n: 200}
    experiments:
      normal:
        dataset: normal
        seeds: [0]
      normal:
        dataset: normal
        seeds: [1]
    """
)


def test_duplicate_names_in_the_yaml(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(DUPLICATE)
    with pytest.raises(ConfigError) as info:
        check_duplicate_keys(path)
    assert str(info.value) == f"{path}: duplicate key 'normal' at line 7 (first at line 4); names must be unique"
    with pytest.raises(ConfigError, match="duplicate key 'normal' at line 7"):
        validate_config(yaml.safe_load(DUPLICATE), [str(path)])  # PyYAML alone keeps the last


def test_duplicate_nested_key(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("datasets:\n  normal: {kind: normal, n: 10, n: 20}\nexperiments: {}\n")
    with pytest.raises(ConfigError, match=r"duplicate key 'n' at line 2 \(first at line 2\)"):
        check_duplicate_keys(path)


# ----------------------------------------------------------------------------- through snakemake


def snakemake_dry_run(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    """`snakemake -n` of the repository's Snakefile on a config file in a fresh directory."""
    (tmp_path / "bad.yaml").write_text(text)
    work = tmp_path / "work"
    exe = Path(sys.executable).with_name("snakemake")
    return subprocess.run(
        [str(exe), "-n", "--cores", "1", "-s", str(REPO / "Snakefile"), "-d", str(work),
         "--configfile", str(tmp_path / "bad.yaml")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": ""},
    )


def assert_refused_before_any_job(run: subprocess.CompletedProcess, tmp_path: Path) -> str:
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "WorkflowError" in out and "Job stats" not in out and "Building DAG" not in out, out
    assert not (tmp_path / "work" / "results").exists()
    return out


def test_cli_unknown_nested_key_and_wrong_values(tmp_path):
    bad = copy.deepcopy(TINY)
    bad["experiments"]["normal"]["trainig"] = bad["experiments"]["normal"].pop("training")
    bad["experiments"]["two_normals"]["loss"] = {"name": "wasserstein", "real_label": 2}
    bad["datasets"]["normal"]["n"] = 0
    out = assert_refused_before_any_job(snakemake_dry_run(tmp_path, yaml.safe_dump(bad)), tmp_path)
    assert "invalid config:" in out
    assert "unknown key experiments.normal.trainig (did you mean training?)" in out
    assert "experiments.two_normals.loss.name: 'wasserstein' is not one of bce_smoothed, minimax" in out
    assert "experiments.two_normals.loss.real_label: 2 is greater than the maximum of 1" in out
    assert "datasets.normal.n: 0 is less than the minimum of 1" in out


def test_cli_unknown_dataset(tmp_path):
    bad = copy.deepcopy(TINY)
    bad["experiments"]["normal"]["dataset"] = "gaussian"
    out = assert_refused_before_any_job(snakemake_dry_run(tmp_path, yaml.safe_dump(bad)), tmp_path)
    assert "experiments.normal.dataset: unknown dataset 'gaussian'; defined datasets: normal, two_normals" in out


def test_cli_duplicate_experiment_names(tmp_path):
    out = assert_refused_before_any_job(snakemake_dry_run(tmp_path, DUPLICATE), tmp_path)
    assert "bad.yaml: duplicate key 'normal' at line 7 (first at line 4); names must be unique" in out
