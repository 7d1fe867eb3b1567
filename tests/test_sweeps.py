"""Sweeps: expansion into experiments, names, errors naming sweep/key/value, which replicas
share a job, the per-sweep table and figure. Fast: no TensorFlow, dry runs at most."""

from __future__ import annotations

import copy
import itertools
import json
import os

import numpy as np
import pytest
import yaml
from PIL import Image

from toygan.config import scalars
from toygan.sweeps import grid, ranking
from toygan.sweeps import jobs as sweep_jobs
from toygan.config.validate import ConfigError, validate_config
from toygan.plots import sweep_figure

from conftest import REPO
from workflow_helpers import scheduled_jobs, snakemake, tiny_config, write_config

LR = {"generator.optimizer.learning_rate": [0.0005, 0.001],
      "discriminator.optimizer.learning_rate": [0.001, 0.002]}


def with_sweep(**spec) -> dict:
    cfg = tiny_config()
    cfg["sweeps"] = {"s": {"base": "two_normals", **spec}}
    return cfg


def problems(cfg) -> str:
    with pytest.raises(ConfigError) as info:
        validate_config(cfg)
    return str(info.value)


# ----- expansion and names -----------------------------------------------------------------
def test_grid_times_zip_expands_into_validated_experiments():
    cfg = validate_config(with_sweep(grid={"loss.real_label": [0.9, 1.0]}, zip=LR,
                                     labels={"generator.optimizer.learning_rate": "g_lr",
                                             "discriminator.optimizer.learning_rate": "d_lr"}))
    points = cfg["sweeps"]["s"]["points"]
    assert list(points) == [
        "s__real_label_0p9__g_lr_0p0005__d_lr_0p001",
        "s__real_label_0p9__g_lr_0p001__d_lr_0p002",
        "s__real_label_1p0__g_lr_0p0005__d_lr_0p001",
        "s__real_label_1p0__g_lr_0p001__d_lr_0p002",
    ]
    base = cfg["experiments"]["two_normals"]
    for name, values in points.items():
        exp = cfg["experiments"][name]
        for key, value in values.items():
            assert scalars.get(exp, key) == value
        # everything else is the base's, default-filled like any experiment
        assert scalars.structure(exp) == scalars.structure(base)
        assert exp["loss"]["fake_label"] == base["loss"]["fake_label"] and exp["seeds"] == base["seeds"]


def test_default_labels_and_value_formats():
    assert grid.key_labels(list(LR) + ["loss.real_label"]) == {
        "generator.optimizer.learning_rate": "go_learning_rate",
        "discriminator.optimizer.learning_rate": "do_learning_rate",
        "loss.real_label": "real_label",
    }
    assert [grid.format_value(v) for v in (0.0005, 1e-05, -1.5, 3, True, [64, 64], "adam", None)] == [
        "0p0005", "1em05", "m1p5", "3", "true", "64x64", "adam", "none"]


def test_inline_base_and_validate_twice_is_the_same():
    base = copy.deepcopy(tiny_config()["experiments"]["two_normals"])
    cfg = tiny_config()
    cfg["sweeps"] = {"inline": {"base": base, "grid": {"training.pack": [1, 2]}}}
    once = validate_config(cfg)
    assert {"inline__pack_1", "inline__pack_2"} <= set(once["experiments"])
    assert validate_config(copy.deepcopy(once)) == once  # jobs validate the validated config again


