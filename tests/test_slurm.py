"""The tiny config on a real single-node SLURM cluster (workflow/scripts/slurm/cluster-up.sh).

Checks that the SLURM profile gives the same results as a local run, that the jobs really
ran under SLURM (the cluster's job completion log), and that a job failing on the cluster
fails the Snakemake run. Needs root; without it (or without slurmctld) the tests are
skipped, except in CI (CI or TOYGAN_REQUIRE_SLURM set), where that is an error.

    .venv/bin/pytest -m slurm -s      # -s prints the local and SLURM wall times
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import workflow_helpers
from conftest import REPO
from workflow_helpers import scheduled_jobs, snakemake, tiny_config, write_config

pytestmark = pytest.mark.slurm

SCRIPTS = REPO / "workflow" / "scripts" / "slurm"
PROFILE = REPO / "workflow" / "profiles" / "slurm"
# Not the scripts' default state dir, so a cluster someone started by hand is left alone
# (cluster-up.sh refuses to start a second one: then stop that one first).
STATE = Path("/tmp/toygan-slurm-pytest")
REQUIRED = bool(os.environ.get("CI") or os.environ.get("TOYGAN_REQUIRE_SLURM"))
RUN_TIMEOUT = 1500  # seconds for one snakemake run; a stuck status poll is KILLed after it
SLURM_ARGS = [
    "--executor", "slurm",
    "--workflow-profile", str(PROFILE),
    "--slurm-init-seconds-before-status-checks", "5",
]
SUBMITTED = re.compile(r"submitted with SLURM jobid (\d+)")
# Per-job logs and benchmarks hold timings and timestamps, not results.
NOT_COMPARED = ("logs", "benchmarks")


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"SLURM test cluster unavailable: {reason}", pytrace=False)
    pytest.skip(f"SLURM test cluster unavailable: {reason}")


@pytest.fixture(scope="module")
def cluster():
    """A running single-node cluster for this module; torn down afterwards, also on failure."""
    if os.geteuid() != 0:
        _unavailable("cluster-up.sh must run as root (it starts munged, slurmctld and slurmd)")
    if not shutil.which("slurmctld") and not shutil.which("apt-get"):
        _unavailable("slurmctld is not installed and there is no apt-get to install slurm-wlm")
    up = subprocess.run(
        ["timeout", "-s", "KILL", "900", str(SCRIPTS / "cluster-up.sh"), str(STATE)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    if up.returncode != 0:
        _unavailable(f"cluster-up.sh exited {up.returncode}:\n{up.stderr[-4000:]}")
    conf = re.search(r"^export SLURM_CONF=(\S+)$", up.stdout, re.M)
    assert conf, up.stdout
    try:
        with pytest.MonkeyPatch.context() as mp:
            # Jobs inherit this environment: the config of our cluster, and the venv first on
            # PATH for anything that calls `python`.
            mp.setenv("SLURM_CONF", conf.group(1))
            mp.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
            # A snakemake stuck polling job status can ignore SIGTERM: KILL it at the limit.
            mp.setattr(
                workflow_helpers, "SNAKEMAKE",
                ["timeout", "-s", "KILL", str(RUN_TIMEOUT), *workflow_helpers.SNAKEMAKE],
            )
            yield STATE
    finally:
        subprocess.run([str(SCRIPTS / "cluster-down.sh"), str(STATE)], timeout=300, stdin=subprocess.DEVNULL)


def jobcomp_lines(state: Path) -> list[tuple[str, str]]:
    """(SLURM job id, final state) of each line of the cluster's job completion log."""
    log = state / "jobcomp.log"
    text = log.read_text() if log.exists() else ""
    return re.findall(r"\bJobId=(\d+)\b.*?\bJobState=(\S+)", text)


def jobcomp(state: Path) -> dict[str, str]:
    return dict(jobcomp_lines(state))


def wait_for_jobcomp(state: Path, ids: list[str], timeout: float = 30) -> dict[str, str]:
    """slurmctld writes a job's line when it completes; give it a moment after snakemake exits."""
    deadline = time.monotonic() + timeout
    while True:
        states = jobcomp(state)
        if set(ids) <= set(states) or time.monotonic() > deadline:
            return states
        time.sleep(1)


def timed_snakemake(workdir: Path, *args: str, **kwargs):
    start = time.monotonic()
    proc = snakemake(workdir, *args, timeout=RUN_TIMEOUT + 60, **kwargs)
    return proc, time.monotonic() - start


