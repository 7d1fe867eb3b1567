"""Two runs at once in one directory (slow): while a first ``snakemake`` trains, a second one on
the same directory is refused with Snakemake's lock message and runs nothing, and the first
finishes with every file equal to an uninterrupted run's. Once for the whole workflow, once for
a sweep (tests/config/chaos.yaml: the tiny config plus a two-point sweep)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "workflow" / "benchmarks"))
import chaos

pytestmark = pytest.mark.slow

CONFIG = REPO / "tests" / "config" / "chaos.yaml"
SWEEP_TABLE = "results/summary/sweeps/smoothing.tsv"
CASES = {
    # case: (targets of both invocations, the rule the first is in when the second starts)
    "workflow": ([], "train_two_normals"),
    "sweep": ([SWEEP_TABLE], "train_smoothing"),
}


def command(workdir, *targets, dry_run=False):
    return [chaos.SNAKEMAKE, *targets, "--cores", "2", "-d", str(workdir), "--configfile", str(CONFIG)] + (
        ["-n"] if dry_run else [])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    work = tmp_path_factory.mktemp("reference")
    done = subprocess.run(command(work), cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    return work


@pytest.fixture(scope="module", params=sorted(CASES))
def two_at_once(request, tmp_path_factory):
    targets, busy_rule = CASES[request.param]
    work = tmp_path_factory.mktemp(request.param)
    first = chaos.Run(command(work, *targets), work / "first.log")
    first.start()
    deadline = time.monotonic() + 600
    while not any(rule.startswith(busy_rule) for rule in first.jobs_running()):
        assert first.proc.poll() is None, first.output()[-5000:]
        assert time.monotonic() < deadline, f"no {busy_rule} job after 10 minutes"
        time.sleep(0.05)
    second = subprocess.run(command(work, *targets), cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    overlapped = first.proc.poll() is None and any(rule.startswith(busy_rule) for rule in first.jobs_running())
    first_rc = first.wait(timeout=1800)
    return {"case": request.param, "work": work, "targets": targets, "first_rc": first_rc, "first_out": first.output(),
            "second": second, "overlapped": overlapped}


def test_the_second_run_is_refused_with_the_lock_message(two_at_once):
    second = two_at_once["second"]
    assert two_at_once["overlapped"], "the second invocation must end while the first still trains"
    assert second.returncode != 0
    out = second.stdout + second.stderr
    assert "Directory cannot be locked" in out, out
    assert "Job stats" not in out and "rule " not in out, "the refused run started no job"


def test_the_first_run_loses_and_corrupts_nothing(two_at_once, reference):
    work = two_at_once["work"]
    assert two_at_once["first_rc"] == 0, two_at_once["first_out"][-5000:]
    dry = subprocess.run(command(work, *two_at_once["targets"], dry_run=True), cwd=REPO, capture_output=True,
                         text=True, check=False)
    assert dry.returncode == 0 and "Nothing to be done" in dry.stdout + dry.stderr, dry.stdout[-3000:]
    result = chaos.compare(work, reference)
    assert result["differing"] == [], result
    assert result["extra"] == [], "every file the first run made is one the uninterrupted run made"
    if two_at_once["case"] == "workflow":
        assert result["missing"] == []
    else:  # the sweep's table and every file it needs
        assert (work / SWEEP_TABLE).is_file() and result["compared"] > 20