# ----- errors, before any job ---------------------------------------------------------------
@pytest.mark.parametrize("spec, expected", [
    ({"grid": {"loss.real_lable": [0.9]}},
     ["sweeps.s.grid: unknown key 'loss.real_lable'", "did you mean loss.real_label"]),
    ({"grid": {"loss.real_label": [0.9, 1.5]}},
     ["sweeps.s.grid.loss.real_label: value 1.5 is rejected", "maximum"]),
    ({"grid": {"loss.name": ["bce_smoothed", "wgan"]}},
     ["sweeps.s.grid.loss.name: value 'wgan' is rejected"]),
    ({"zip": {"generator.optimizer.learning_rate": [0.1, 0.2], "discriminator.optimizer.learning_rate": [0.1]}},
     ["sweeps.s.zip: the keys vary together"]),
    ({"grid": {"seeds": [[0], [1]]}}, ["sweeps.s.grid: key 'seeds' cannot be swept"]),
    ({"grid": {"loss.real_label": [0.9, 0.9]}}, ["sweeps.s: key 'loss.real_label' lists the value 0.9 twice"]),
    ({"grid": {"loss.real_label": [0.9]}, "labels": {"loss.fake_label": "f"}}, ["sweeps.s.labels: 'loss.fake_label'"]),
    ({"zip": {"loss.real_label": [0.9, 0.9], "loss.fake_label": [0.1, 0.1]}},
     ["sweeps.s.zip: the point (loss.real_label=0.9, loss.fake_label=0.1) is listed twice"]),
    ({"grid": {}}, ["sweeps.s: sweeps nothing"]),
])
def test_bad_sweeps_name_sweep_key_and_value(spec, expected):
    msg = problems(with_sweep(**spec))
    for text in expected:
        assert text in msg, msg


def test_a_zipped_key_may_repeat_a_value():
    cfg = validate_config(with_sweep(zip={"loss.real_label": [0.9, 0.9, 1.0], "loss.fake_label": [0.0, 0.1, 0.1]}))
    assert sorted(cfg["sweeps"]["s"]["points"]) == [
        "s__real_label_0p9__fake_label_0p0", "s__real_label_0p9__fake_label_0p1", "s__real_label_1p0__fake_label_0p1"]


def test_unknown_base_and_semantic_problem_of_a_point():
    cfg = with_sweep(grid={"loss.real_label": [0.9]})
    cfg["sweeps"]["s"]["base"] = "two_normal"
    assert "sweeps.s.base: unknown experiment 'two_normal' (did you mean two_normals?)" in problems(cfg)
    # real_label == fake_label (0.1) is only wrong for one point: that point and value are named
    msg = problems(with_sweep(grid={"loss.real_label": [0.9, 0.1]}))
    assert "sweeps.s point s__real_label_0p1 (loss.real_label=0.1): loss: real_label and fake_label must differ" in msg
    assert "0p9" not in msg


# ----- which replicas share a job -----------------------------------------------------------
def test_train_jobs_batch_new_replicas_and_leave_finished_ones_alone():
    cfg = validate_config(with_sweep(grid={"loss.real_label": [0.8, 0.9, 1.0], "training.pack": [1, 2]},
                                     replicas_per_job=3))
    points = list(cfg["sweeps"]["s"]["points"])
    jobs = sweep_jobs.train_jobs(cfg, "s", lambda p, s: False)
    # 6 points x 2 seeds; pack is structure: two groups of 6 replicas, 3 per job
    assert [len(j.replicas) for j in jobs] == [3, 3, 3, 3]
    # a batch keeps its name when other batches finish (a cluster job parses the Snakefile again)
    finished = set(jobs[1].replicas)
    later = sweep_jobs.train_jobs(cfg, "s", lambda p, s: (p, s) in finished)
    assert {j.label: j.replicas for j in later if "_batch_" in j.label} == {j.label: j.replicas for j in jobs if j is not jobs[1]}
    for job in jobs:
        assert len({cfg["experiments"][p]["training"]["pack"] for p, _ in job.replicas}) == 1
    done = {(points[0], 0), (points[0], 1), (points[3], 1)}
    jobs = sweep_jobs.train_jobs(cfg, "s", lambda p, s: (p, s) in done)
    # finished replicas share jobs only among themselves (whatever their structure)
    assert jobs[0].replicas == [(points[0], 0), (points[0], 1), (points[3], 1)] and jobs[0].label.startswith("s_done_")
    assert all(not done & set(j.replicas) for j in jobs[1:])
    assert sum(len(j.replicas) for j in jobs) == 12
    # the params of every job: equal for all points, whatever job they are in
    keys = grid.swept_keys(cfg["sweeps"]["s"])
    shared = {json.dumps(sweep_jobs.shared_settings(cfg["experiments"][p], keys), sort_keys=True) for p in points}
    assert len(shared) == 1