@pytest.fixture(scope="module")
def local_run(cluster, tmp_path_factory):
    """The tiny config run locally (needs no cluster; depends on it only to skip with it)."""
    workdir = tmp_path_factory.mktemp("tiny_local")
    config = write_config(workdir / "tiny.yaml", tiny_config())
    proc, seconds = timed_snakemake(workdir, "--cores", "2", configfile=config)
    return workdir, proc.stdout + proc.stderr, seconds


@pytest.fixture(scope="module")
def slurm_run(cluster, local_run, tmp_path_factory):
    """The tiny config through the SLURM profile (after the local run: they share 2 cores)."""
    workdir = tmp_path_factory.mktemp("tiny_slurm")
    config = write_config(workdir / "tiny.yaml", tiny_config())
    proc, seconds = timed_snakemake(workdir, *SLURM_ARGS, configfile=config)
    return workdir, proc.stdout + proc.stderr, seconds


def result_files(workdir: Path) -> set[str]:
    res = workdir / "results"
    return {
        str(p.relative_to(res))
        for p in res.rglob("*")
        if p.is_file() and p.relative_to(res).parts[0] not in NOT_COMPARED
    }


def assert_valid_like(path: Path, reference: Path):
    """path is a well-formed file of its kind, shaped like the local run's reference."""
    suffix = path.suffix
    if suffix == ".npy":
        a, b = np.load(path), np.load(reference)
        assert a.shape == b.shape and a.dtype == b.dtype and np.isfinite(a).all(), path
    elif suffix == ".npz":
        with np.load(path) as a, np.load(reference) as b:
            assert sorted(a.files) == sorted(b.files), path
            for key in a.files:
                assert a[key].shape == b[key].shape, (path, key)
    elif suffix == ".keras":
        import keras

        a = keras.models.load_model(path, compile=False)
        b = keras.models.load_model(reference, compile=False)
        assert a.input_shape == b.input_shape and a.output_shape == b.output_shape, path
    elif suffix in (".png", ".gif"):
        with Image.open(path) as a, Image.open(reference) as b:
            assert a.format == b.format and a.size == b.size, path
            assert getattr(a, "n_frames", 1) == getattr(b, "n_frames", 1), path
        with Image.open(path) as a:
            a.verify()
    elif suffix == ".json":
        assert json.loads(path.read_text()).keys() == json.loads(reference.read_text()).keys(), path
    elif suffix in (".csv", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        a, b = pd.read_csv(path, sep=sep), pd.read_csv(reference, sep=sep)
        assert list(a.columns) == list(b.columns) and len(a) == len(b), path
    elif suffix in (".txt", ".md"):
        assert path.read_text().strip(), path
    elif suffix == ".html":  # the report's page for the training GIF, which it embeds
        gif = base64.b64encode(path.with_suffix(".gif").read_bytes()).decode()
        assert f"data:image/gif;base64,{gif}" in path.read_text(), path
    else:
        raise AssertionError(f"no check for {path}: add one")


def assert_same_result(path: Path, reference: Path):
    """Training is deterministic, so the cluster reproduces the local run exactly; only the
    Keras archives (zip timestamps) and run.json (wall time) differ byte-wise."""
    if path.suffix == ".keras":
        import keras

        a = keras.models.load_model(path, compile=False).get_weights()
        b = keras.models.load_model(reference, compile=False).get_weights()
        assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b)), path
    elif path.name == "run.json":
        a, b = json.loads(path.read_text()), json.loads(reference.read_text())
        a.pop("group_wall_seconds"), b.pop("group_wall_seconds")
        assert a == b, path
    else:
        assert path.read_bytes() == reference.read_bytes(), path


def test_slurm_results_match_a_local_run(local_run, slurm_run):
    local, _, local_seconds = local_run
    remote, _, slurm_seconds = slurm_run
    files = result_files(remote)
    assert files == result_files(local)
    assert any(f.endswith(".keras") for f in files) and any(f.endswith(".gif") for f in files)
    for rel in sorted(files):
        assert_valid_like(remote / "results" / rel, local / "results" / rel)
    # The data are a pure function of the config: byte for byte the same on the cluster.
    data = [f for f in files if f.split("/")[0] in ("data", "heldout")]
    assert len(data) == 12  # 2 datasets x (npy + json, heldout a + b, reference floor + modes)
    for rel in data:
        assert (remote / "results" / rel).read_bytes() == (local / "results" / rel).read_bytes(), rel
    print(
        f"\n[slurm] tiny config wall time: local --cores 2 {local_seconds:.0f} s, "
        f"SLURM (1 node, 2 CPUs) {slurm_seconds:.0f} s"
    )
    # And so is everything trained, sampled, scored and drawn from them.
    for rel in sorted(files):
        assert_same_result(remote / "results" / rel, local / "results" / rel)


