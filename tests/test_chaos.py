"""Chaos (``pytest -m chaos``): the chaos config (tests/config/chaos.yaml: the tiny config plus a
sweep) run while Snakemake's whole process group is killed 20 times with SIGKILL and 5 times with
SIGTERM, in every kind of job, resumed each time as docs/reliability.md says; every result must
equal an uninterrupted run's (workflow/benchmarks/chaos.py). About 10 minutes on 2 cores."""

from __future__ import annotations

import json
import os
import sys

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "workflow" / "benchmarks"))
import chaos

pytestmark = pytest.mark.chaos


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    work = tmp_path_factory.mktemp("chaos")
    seed = int(os.environ.get("TOYGAN_CHAOS_SEED", "0"))
    rc = chaos.main(["--workdir", str(work), "--kills", "20", "--sigterms", "5", "--seed", str(seed),
                     "--json", str(work / "report.json")])
    data = json.loads((work / "report.json").read_text())
    data["rc"] = rc
    return data


def test_every_interruption_landed_in_a_running_job(report):
    assert report["sigkills"] >= 20 and report["sigterms"] >= 5, report["not_landed"]
    assert report["not_landed"] == []
    for event in report["events"]:
        assert event["running"], event


def test_interruptions_hit_every_kind_of_job(report):
    assert set(report["kinds_hit"]) == set(chaos.KINDS)


def test_no_file_differs_or_is_missing(report):
    assert report["differing_files"] == 0 and report["missing_files"] == 0, report["differences"]
    assert report["files_compared"] > 0


def test_resuming_needed_only_the_documented_steps(report):
    assert report["problems"] == []
    assert report["rc"] == 0