def test_outputs_current(tmp_path):
    run = tmp_path / "run.json"
    other = tmp_path / "generator.keras"
    other.write_text("x")
    run.write_text(json.dumps({"settings_sha256": "abc"}))
    paths = [str(other), str(run)]
    assert sweep_jobs.outputs_current(paths, stamp="abc")
    assert not sweep_jobs.outputs_current(paths, stamp="abd")
    assert not sweep_jobs.outputs_current(paths + [str(tmp_path / "missing")], stamp="abc")
    newer = tmp_path / "train.py"
    newer.write_text("")
    os.utime(newer, (other.stat().st_mtime + 10,) * 2)
    assert not sweep_jobs.outputs_current(paths, stamp="abc", newer_than=[newer])


def test_dry_run_batches_a_sweep(tmp_path):
    cfg = with_sweep(grid={"loss.real_label": [0.8, 0.9, 1.0]}, zip=LR, replicas_per_job=5)
    jobs = scheduled_jobs(snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg)).stdout)
    train = {k: v for k, v in jobs.items() if k.startswith("train_s_")}
    assert len(train) == 3 and all(k.startswith("train_s_batch_") for k in train)  # 12 replicas, 5 a job
    # sampling and scoring: one job per train job, each of them for several replicas
    runs = {k: v for k, v in jobs.items() if k.startswith("runs_s_")}
    assert sorted(k.removeprefix("runs_") for k in runs) == sorted(k.removeprefix("train_") for k in train)
    assert not any(k.startswith("sample_s__") for k in jobs)
    assert jobs["sweep_summary"] == 1 and jobs["evaluate"] == 4  # the tiny config's own runs only
    # per-run figures of the points wait for the ranking (a checkpoint): only the tiny config's
    # two experiments' (2 x 2 runs, 2 dashboards) are scheduled before it
    assert jobs["plot_run"] == 4 and jobs["animate"] == 4 and jobs["dashboard"] == 2
    assert "point_figures_s" not in jobs


@pytest.mark.slow  # a sweep run end to end with every figure
def test_figures_all_draws_every_point_and_named_points_must_exist(tmp_path):
    cfg = with_sweep(grid={"loss.real_label": [0.8, 0.9, 1.0]}, zip=LR, figures={"all": True})
    jobs = scheduled_jobs(snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg)).stdout)
    # no ranking to wait for: every point's figures are planned at once, one job a point; the
    # tiny config's own 2 experiments keep a job per run (4) and per dashboard
    assert jobs["point_figures_s"] == 6
    assert jobs["plot_run"] == 4 and jobs["animate"] == 4 and jobs["dashboard"] == 2
    cfg["sweeps"]["s"]["figures"] = {"points": ["s__real_label_0p7__go_learning_rate_0p0005__do_learning_rate_0p001"]}
    out = snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg), check=False)
    assert out.returncode != 0
    assert "sweeps.s.figures.points: 's__real_label_0p7__go_learning_rate_0p0005__do_learning_rate_0p001' is not a point" in out.stdout + out.stderr