def test_every_job_ran_under_slurm(cluster, local_run, slurm_run):
    _, output, _ = slurm_run
    ids = SUBMITTED.findall(output)
    jobs = scheduled_jobs(output)
    assert jobs == scheduled_jobs(local_run[1])  # the same DAG as locally
    # `all` only collects inputs and runs in the Snakemake process; every other job is sbatch'ed.
    expected = sum(n for rule, n in jobs.items() if rule != "all")
    assert expected > 15 and len(ids) == len(set(ids)) == expected, (jobs, ids)
    states = wait_for_jobcomp(cluster, ids)
    assert {i: states.get(i) for i in ids} == {i: "COMPLETED" for i in ids}
    # One COMPLETED line per submitted job: none ran twice.
    assert sum(i in ids and state == "COMPLETED" for i, state in jobcomp_lines(cluster)) == len(ids)


def test_a_sweep_submits_a_few_cluster_jobs(cluster, tmp_path):
    """A sweep of 6 points x 2 seeds: its runs train in one job and are sampled and scored in
    another; figures are drawn for its best and worst point only. Prints the job counts."""
    cfg = tiny_config()
    cfg["experiments"] = {"normal": cfg["experiments"]["normal"]}
    cfg["sweeps"] = {"s": {"base": "normal", "grid": {"loss.real_label": [0.7, 0.8, 0.9],
                                                       "generator.optimizer.learning_rate": [0.0005, 0.001]}}}
    config = write_config(tmp_path / "sweep.yaml", cfg)
    proc, seconds = timed_snakemake(tmp_path, *SLURM_ARGS, configfile=config)
    output = proc.stdout + proc.stderr
    ids = SUBMITTED.findall(output)
    # every job Snakemake ran, those planned once the ranking was known included
    finished = re.findall(r"^Finished jobid: \d+ \(Rule: (\S+)\)", output, re.M)
    jobs = {rule: finished.count(rule) for rule in sorted(set(finished)) if rule != "all"}
    runs = 6 * 2 + 2  # the points' runs and the base's own
    snakemake_jobs = sum(jobs.values())
    print(f"\n[slurm] sweep of 6 points x 2 seeds (+ the base's 2 runs): {len(ids)} cluster jobs "
          f"for {snakemake_jobs} Snakemake jobs ({jobs}), {seconds:.0f} s")
    assert sum(n for rule, n in jobs.items() if rule.startswith("train_s_")) == 1
    assert sum(n for rule, n in jobs.items() if rule.startswith("runs_s_")) == 1
    assert not any(rule.startswith("sample_s") for rule in jobs) and jobs["evaluate"] == 2
    # per-run figures and animations of the base's 2 runs and its dashboard; one job for all
    # figures of each of the 2 points drawn
    assert (jobs["plot_run"], jobs["animate"], jobs["dashboard"], jobs["point_figures_s"]) == (2, 2, 1, 2), jobs
    states = wait_for_jobcomp(cluster, ids)
    assert {i: states.get(i) for i in ids} == {i: "COMPLETED" for i in ids}
    # one cluster job per Snakemake job: 21, where a job per run would submit 12 sample jobs,
    # 12 evaluate jobs and 10 figure jobs for the sweep alone
    assert len(ids) == len(set(ids)) == snakemake_jobs <= 21, (len(ids), jobs)
    assert len(list((tmp_path / "results" / "metrics").rglob("metrics.json"))) == runs


def test_a_job_failing_on_the_cluster_fails_the_run(cluster, tmp_path):
    cfg = tiny_config()
    cfg["datasets"] = {"missing": {"kind": "file", "path": "no/such/data.csv", "columns": [0]}}
    cfg["experiments"] = {"normal": {**cfg["experiments"]["normal"], "dataset": "missing", "seeds": [0]}}
    config = write_config(tmp_path / "missing.yaml", cfg)
    proc, seconds = timed_snakemake(tmp_path, *SLURM_ARGS, "--retries", "0", configfile=config, check=False)
    output = proc.stdout + proc.stderr
    print(f"\n[slurm] failing run: exit {proc.returncode} after {seconds:.0f} s")
    assert proc.returncode not in (0, -9, 137), output[-6000:]  # failed, and not by the timeout
    assert "Error in rule data" in output, output[-6000:]
    assert "rule train_normal_seeds0:" not in output  # nothing downstream of the failure started
    ids = SUBMITTED.findall(output)
    assert ids, output[-6000:]
    states = wait_for_jobcomp(cluster, ids)
    # The data job (and heldout, which reads the same missing file) failed on the cluster.
    assert "FAILED" in {states.get(i) for i in ids}, (ids, states)
    assert not (tmp_path / "results" / "data" / "missing.npy").exists()
