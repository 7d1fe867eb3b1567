"""End to end: the tiny config through the Snakemake CLI, its outputs, and what a rerun touches."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from toygan.evaluation.verdict import VERDICTS
from workflow_helpers import copy_workflow, edited, scheduled_jobs, snakemake, tiny_config, write_config

# What a finished, finite run can be judged (diverged and failed are statuses, not judgements).
JUDGED = tuple(v for v in VERDICTS if v not in ("diverged", "failed"))

TINY = tiny_config()
RUNS = [(exp, seed) for exp, e in TINY["experiments"].items() for seed in e["seeds"]]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tiny")
    copy_workflow(workdir)  # its own copy: the code-edit tests change it
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
        assert np.load(samples / "eval_samples.npy").shape == (TINY["evaluation"]["truth_samples"], 1)
        d_real = np.load(samples / "d_real.npy")
        assert d_real.shape == (n_real,) and ((d_real >= 0) & (d_real <= 1)).all()
        metrics = json.loads((res / "metrics" / exp / f"seed{seed}" / "metrics.json").read_text())
        assert metrics["status"] == "ok" and metrics["w1"] > 0 and metrics["w1_floor"] > 0
        assert metrics["floor_pairs"] == 5 and metrics["w1_floor_sd"] > 0 and metrics["w1_z"] is not None
        assert metrics["w1_truth"] > 0 and metrics["n_truth"] == TINY["evaluation"]["truth_samples"]
        assert metrics["verdict"] in JUDGED and metrics["verdict_reason"]
        assert 0 <= metrics["precision"] <= 1 and 0 < metrics["recall_floor"] <= 1 and metrics["recall_floor_sd"] is not None
        assert metrics["width_ratio_min"] is not None and len(metrics["mode_width_ratio"]) == metrics["n_modes"]
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
    assert (by_exp[[f"n_{v}" for v in JUDGED]].sum(axis=1) == 2).all()
    assert set(table.verdict) <= set(JUDGED)
    for name in TINY["datasets"]:
        floor = json.loads((res / "heldout" / name / "floor.json").read_text())
        assert floor["pairs"] == 5 and len(floor["metrics"]["w1"]["values"]) == 5
        assert json.loads((res / "heldout" / name / "modes.json").read_text())["source"] == "known"
    assert not list(res.glob("checkpoints/**/*.npz")), "finished runs leave no checkpoint"
    for log in ("train/two_normals/seeds0_1.log", "train/normal/seeds0.log"):
        assert "epoch    20/20" in (res / "logs" / log).read_text()
    assert (res / "benchmarks" / "train" / "normal" / "seeds0.tsv").exists()


def test_nothing_to_do_after_a_complete_run(tiny_run):
    workdir, config = tiny_run
    out = snakemake(workdir, "-n", configfile=config)
    assert scheduled_jobs(out.stdout + out.stderr) == {}


def dry_run_jobs(workdir, cfg: dict | str, name: str):
    """Rule -> job count of a dry run with ``cfg`` (a dict, or YAML text written as is)."""
    path = workdir / name
    write_config(path, cfg) if isinstance(cfg, dict) else path.write_text(cfg)
    out = snakemake(workdir, "-n", configfile=path)
    return scheduled_jobs(out.stdout + out.stderr)


def test_sorted_keys_give_nothing_to_do(tiny_run):
    workdir, _ = tiny_run
    assert dry_run_jobs(workdir, yaml.safe_dump(TINY, sort_keys=True), "sorted.yaml") == {}


def test_block_style_and_other_number_spellings_give_nothing_to_do(tiny_run):
    workdir, _ = tiny_run
    text = yaml.safe_dump(TINY, sort_keys=False, default_flow_style=False)
    assert "{" not in text and "learning_rate: 0.0005" in text and "- 4.0" in text
    text = text.replace("learning_rate: 0.0005", "learning_rate: 5e-4").replace("- 4.0", "- 4")
    assert dry_run_jobs(workdir, text, "block.yaml") == {}


def test_a_plot_setting_redraws_only_the_figures_that_read_it(tiny_run):
    workdir, _ = tiny_run
    static = {"plot_run": len(RUNS), "dashboard": len(TINY["experiments"]), "comparison": 1, "all": 1}
    assert dry_run_jobs(workdir, edited(TINY, **{"plots.dpi": 61}), "dpi.yaml") == static
    gifs = {"animate": len(RUNS), "all": 1}
    assert dry_run_jobs(workdir, edited(TINY, **{"plots.animation_fps": 3}), "fps.yaml") == gifs
    kde = {**static, **gifs}
    del kde["comparison"]  # the comparison draws no density
    assert dry_run_jobs(workdir, edited(TINY, **{"plots.kde_bw_adjust": 0.7}), "kde.yaml") == kde


@contextmanager
def edited_code(path):
    """Append a comment to ``path``; restore its content and mtime afterwards."""
    before, stat = path.read_text(), path.stat()
    path.write_text(before + "\n# an edit\n")
    try:
        yield
    finally:
        path.write_text(before)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_edit_to_the_plotting_code_redraws_the_figures(tiny_run):
    workdir, config = tiny_run
    with edited_code(workdir / "workflow" / "toygan" / "plots" / "runs.py"):
        out = snakemake(workdir, "-n", configfile=config)
    figures = {"plot_run": len(RUNS), "animate": len(RUNS), "dashboard": len(TINY["experiments"]), "comparison": 1}
    assert scheduled_jobs(out.stdout + out.stderr) == {**figures, "all": 1}
    # Only a new mtime, same content: Snakemake's input checksum says nothing changed.
    (workdir / "workflow" / "toygan" / "plots" / "runs.py").touch()
    out = snakemake(workdir, "-n", configfile=config)
    assert scheduled_jobs(out.stdout + out.stderr) == {}


def test_an_edit_to_the_scoring_code_rescores_and_warns_about_training(tiny_run):
    workdir, config = tiny_run
    with edited_code(workdir / "workflow" / "toygan" / "evaluation" / "metrics.py"):  # W1 during training uses it too
        out = snakemake(workdir, "-n", configfile=config)
    jobs = scheduled_jobs(out.stdout + out.stderr)
    assert jobs.pop("evaluate") == len(RUNS) and not any(r.startswith(("train_", "sample_")) for r in jobs), jobs
    # reference (floors, modes) imports metrics too
    assert set(jobs) == {"reference", "aggregate", "dashboard", "comparison", "all"}
    assert "older than workflow/toygan/evaluation/metrics.py" in out.stdout + out.stderr


def test_an_edit_to_the_training_code_warns_and_retrains_nothing(tiny_run):
    workdir, config = tiny_run
    with edited_code(workdir / "workflow" / "toygan" / "training" / "group.py"):
        out = snakemake(workdir, "-n", configfile=config)
    text = out.stdout + out.stderr
    assert scheduled_jobs(text) == {}
    groups = ["train_normal_seeds0", "train_normal_seeds1", "train_two_normals_seeds0_1"]
    for rule in groups:
        assert f"  {rule}: " in text
    assert "older than workflow/toygan/training/group.py" in text
    assert f"snakemake --cores all --forcerun {' '.join(groups)}" in text
    assert "  sample_" not in text  # the sampling code is unchanged
    out = snakemake(workdir, "-n", configfile=config)  # content and mtime restored
    assert "older than" not in out.stdout + out.stderr


def test_jobs_import_the_package_beside_their_snakefile(tiny_run, tmp_path):
    workdir, config = tiny_run
    copy_workflow(tmp_path)
    logs = tmp_path / "workflow" / "toygan" / "logs.py"
    logs.write_text(logs.read_text().replace("    return logger\n", '    logger.info("toygan of the copy")\n    return logger\n'))
    # The environment of the first copy, as `pip install -e` of it would make it.
    env = {**os.environ, "PYTHONPATH": str(workdir / "workflow")}
    snakemake(tmp_path, "--cores", "1", "results/data/normal.npy", configfile=config, env=env)
    assert "toygan of the copy" in (tmp_path / "results" / "logs" / "data" / "normal.log").read_text()


def test_a_rule_without_its_code_input_is_refused(tmp_path):
    copy_workflow(tmp_path)
    rules = tmp_path / "workflow" / "rules" / "summary.smk"
    rules.write_text(rules.read_text().replace('        code=code_of("comparison.py"),\n', ""))
    config = write_config(tmp_path / "tiny.yaml", TINY)
    out = snakemake(tmp_path, "-n", configfile=config, check=False)
    assert out.returncode != 0
    assert "rule comparison runs comparison.py but does not declare input code=code_of('comparison.py')" in out.stdout


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
    assert "data" not in jobs and "heldout" not in jobs and "reference" not in jobs
    assert "wildcards: experiment=two_normals" not in text


def test_a_dataset_edit_reruns_what_depends_on_it(tiny_run):
    workdir, _ = tiny_run
    config = write_config(workdir / "data.yaml", edited(TINY, **{"datasets.normal.seed": 1}))
    out = snakemake(workdir, "-n", configfile=config)
    text = out.stdout + out.stderr
    jobs = scheduled_jobs(text)
    assert jobs.get("data") == 1 and jobs.get("heldout") == 1 and jobs.get("reference") == 1
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
    assert jobs["evaluate"] == 2 and jobs["plot_run"] == 2 and jobs["animate"] == 2
    assert jobs["aggregate"] == 1 and jobs["dashboard"] == 2  # normal's and normal_lsgan's
    assert "data" not in jobs and "heldout" not in jobs and "reference" not in jobs


def test_a_verdict_threshold_re_evaluates_without_retraining(tiny_run):
    workdir, _ = tiny_run
    config = write_config(workdir / "thr.yaml", edited(TINY, **{"evaluation.collapse_mass_ratio": 0.3}))
    jobs = scheduled_jobs(snakemake(workdir, "-n", configfile=config).stdout)
    assert jobs.get("evaluate") == len(RUNS), jobs
    assert not any(rule.startswith(("train_", "sample_")) for rule in jobs), jobs
    assert "reference" not in jobs and "heldout" not in jobs


def test_a_rejection_row_samples_a_trained_experiment_without_training_it(tiny_run):
    workdir, _ = tiny_run
    cfg = {**TINY, "rejection": {"normal_drs": {"of": "normal", "steps": 50, "pool": 2000, "hidden": [16],
                                               "fourier_features": 8, "percentile": 50}}}
    config = write_config(workdir / "drs.yaml", cfg)
    jobs = scheduled_jobs(snakemake(workdir, "-n", configfile=config).stdout)
    assert not any(rule.startswith("train_") for rule in jobs), jobs
    assert {r for r in jobs if r.startswith(("rejection_", "sample_"))} == {
        "rejection_normal_drs_seeds0", "rejection_normal_drs_seeds1", "sample_normal_drs_seeds0",
        "sample_normal_drs_seeds1"}, jobs
    targets = [f"results/metrics/normal_drs/seed{s}/metrics.json" for s in (0, 1)]
    snakemake(workdir, "--cores", "2", *targets, configfile=config)  # targets after an option: not configfiles
    for seed in (0, 1):
        metrics = json.loads((workdir / targets[seed]).read_text())
        run = json.loads((workdir / f"results/models/normal_drs/seed{seed}/run.json").read_text())
        trained = json.loads((workdir / f"results/models/normal/seed{seed}/run.json").read_text())
        assert metrics["experiment"] == run["experiment"] == "normal_drs"
        assert run["rejection"]["of"] == "normal" and run["d_output"] == "probability"
        assert run["group_wall_seconds"] == trained["group_wall_seconds"]  # the experiment's training
        same_g = [(workdir / f"results/models/{e}/seed{seed}/generator.keras").read_bytes() for e in ("normal", "normal_drs")]
        assert same_g[0] == same_g[1]
    log = (workdir / "results/logs/sample/normal_drs/seeds0.log").read_text()
    assert "rejection: kept" in log