def test_batches_group_by_structure_like_scalars_structure():
    """Points share a structure computed once per signature of their swept values: the same
    grouping as scalars.structure of every point (a switch's zero is structure)."""
    cfg = validate_config(with_sweep(grid={"loss.r1_gamma": [0.0, 1.0, 2.0], "training.pack": [1, 2],
                                           "loss.real_label": [0.8, 1.0]}, replicas_per_job=100))
    points = cfg["sweeps"]["s"]["points"]
    replicas = [(p, s) for p in points for s in cfg["experiments"][p]["seeds"]]
    expected = {}
    for p, s in replicas:
        key = json.dumps(scalars.structure(sweep_jobs.shared_settings(cfg["experiments"][p], ())), sort_keys=True)
        expected.setdefault(key, []).append((p, s))
    assert [j.replicas for j in sweep_jobs.batches(cfg, "s", replicas)] == list(expected.values())
    assert len(expected) == 4  # r1_gamma off / on x pack 1 / 2


def test_run_jobs_keep_their_replicas_when_points_are_added(tmp_path):
    cfg = validate_config(with_sweep(grid={"loss.real_label": [0.8, 0.9, 1.0]}, replicas_per_job=4))
    first = sweep_jobs.run_jobs(cfg, "s", {})
    # before anything ran: the same replicas per job as training
    assert [j.replicas for j in first] == [j.replicas for j in sweep_jobs.train_jobs(cfg, "s", lambda p, s: False)]
    for job in first:
        sweep_jobs.write_manifest(tmp_path / f"{job.label}.json", job.replicas)
    manifests = sweep_jobs.read_manifests(tmp_path)
    assert manifests == {j.label: j.replicas for j in first}
    # one value more: the jobs that ran come back as they were; the new point's replicas batch anew
    bigger = validate_config(with_sweep(grid={"loss.real_label": [0.7, 0.8, 0.9, 1.0]}, replicas_per_job=4))
    later = sweep_jobs.run_jobs(bigger, "s", manifests)
    assert later[: len(first)] == first
    new = [r for j in later[len(first) :] for r in j.replicas]
    assert {p for p, _ in new} == {p for p in bigger["sweeps"]["s"]["points"] if "0p7" in p}
    # a value fewer: jobs that held its replicas give the others back; no replica twice
    smaller = validate_config(with_sweep(grid={"loss.real_label": [0.8, 1.0]}, replicas_per_job=4))
    fewer = sweep_jobs.run_jobs(smaller, "s", manifests)
    replicas = [r for j in fewer for r in j.replicas]
    assert sorted(replicas) == sorted((p, s) for p in smaller["sweeps"]["s"]["points"] for s in (0, 1))
    assert all(j in first or not any("0p9" in p for p, _ in j.replicas) for j in fewer)
    # a manifest that cannot be read is ignored, its replicas batched again
    (tmp_path / f"{first[0].label}.json").write_text("{")
    assert first[0].label not in sweep_jobs.read_manifests(tmp_path)


def test_drawn_points_are_the_best_and_worst_ranked(tmp_path):
    records = _records(["a", "b", "c", "d"])
    records += [{"experiment": "e", "dataset": "d", "seed": s, "status": "failed", "w1_ratio": float("nan"),
                 "ks_stat": 0.0, "verdict": "failed"} for s in (0, 1, 2)]
    points = {p: {"x": i} for i, p in enumerate("abcde")}
    path = tmp_path / "s.tsv"
    ranking.write(ranking.sweep_table(records, points, "w1_ratio"), path)
    assert sweep_jobs.drawn_points(path, 1, 1) == ["a", "d"]  # e has no rank: neither best nor worst
    assert sweep_jobs.drawn_points(path, 2, 0) == ["a", "b"]
    assert sweep_jobs.drawn_points(path, 3, 3) == ["a", "b", "c", "d"]
    assert sweep_jobs.drawn_points(path, 0, 0) == []


# ----- table and figure ---------------------------------------------------------------------
def _records(points, seeds=(0, 1, 2)):
    rng = np.random.default_rng(0)
    out = []
    for i, name in enumerate(points):
        for s in seeds:
            out.append({"experiment": name, "dataset": "d", "seed": s, "status": "ok",
                        "w1_ratio": 1.0 + i + 0.1 * rng.standard_normal(), "ks_stat": 0.1 * i,
                        "verdict": "ok" if s else "mode_collapse"})
    return out


