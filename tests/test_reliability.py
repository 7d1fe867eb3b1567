"""Reliability: killed training resumes to the identical result, divergence is a result,
a full disk leaves no half-written file, and a second Snakemake on the same directory is
refused. See docs/reliability.md.

Fast (unmarked): atomic writes that fail (a simulated and, as root, a real full disk).
Slow: train jobs killed with SIGKILL / SIGTERM in a subprocess, and whole-workflow runs."""

from __future__ import annotations

import contextlib
import copy
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from toygan import io as tio

from conftest import REPO

TINY = yaml.safe_load((REPO / "tests" / "config" / "tiny.yaml").read_text())
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
ENV = {**os.environ, "PYTHONPATH": "", "TF_CPP_MIN_LOG_LEVEL": "3"}


def files_in(path: Path) -> list[str]:
    """Every file under ``path``, hidden ones (atomic_path's temp files) included."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


# ======================================================================================
# atomic writes on a full disk (fast)
# ======================================================================================


def full_disk_save(file, arr, *args, **kwargs):
    """np.save that writes a torn header and then hits ENOSPC, as a full disk does."""
    with open(file, "wb") as fh:
        fh.write(b"\x93NUMPY\x01\x00")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))


def test_failed_write_leaves_no_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "results" / "data" / "x.npy"
    monkeypatch.setattr(np, "save", full_disk_save)
    with pytest.raises(OSError) as info:
        tio.save_npy(target, np.zeros(10))
    assert info.value.errno == errno.ENOSPC
    assert files_in(tmp_path) == []


def test_failed_rewrite_keeps_the_previous_complete_file(tmp_path, monkeypatch):
    target = tmp_path / "x.npy"
    tio.save_npy(target, np.arange(5.0))
    monkeypatch.setattr(np, "save", full_disk_save)
    with pytest.raises(OSError):
        tio.save_npy(target, np.zeros(10))
    monkeypatch.undo()
    np.testing.assert_array_equal(np.load(target), np.arange(5.0))
    assert files_in(tmp_path) == ["x.npy"]


def test_unserialisable_json_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        tio.write_json(tmp_path / "m.json", {"w1": float("nan")})
    assert files_in(tmp_path) == []


@contextlib.contextmanager
def mounted_tmpfs(mnt):
    """A real 64 KiB file system at mnt (root only); skips the test where mounting fails."""
    mnt.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


@pytest.fixture
def tiny_tmpfs(tmp_path):
    with mounted_tmpfs(tmp_path / "full") as mnt:
        yield mnt


def test_real_full_disk(tiny_tmpfs):
    big = np.zeros(50_000)  # 400 kB into 64 KiB
    with pytest.raises(OSError):  # numpy reports a short write ("N requested and M written")
        tio.save_npy(tiny_tmpfs / "data" / "big.npy", big)
    with pytest.raises(OSError) as info:
        tio.write_text(tiny_tmpfs / "history.csv", "0.123456789,\n" * 20_000)
    assert info.value.errno == errno.ENOSPC
    assert files_in(tiny_tmpfs) == []
    assert shutil.disk_usage(tiny_tmpfs).used == 0  # the torn temp files are gone, not just hidden
    tio.save_npy(tiny_tmpfs / "small.npy", np.zeros(10))  # the space is really free again
    assert files_in(tiny_tmpfs) == ["small.npy"]


# ======================================================================================
# killed train jobs resume to the identical result (slow)
# ======================================================================================

RESUME_EPOCHS = 1000


def resume_experiment(keep_checkpoint=False) -> dict:
    from toygan.config.validate import validate_config

    raw = copy.deepcopy(TINY)
    raw["experiments"]["two_normals"]["training"].update(
        epochs=RESUME_EPOCHS, checkpoint_every=50, metric_every=25, log_every=100, keep_checkpoint=keep_checkpoint
    )
    return validate_config(raw)["experiments"]["two_normals"]


JOB = """
import json, os, signal, sys
sys.path.insert(0, {workflow!r})
from toygan.logs import setup
setup(None)
from toygan.training import export, job as training_job
spec = json.load(open({spec!r}))
if spec["kill_after_first_seed"]:  # die between the seeds' outputs, as a node failure would
    original = export.write_seed_outputs
    def write_then_die(trainer, r, outdir, **kw):
        original(trainer, r, outdir, **kw)
        os.kill(os.getpid(), signal.SIGKILL)
    export.write_seed_outputs = write_then_die
