"""End to end: the tiny config through the Snakemake CLI, its outputs, and what a rerun touches."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from workflow_helpers import edited, scheduled_jobs, snakemake, tiny_config, write_config

TINY = tiny_config()
RUNS = [(exp, seed) for exp, e in TINY["experiments"].items() for seed in e["seeds"]]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tiny")
    config = write_config(workdir / "tiny.yaml", TINY)
    snakemake(workdir, "--cores", "2", configfile=config)
    return workdir, config


def test_every_expected_output_exists_and_is_valid(tiny_run):
    import keras

    workdir, _ = tiny_run
    res = workdir / "results"
    for name, spec in TINY["datasets"].items():
        data = np.load(res / "data" / f"{name}.npy")
        assert data.shape == (spec["n"], 1) and np.isfinite(data).all()
        assert json.loads((res / "data" / f"{name}.json").read_text())["dim"] == 1
    for exp, seed in RUNS:
        models = res / "models" / exp / f"seed{seed}"
        g = keras.models.load_model(models / "generator.keras", compile=False)
        d = keras.models.load_model(models / "discriminator.keras", compile=False)
        assert g.output_shape == (None, 1) and d.output_shape == (None, 1)
        history = pd.read_csv(models / "history.csv")
        assert list(history.epoch) == list(range(1, 21))
        assert history[["d_loss", "g_loss"]].notna().all().all()
        assert history.w1.notna().sum() == 4  # every 5 epochs
        assert "Combined D(G(z))" in (models / "summary.txt").read_text()
        samples = res / "samples" / exp / f"seed{seed}"
        gen = np.load(samples / "samples.npy")
        n_real = TINY["datasets"][TINY["experiments"][exp]["dataset"]]["n"]
        assert gen.shape == (n_real, 1) and np.isfinite(gen).all()
        assert np.load(samples / "eval_samples.npy").shape == (TINY["evaluation"]["n_samples"], 1)
        d_real = np.load(samples / "d_real.npy")
        assert d_real.shape == (n_real,) and ((d_real >= 0) & (d_real <= 1)).all()
        metrics = json.loads((res / "metrics" / exp / f"seed{seed}" / "metrics.json").read_text())
        assert metrics["status"] == "ok" and metrics["w1"] > 0 and metrics["w1_floor"] > 0
        figures = res / "figures" / exp / f"seed{seed}"
        for fig in ("density", "d_output", "decision", "losses"):
            with Image.open(figures / f"{fig}.png") as im:
                im.verify()
        with Image.open(figures / "training.gif") as gif:
            assert gif.n_frames == 4
    for exp in TINY["experiments"]:
        with Image.open(res / "figures" / exp / "dashboard.png") as im:
            im.verify()
    table = pd.read_csv(res / "summary" / "metrics.tsv", sep="\t")
    assert len(table) == len(RUNS)
    by_exp = pd.read_csv(res / "summary" / "metrics_by_experiment.tsv", sep="\t")
    assert set(by_exp.experiment) == set(TINY["experiments"]) and (by_exp.n_seeds == 2).all()
    assert not list(res.glob("checkpoints/**/*.npz")), "finished runs leave no checkpoint"
    for log in ("train/two_normals/seeds0_1.log", "train/normal/seeds0.log"):
        assert "epoch    20/20" in (res / "logs" / log).read_text()
    assert (res / "benchmarks" / "train" / "normal" / "seeds0.tsv").exists()


def test_nothing_to_do_after_a_complete_run(tiny_run):
    workdir, config = tiny_run
    out = snakemake(workdir, "-n", configfile=config)
    assert scheduled_jobs(out.stdout + out.stderr) == {}


def test_a_plot_setting_reruns_plot_jobs_only(tiny_run):
    workdir, _ = tiny_run
    config = write_config(workdir / "dpi.yaml", edited(TINY, **{"plots.dpi": 61, "plots.kde_bw_adjust": 0.7}))
    out = snakemake(workdir, "-n", configfile=config)
    jobs = scheduled_jobs(out.stdout + out.stderr)
    assert set(jobs) - {"all"} == {"plot_run", "dashboard", "comparison"}, jobs
    assert jobs["plot_run"] == len(RUNS)


def test_a_learning_rate_reruns_only_that_experiment(tiny_run):
    workdir, _ = tiny_run
    config = write_config(
        workdir / "lr.yaml", edited(TINY, **{"experiments.normal.generator.optimizer.learning_rate": 0.001})
    )
    out = snakemake(workdir, "-n", configfile=config)
    text = out.stdout + out.stderr
    jobs = scheduled_jobs(text)
    # normal's two seeds train alone (group size 1); two_normals is untouched.
    assert {"train_normal_seeds0": 1, "train_normal_seeds1": 1}.items() <= jobs.items(), jobs
    assert not any(rule.startswith("train_two_normals") for rule in jobs)
    assert {"sample_normal_seeds0": 1, "sample_normal_seeds1": 1}.items() <= jobs.items(), jobs
    assert jobs.get("plot_run") == 2 and jobs.get("evaluate") == 2
    assert not any(rule.startswith("sample_two_normals") for rule in jobs)
    assert "data" not in jobs and "heldout" not in jobs
    assert "wildcards: experiment=two_normals" not in text


def test_a_dataset_edit_reruns_what_depends_on_it(tiny_run):
    workdir, _ = tiny_run
    config = write_config(workdir / "data.yaml", edited(TINY, **{"datasets.normal.seed": 1}))
    out = snakemake(workdir, "-n", configfile=config)
    text = out.stdout + out.stderr
    jobs = scheduled_jobs(text)
    assert jobs.get("data") == 1 and jobs.get("heldout") == 1
    assert {"train_normal_seeds0", "train_normal_seeds1"} <= set(jobs)
    assert not any(rule.startswith("train_two_normals") for rule in jobs)


def test_same_config_gives_byte_identical_data(tiny_run, tmp_path):
    workdir, config = tiny_run
    other = tmp_path / "again"
    other.mkdir()
    snakemake(other, "--cores", "1", "results/data/two_normals.npy", "results/heldout/two_normals/a.npy",
              configfile=config)
    for rel in ("data/two_normals.npy", "data/two_normals.json", "heldout/two_normals/a.npy"):
        assert (other / "results" / rel).read_bytes() == (workdir / "results" / rel).read_bytes()


def test_a_new_seed_and_experiment_recompute_only_what_is_new(tiny_run):
    workdir, _ = tiny_run
    cfg = edited(TINY, **{"experiments.normal.seeds": [0, 1, 2]})
    cfg["experiments"]["normal_lsgan"] = edited(TINY["experiments"]["normal"], **{"loss.name": "lsgan", "seeds": [0]})
    out = snakemake(workdir, "-n", configfile=write_config(workdir / "more.yaml", cfg))
    jobs = scheduled_jobs(out.stdout + out.stderr)
    assert {rule for rule in jobs if rule.startswith(("train_", "sample_"))} == {
        "train_normal_seeds2", "sample_normal_seeds2", "train_normal_lsgan_seeds0", "sample_normal_lsgan_seeds0"}
    assert jobs["evaluate"] == 2 and jobs["plot_run"] == 2
    assert jobs["aggregate"] == 1 and jobs["dashboard"] == 2  # normal's and normal_lsgan's
    assert "data" not in jobs and "heldout" not in jobs