def test_sweep_table_ranks_points_and_counts_verdicts(tmp_path):
    points = {f"s__a_{a}__b_{b}": {"a": a, "b": b} for a in (1, 2) for b in ("x", "y")}
    records = _records(list(points)[::-1])  # the last point is best
    records[0]["w1_ratio"] = float("nan")
    table = ranking.sweep_table(records, points, "w1_ratio")
    assert list(table.columns[:4]) == ["rank", "point", "a", "b"]
    assert table["point"].iloc[0] == "s__a_2__b_y" and list(table["rank"]) == [1, 2, 3, 4]
    assert list(table["n_mode_collapse"]) == [1] * 4 and list(table["n_ok"]) == [2] * 4
    assert table.columns.get_loc("w1_ratio_mean") < table.columns.get_loc("ks_stat_mean")
    means = table["w1_ratio_mean"].to_numpy()
    assert (np.diff(means) > 0).all()
    best_first = ranking.sweep_table(records, points, "w1_ratio", higher_is_better=True)
    assert best_first["point"].iloc[0] == "s__a_1__b_x"
    with pytest.raises(ValueError, match="metric 'w1_truth' is not in"):
        ranking.sweep_table(records, points, "w1_truth")
    ranking.write(table, tmp_path / "t.tsv")
    assert (tmp_path / "t.tsv").read_text().startswith("rank\tpoint\ta\tb\tn_seeds")


@pytest.mark.parametrize("axes", [[["a"]], [["a"], ["b"]], [["a"], ["b"], ["c"]], [["b", "c"]]])
def test_sweep_figure(axes, tmp_path):
    keys = [k for ax in axes for k in ax]
    values = {"a": (0.1, 0.2, 0.4), "b": ("x", "y"), "c": (1, 2)}
    if axes == [["b", "c"]]:  # a zip group: b and c vary together
        combos = [dict(zip(("b", "c"), bc)) for bc in zip(values["b"], values["c"])]
    else:
        combos = [dict(zip(keys, vs)) for vs in itertools.product(*(values[k] for k in keys))]
    points = {"s__" + "__".join(f"{k}_{v}" for k, v in c.items()): c for c in combos}
    table = ranking.sweep_table(_records(list(points)), points, "w1_ratio")
    path = sweep_figure(table, list(points), axes, "w1_ratio", "t", tmp_path / "f.png",
                        {"dpi": 40, "figsize": [4.0, 3.0]})
    with Image.open(path) as im:
        im.verify()


@pytest.mark.parametrize("higher_is_better", [False, True])
def test_two_axis_heatmap(higher_is_better):
    """A 2-axis sweep's heatmap: a cell per point at (first axis along x, second along y)
    holding the mean over seeds, annotated mean ± s.e., the swept keys on the axes, the best
    cell outlined, and brighter (viridis' yellow end) always the better end of the scale."""
    import matplotlib.pyplot as plt

    from toygan.plots.sweep_heatmap import BEST_COLOR, metric_heatmap

    points = {f"s__a_{a}__b_{b}": {"a": a, "b": b} for a in (0.1, 0.2, 0.4) for b in ("x", "y")}
    records = [{"experiment": p, "dataset": "d", "seed": seed, "status": "ok", "w1_ratio": 1.0 + 0.1 * i + 0.02 * seed}
               for i, p in enumerate(points) for seed in (0, 1, 2)]
    table = ranking.sweep_table(records, points, "w1_ratio", higher_is_better).set_index("point", drop=False)
    steps = [table["a"].astype(str), table["b"].astype(str)]
    orders = [["0.1", "0.2", "0.4"], ["x", "y"]]
    fig, ax = plt.subplots()
    best = table["point"].iloc[0]  # ranked best first
    image = metric_heatmap(ax, table, steps, orders, ["a", "b"], "w1_ratio", higher_is_better, best)
    cells = image.get_array()
    assert cells.shape == (2, 3)
    assert cells[1, 2] == pytest.approx(table.loc["s__a_0.4__b_y", "w1_ratio_mean"])
    assert cells[0, 0] == pytest.approx(1.02)  # a 0.1, b x: mean of 1.00, 1.02, 1.04
    texts = [t.get_text() for t in ax.texts]
    assert "1.02\n± 0.012" in texts and len(texts) == 6
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")
    assert [t.get_text() for t in ax.get_xticklabels()] == orders[0]
    outline = [p for p in ax.patches if p.get_edgecolor()[:3] == plt.matplotlib.colors.to_rgb(BEST_COLOR)]
    where = (orders[0].index(str(points[best]["a"])) - 0.5, orders[1].index(points[best]["b"]) - 0.5)
    assert len(outline) == 1 and outline[0].get_xy() == where
    # the best cell is drawn at the bright (yellow) end of viridis, whichever way is better
    brightest = image.cmap(image.norm(table.loc[best, "w1_ratio_mean"]))
    assert brightest[0] > 0.9 and brightest[2] < 0.3
    plt.close(fig)