if spec.get("stall"):  # the first compiled call never returns to Python, as a long XLA compilation
    from toygan.training.group import GroupTrainer
    def stalled_call(self, remaining):
        print("stalling", flush=True)
        os.system("sleep 60")  # the main thread waits in C; SIGTERM cannot run a Python handler
    GroupTrainer._call = stalled_call
training_job.run(spec["experiment"], spec["data"], [0, 1], spec["outdirs"], spec["checkpoint"], name="two_normals")
"""


class Job:
    """One train job (two seeds of the tiny two_normals) run as its own Python process."""

    def __init__(self, root: Path, data: Path, experiment: dict):
        self.root = root
        self.outdirs = [root / "models" / f"seed{s}" for s in (0, 1)]
        self.checkpoint = root / "checkpoints" / "seeds0_1.npz"
        root.mkdir(parents=True, exist_ok=True)
        self.data, self.experiment = data, experiment

    def start(self, kill_after_first_seed=False, stall=False) -> subprocess.Popen:
        spec = self.root / "job.json"
        spec.write_text(json.dumps({
            "experiment": self.experiment, "data": str(self.data), "outdirs": [str(d) for d in self.outdirs],
            "checkpoint": str(self.checkpoint), "kill_after_first_seed": kill_after_first_seed, "stall": stall,
        }))
        code = JOB.format(workflow=str(REPO / "workflow"), spec=str(spec))
        self.log = open(self.root / f"job{len(list(self.root.glob('job*.log')))}.log", "w")
        return subprocess.Popen([sys.executable, "-c", code], stdout=self.log, stderr=subprocess.STDOUT, env=ENV)

    def run(self, **kw) -> tuple[int, str]:
        proc = self.start(**kw)
        rc = proc.wait(timeout=900)
        self.log.close()
        return rc, Path(self.log.name).read_text()

    def log_text(self) -> str:
        return Path(self.log.name).read_text()

    def wait_for_log(self, proc: subprocess.Popen, text: str, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log_text():
            assert proc.poll() is None, f"job ended before logging {text!r}:\n{self.log_text()}"
            assert time.monotonic() < deadline, f"no {text!r} after {timeout} s"
            time.sleep(0.05)

    def checkpoint_epoch(self) -> int:
        try:
            with np.load(self.checkpoint) as f:
                return int(f["epoch"])
        except (FileNotFoundError, OSError, ValueError, KeyError):
            return 0

    def kill_during_training(self, sig: int, after_epoch: int) -> tuple[int, int]:
        """Start, wait for a checkpoint at ``after_epoch`` or later, send ``sig``.
        Returns (exit code, the checkpoint's epoch when the signal was sent)."""
        proc = self.start()
        deadline = time.monotonic() + 600
        while (epoch := self.checkpoint_epoch()) < after_epoch:
            assert proc.poll() is None, f"job ended before its checkpoint at epoch {after_epoch}"
            assert time.monotonic() < deadline, "no checkpoint after 10 minutes"
            time.sleep(0.005)
        assert proc.poll() is None, "job finished before it could be killed: raise RESUME_EPOCHS"
        proc.send_signal(sig)
        rc = proc.wait(timeout=120)
        self.log.close()
        return rc, epoch


def keras_weights(path: Path) -> dict[str, np.ndarray]:
    import h5py

    with zipfile.ZipFile(path) as z:
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            out = {}
            f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    assert out, path
    return out


def assert_same_outputs(job: Job, reference: Job) -> None:
    for got, want in zip(job.outdirs, reference.outdirs):
        assert files_in(got) == files_in(want) == sorted(
            ["discriminator.keras", "generator.keras", "history.csv", "run.json", "snapshots.npz", "summary.txt"]
        )
        for name in ("generator.keras", "discriminator.keras"):
            a, b = keras_weights(got / name), keras_weights(want / name)
            assert a.keys() == b.keys()
            for key in a:
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"{got / name}: {key}")
        assert (got / "history.csv").read_bytes() == (want / "history.csv").read_bytes()
        assert (got / "summary.txt").read_bytes() == (want / "summary.txt").read_bytes()
        with np.load(got / "snapshots.npz") as a, np.load(want / "snapshots.npz") as b:
            assert sorted(a.files) == sorted(b.files)
            for key in a.files:
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"snapshots {key}")
        ra, rb = json.loads((got / "run.json").read_text()), json.loads((want / "run.json").read_text())
        ra.pop("group_wall_seconds"), rb.pop("group_wall_seconds")
        assert ra == rb