def test_example_sweep_validates():
    cfg = validate_config(yaml.safe_load((REPO / "workflow" / "examples" / "sweep_two_normals.yaml").read_text()))
    assert len(cfg["sweeps"]["lr_smoothing"]["points"]) == 9


# ----- end to end: adding or removing a value ------------------------------------------------
@pytest.mark.slow
def test_adding_a_value_runs_only_the_new_points(tmp_path):
    cfg = with_sweep(grid={"loss.real_label": [0.8, 1.0]}, zip=LR)
    cfg["experiments"]["two_normals"]["seeds"] = [0, 1]
    snakemake(tmp_path, "--cores", "2", configfile=write_config(tmp_path / "c.yaml", cfg))
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "results" / "models").rglob("run.json")}
    cfg["sweeps"]["s"]["grid"]["loss.real_label"] = [0.8, 0.9, 1.0]
    new = [(p, s) for p in validate_config(copy.deepcopy(cfg))["sweeps"]["s"]["points"] if "0p9" in p for s in (0, 1)]
    jobs = scheduled_jobs(snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg)).stdout)
    # 2 new points x 2 seeds: one batched train job, one job samples and scores them, the summaries
    assert [k for k in jobs if k.startswith("train_")] == [f"train_s_batch_{sweep_jobs._digest(new)}"]
    assert [k for k in jobs if k.startswith("runs_")] == [f"runs_s_batch_{sweep_jobs._digest(new)}"]
    assert not any(k.startswith("sample_") for k in jobs) and jobs.get("evaluate", 0) == 0
    metrics_before = {p: p.stat().st_mtime_ns for p in (tmp_path / "results" / "metrics").rglob("metrics.json")}
    snakemake(tmp_path, "--cores", "2", configfile=write_config(tmp_path / "c.yaml", cfg))
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())  # finished points untouched
    assert all(p.stat().st_mtime_ns == t for p, t in metrics_before.items())
    # every run has its samples and metrics; figures only for the best and the worst point
    points = validate_config(copy.deepcopy(cfg))["sweeps"]["s"]["points"]
    for p in points:
        for seed in (0, 1):
            assert (tmp_path / "results" / "samples" / p / f"seed{seed}" / "samples.npy").exists()
            assert (tmp_path / "results" / "metrics" / p / f"seed{seed}" / "metrics.json").exists()
    drawn = {p for p in points if (tmp_path / "results" / "figures" / p / "dashboard.png").exists()}
    ranked = [line.split("\t")[1] for line in (tmp_path / "results" / "summary" / "sweeps" / "s.tsv").read_text().splitlines()[1:]]
    assert drawn == {ranked[0], ranked[-1]}
    # a drawn point's one figure job drew every seed's figures and animation
    names = ["density.png", "d_output.png", "decision.png", "losses.png", "training.gif", "training.html"]
    assert all((tmp_path / "results" / "figures" / p / f"seed{seed}" / name).stat().st_size > 0
               for p in drawn for seed in (0, 1) for name in names)
    assert not any((tmp_path / "results" / "figures" / p).exists() for p in set(points) - drawn)
    _same_as_per_run_scripts(tmp_path, cfg, new[0])
    table = (tmp_path / "results" / "summary" / "sweeps" / "s.tsv").read_text().splitlines()
    assert len(table) == 1 + 6
    # nothing left to do, and removing a value trains nothing
    out = snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg))
    assert "Nothing to be done" in out.stdout + out.stderr
    cfg["sweeps"]["s"]["grid"]["loss.real_label"] = [0.8, 1.0]
    jobs = scheduled_jobs(snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg)).stdout)
    assert not any(k.startswith(("train_", "sample_", "evaluate", "runs_")) for k in jobs), jobs
    # a base setting that is not swept reruns every point, batched again
    cfg["experiments"]["two_normals"]["loss"] = {"fake_label": 0.2}
    full = validate_config(copy.deepcopy(cfg))
    everything = [(p, s) for p in full["sweeps"]["s"]["points"] for s in (0, 1)]
    jobs = scheduled_jobs(snakemake(tmp_path, "-n", configfile=write_config(tmp_path / "c.yaml", cfg)).stdout)
    assert [k for k in jobs if k.startswith("train_s_")] == [f"train_s_batch_{sweep_jobs._digest(everything)}"]