def assert_nothing_half_written(job: Job) -> None:
    """After a kill: each output is complete or absent, and a checkpoint left behind loads."""
    for d in job.outdirs:
        if d.exists():
            assert not [n for n in files_in(d) if n.startswith(".")], "a torn temp file is visible"
    if job.checkpoint.exists():
        with np.load(job.checkpoint) as f:
            assert "fingerprint" in f.files and int(f["epoch"]) > 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run; it keeps its checkpoint (keep_checkpoint: true)."""
    from toygan.data import datasets

    root = tmp_path_factory.mktemp("resume")
    data = root / "two_normals.npy"
    np.save(data, datasets.training_data(
        __import__("toygan.config.validate", fromlist=["x"]).validate_config(copy.deepcopy(TINY))["datasets"]["two_normals"]
    ))
    job = Job(root / "reference", data, resume_experiment(keep_checkpoint=True))
    rc, log = job.run()
    assert rc == 0, log
    assert "resuming" not in log
    return job


@pytest.mark.slow
def test_finished_run_keeps_its_checkpoint_only_if_asked(reference):
    assert reference.checkpoint.exists(), "keep_checkpoint: true keeps it"
    with np.load(reference.checkpoint) as f:
        assert int(f["epoch"]) == RESUME_EPOCHS - 50  # the last one before the end


@pytest.mark.slow
def test_sigkill_during_training_then_rerun_is_identical(reference):
    job = Job(reference.root.parent / "sigkill", reference.data, resume_experiment())
    rc, epoch = job.kill_during_training(signal.SIGKILL, after_epoch=50)
    assert rc == -signal.SIGKILL
    assert 50 <= epoch < RESUME_EPOCHS
    assert not any(d.exists() and files_in(d) for d in job.outdirs), "killed while training: no outputs yet"
    assert_nothing_half_written(job)
    resumed_at = job.checkpoint_epoch()
    rc, log = job.run()
    assert rc == 0, log
    assert f"resuming from {job.checkpoint} at epoch {resumed_at}" in log
    assert_same_outputs(job, reference)
    assert not job.checkpoint.exists(), "keep_checkpoint: false removes it after the outputs are written"


@pytest.mark.slow
def test_sigterm_during_training_exits_143_then_rerun_is_identical(reference):
    job = Job(reference.root.parent / "sigterm", reference.data, resume_experiment())
    rc, epoch = job.kill_during_training(signal.SIGTERM, after_epoch=RESUME_EPOCHS // 2)
    assert rc == 143
    assert "SIGTERM: stopping" in Path(job.log.name).read_text()
    assert not any(d.exists() and files_in(d) for d in job.outdirs)
    assert_nothing_half_written(job)
    resumed_at = job.checkpoint_epoch()
    assert resumed_at >= RESUME_EPOCHS // 2
    rc, log = job.run()
    assert rc == 0, log
    assert f"at epoch {resumed_at}" in log
    assert_same_outputs(job, reference)
    assert not job.checkpoint.exists()


# A chunk (the epochs between two events: checkpoint, metric, log, snapshot) that lasts far
# longer than a scheduler's grace period: 800 epochs of 2 x 256-unit networks, 10-20 s.
LONG_EPOCHS, LONG_CHUNK = 1600, 800
SIGTERM_LIMIT = 8.0  # seconds from SIGTERM to exit: a compiled call lasts about 1 s (group.CALL_SECONDS)


def long_chunk_experiment() -> dict:
    from toygan.config.validate import validate_config

    raw = copy.deepcopy(TINY)
    exp = raw["experiments"]["two_normals"]
    exp["generator"]["hidden"] = exp["discriminator"]["hidden"] = [256, 256]
    exp["training"].update(epochs=LONG_EPOCHS, checkpoint_every=LONG_CHUNK, metric_every=LONG_CHUNK,
                           log_every=LONG_CHUNK, snapshots=3)
    return validate_config(raw)["experiments"]["two_normals"]


def log_time(log: str, text: str) -> float:
    """Seconds since midnight of the first log line holding ``text``."""
    from datetime import datetime

    line = next(x for x in log.splitlines() if text in x)
    t = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


@pytest.fixture(scope="module")
def long_chunk_reference(reference):
    job = Job(reference.root.parent / "long_reference", reference.data, long_chunk_experiment())
    rc, log = job.run()
    assert rc == 0, log
    return job


@pytest.mark.slow
def test_sigterm_mid_chunk_stops_within_seconds_at_the_epoch_reached_and_resumes_identically(long_chunk_reference):
    ref = long_chunk_reference
    ref_log = Path(ref.log.name).read_text()
    first_chunk = log_time(ref_log, f"epoch {LONG_CHUNK:5d}/") - log_time(ref_log, "first compiled call")
    job = Job(ref.root.parent / "long_sigterm", ref.data, ref.experiment)
    proc = job.start()
    job.wait_for_log(proc, "first compiled call")  # compiled: training runs in the first chunk now
    time.sleep(3)
    assert proc.poll() is None
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=120)
    took = time.monotonic() - sent
    job.log.close()
    log = job.log_text()
    assert rc == 143, log
    assert took < SIGTERM_LIMIT, f"{took:.1f} s from SIGTERM to exit"
    assert first_chunk > 2 * took, f"the chunk ({first_chunk:.1f} s) must outlast the stop ({took:.1f} s)"
    stopped = job.checkpoint_epoch()
    assert 0 < stopped < LONG_CHUNK, "a checkpoint at the epoch reached inside the chunk, not at its end"
    assert f"SIGTERM: stopping at epoch {stopped} with a checkpoint" in log, log
    assert not any(d.exists() and files_in(d) for d in job.outdirs)
    assert_nothing_half_written(job)
    rc, log = job.run()
    assert rc == 0, log
    assert f"resuming from {job.checkpoint} at epoch {stopped}" in log
    assert_same_outputs(job, ref)


@pytest.mark.slow
def test_sigterm_while_python_cannot_run_ends_the_job_after_the_grace_period(reference):
    """The first compiled call (XLA compilation) does not return to Python for a while: a
    watchdog thread ends the job GRACE_SECONDS after the SIGTERM, keeping the last checkpoint."""
    from toygan.training.job import GRACE_SECONDS

    job = Job(reference.root.parent / "stalled", reference.data, resume_experiment())
    proc = job.start(stall=True)
    job.wait_for_log(proc, "stalling")
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=120)
    took = time.monotonic() - sent
    job.log.close()
    assert rc == 143, job.log_text()
    assert GRACE_SECONDS <= took < GRACE_SECONDS + 5
    assert "SIGTERM: still busy" in job.log_text()
    assert not job.checkpoint.exists()


@pytest.mark.slow
def test_sigkill_between_the_seeds_outputs_then_rerun_is_identical(reference):
    """Killed after seed 0's files and before seed 1's: the rerun resumes from the last
    checkpoint (still on disk: it goes only after every output is written) and rewrites all."""
    job = Job(reference.root.parent / "export", reference.data, resume_experiment())
    rc, _ = job.run(kill_after_first_seed=True)
    assert rc == -signal.SIGKILL
    assert len(files_in(job.outdirs[0])) == 6 and not job.outdirs[1].exists()
    assert_nothing_half_written(job)
    assert job.checkpoint_epoch() == RESUME_EPOCHS - 50
    rc, log = job.run()
    assert rc == 0, log
    assert f"at epoch {RESUME_EPOCHS - 50}" in log
    assert_same_outputs(job, reference)


# ======================================================================================
# the whole workflow (slow)
# ======================================================================================


def snakemake(workdir: Path, *args: str, **kw):
    return subprocess.Popen(
        [SNAKEMAKE, *args, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--configfile", str(workdir / "config.yaml")],
        env=ENV, **kw,
    )


@pytest.fixture(scope="module")
def diverged_workflow(tmp_path_factory):
    """The tiny config with two_normals made to diverge (SGD at learning rate 1e6), run to
    the end; while it runs, a second snakemake on the same directory tries to start."""
    work = tmp_path_factory.mktemp("diverged")
    cfg = copy.deepcopy(TINY)
    for net in ("generator", "discriminator"):
        cfg["experiments"]["two_normals"][net]["optimizer"] = {"name": "sgd", "learning_rate": 1.0e6}
    (work / "config.yaml").write_text(yaml.safe_dump(cfg))

    with open(work / "first.log", "w") as log:
        first = snakemake(work, "--cores", "2", stdout=log, stderr=subprocess.STDOUT)
        locks = work / ".snakemake" / "locks"
        deadline = time.monotonic() + 300
        while not (locks.exists() and any(locks.iterdir())):
            assert first.poll() is None, (work / "first.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = snakemake(work, "--cores", "1", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        second_out, _ = second.communicate(timeout=300)
        first_still_running = first.poll() is None
        first_rc = first.wait(timeout=1800)
    return {
        "work": work, "first_rc": first_rc, "first_log": (work / "first.log").read_text(),
        "second_rc": second.returncode, "second_out": second_out, "first_still_running": first_still_running,
    }


@pytest.mark.slow
def test_second_snakemake_on_the_same_directory_is_refused(diverged_workflow):
    run = diverged_workflow
    assert run["first_still_running"], "the second invocation must overlap the first"
    assert run["second_rc"] != 0
    assert "Directory cannot be locked" in run["second_out"], run["second_out"]
    assert "Job stats" not in run["second_out"]  # it ran nothing


@pytest.mark.slow
def test_first_snakemake_is_unharmed_by_the_refused_one(diverged_workflow):
    run, work = diverged_workflow, diverged_workflow["work"]
    assert run["first_rc"] == 0, run["first_log"][-5000:]
    locks = work / ".snakemake" / "locks"
    assert not locks.exists() or not any(locks.iterdir()), "locks released"
    assert [p for p in files_in(work / "results") if Path(p).name.startswith(".")] == [], "no temp files left"
    dry = snakemake(work, "-n", "--cores", "1", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = dry.communicate(timeout=300)
    assert dry.returncode == 0 and "Nothing to be done" in out, out  # complete, not marked incomplete
    for exp, e in TINY["experiments"].items():
        for seed in e["seeds"]:
            metrics = json.loads((work / "results" / "metrics" / exp / f"seed{seed}" / "metrics.json").read_text())
            assert metrics["experiment"] == exp and metrics["seed"] == seed


@pytest.mark.slow
def test_divergence_is_a_result_of_the_workflow(diverged_workflow):
    work = diverged_workflow["work"]
    assert diverged_workflow["first_rc"] == 0, diverged_workflow["first_log"][-5000:]
    results = work / "results"
    epochs = TINY["experiments"]["two_normals"]["training"]["epochs"]
    for seed in TINY["experiments"]["two_normals"]["seeds"]:
        run = json.loads((results / "models" / "two_normals" / f"seed{seed}" / "run.json").read_text())
        assert run["status"] == "diverged"
        epoch = run["diverged_epoch"]
        assert isinstance(epoch, int) and 1 <= epoch <= epochs and run["epochs_trained"] == epoch
        metrics = json.loads((results / "metrics" / "two_normals" / f"seed{seed}" / "metrics.json").read_text())
        assert metrics["status"] == "diverged" and metrics["diverged_epoch"] == epoch
        rows = (results / "models" / "two_normals" / f"seed{seed}" / "history.csv").read_text().splitlines()
        assert rows[0] == "epoch,d_loss,g_loss,w1,event"
        assert rows[-1].startswith(f"{epoch},") and rows[-1].endswith(",diverged")
        assert sum(r.endswith(",diverged") for r in rows) == 1
        figures = results / "figures" / "two_normals" / f"seed{seed}"
        for name in ("density.png", "d_output.png", "decision.png", "losses.png", "training.gif"):
            assert (figures / name).stat().st_size > 0, name
    for seed in TINY["experiments"]["normal"]["seeds"]:
        run = json.loads((results / "models" / "normal" / f"seed{seed}" / "run.json").read_text())
        assert run["status"] == "ok" and run["diverged_epoch"] is None
    assert (results / "figures" / "two_normals" / "dashboard.png").stat().st_size > 0
    assert (results / "summary" / "comparison.png").stat().st_size > 0

    import pandas as pd

    by_exp = pd.read_csv(results / "summary" / "metrics_by_experiment.tsv", sep="\t").set_index("experiment")
    assert by_exp.loc["two_normals", "n_diverged"] == 2
    assert by_exp.loc["normal", "n_diverged"] == 0
    per_run = pd.read_csv(results / "summary" / "metrics.tsv", sep="\t")
    assert sorted(per_run.loc[per_run.experiment == "two_normals", "status"]) == ["diverged", "diverged"]


@pytest.mark.slow
def test_full_disk_fails_the_job_and_leaves_no_output(tmp_path):
    """results/ on a 64 KiB tmpfs; the data rule's 160 kB array does not fit."""
    with mounted_tmpfs(tmp_path / "results") as results:
        (tmp_path / "config.yaml").write_text(yaml.safe_dump({
            "datasets": {"big": {"kind": "normal", "n": 20_000}},
            "experiments": {"e": {"dataset": "big", "seeds": [0]}},
        }))
        proc = snakemake(tmp_path, "results/data/big.npy", "--cores", "1",
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode != 0
        assert "OSError" in out and "Error in rule data:" in out, out
        assert files_in(results) == ["logs/data/big.log"], "no output, no temp file"