def _same_as_per_run_scripts(workdir, cfg, replica):
    """One replica's files from its sweep's batched job equal what the per-run sample and evaluate
    scripts write from the same model files (the layout every hand-written experiment has)."""
    import runpy
    from types import SimpleNamespace

    from snakemake.iocontainers import Namedlist

    full = validate_config(copy.deepcopy(cfg))
    point, seed = replica
    res = workdir / "results"
    models, samples = res / "models" / point / f"seed{seed}", res / "samples" / point / f"seed{seed}"
    dataset = full["experiments"][point]["dataset"]
    out = workdir / "per_run"
    out.mkdir()
    names = ("samples", "eval_samples", "d_real", "d_fake", "d_grid")
    files = {k: f"{k}.npz" if k == "d_grid" else f"{k}.npy" for k in names}

    def job(inputs, outputs, params):
        return SimpleNamespace(input=Namedlist(fromdict=inputs), output=Namedlist(fromdict=outputs),
                               params=Namedlist(fromdict=params), log=[str(out / "log")], config=full)

    sample_job = job({"generator": str(models / "generator.keras"), "discriminator": str(models / "discriminator.keras"),
                      "run": str(models / "run.json"), "data": str(res / "data" / f"{dataset}.npy")},
                     {k: [str(out / f)] for k, f in files.items()},
                     {"seeds": [seed], "experiment": full["experiments"][point], "n_eval": max(full["evaluation"]["n_samples"], full["evaluation"]["truth_samples"])})
    runpy.run_path(str(REPO / "workflow" / "scripts" / "sample.py"), {"snakemake": sample_job})
    for f in files.values():
        assert (out / f).read_bytes() == (samples / f).read_bytes(), f
    heldout = res / "heldout" / dataset
    eval_job = job({"eval_samples": str(out / "eval_samples.npy"), "run": str(models / "run.json"),
                    "a": str(heldout / "a.npy"), "floor": str(heldout / "floor.json"), "modes": str(heldout / "modes.json")},
                   {"metrics": str(out / "metrics.json")},
                   {"settings": full["evaluation"], "dataset": dataset, "spec": full["datasets"][dataset]})
    runpy.run_path(str(REPO / "workflow" / "scripts" / "evaluate.py"), {"snakemake": eval_job})
    batched = res / "metrics" / point / f"seed{seed}" / "metrics.json"
    assert (out / "metrics.json").read_bytes() == batched.read_bytes()
