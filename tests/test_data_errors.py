"""User data files (kind: file) that cannot be trained on: the data rule fails with a message
naming the file and the row or column, and leaves none of its outputs behind.

The loaders' messages are unit-tested in test_datasets.py. Here the rule's script
(workflow/scripts/data.py) runs on each bad file with a stand-in for the `snakemake` object
(fast), and two cases go through the real snakemake CLI (slow)."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from toygan.data import datasets
from toygan.config.validate import validate_config

from conftest import REPO

DATA_SCRIPT = REPO / "workflow" / "scripts" / "data.py"


def config_for(path: str, **training) -> dict:
    raw = {
        "datasets": {"pts": {"kind": "file", "path": path}},
        "experiments": {
            "small": {"dataset": "pts", "seeds": [0], "training": {"epochs": 2, "batches": 2}},
            "big": {"dataset": "pts", "seeds": [0], "training": {"epochs": 2, "batches": 2, **training}},
        },
    }
    return validate_config(raw)


def run_data_script(workdir: Path, cfg: dict) -> Path:
    """Run the data rule's script as Snakemake would (cwd = working directory)."""
    out = workdir / "results" / "data"
    smk = SimpleNamespace(
        params=SimpleNamespace(spec=cfg["datasets"]["pts"], name="pts"),
        output=SimpleNamespace(data=str(out / "pts.npy"), spec=str(out / "pts.json")),
        log=[str(workdir / "data.log")],
        config=cfg,
    )
    runpy.run_path(str(DATA_SCRIPT), init_globals={"snakemake": smk})
    return out


def outputs_left(workdir: Path) -> list[str]:
    out = workdir / "results" / "data"
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def write(workdir: Path, name: str, text: str) -> str:
    (workdir / name).write_text(text)
    return name


def good_rows(n: int) -> str:
    return "x,y\n" + "".join(f"{i},{i % 7}\n" for i in range(n))


BAD_FILES = {
    # name: (file name, content or None for missing, expected message after "<file>: ")
    "missing": ("nope.csv", None, "data file not found"),
    "empty": ("empty.csv", "", "data file is empty"),
    "header-only": ("head.csv", "x,y\n", "has a header (line 1) but no data rows"),
    "non-numeric": ("words.csv", good_rows(20) + "3,four\n", "line 22, column 'y' (index 1): 'four' is not a number"),
    "empty-cell": ("hole.csv", "1,2\n3,\n" + "5,6\n" * 20, "line 2, column index 1: empty cell"),
    "nan": ("nan.csv", good_rows(10) + "nan,1\n" + good_rows(10)[4:], "line 12, column 'x' (index 0): value nan is not finite"),
    "inf": ("inf.csv", good_rows(10) + "1,-inf\n", "line 12, column 'y' (index 1): value -inf is not finite"),
    "ragged": ("ragged.csv", good_rows(5) + "1,2,3\n" + good_rows(5)[4:], "line 7 has 3 columns, but line 1 has 2"),
    "too-wide": ("wide.csv", "a,b,c\n" + "1,2,3\n" * 20, "has 3 columns, but toygan handles 1-D or 2-D data"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_fails_the_data_rule_with_file_and_place(case, tmp_path, monkeypatch):
    name, content, expected = BAD_FILES[case]
    monkeypatch.chdir(tmp_path)
    if content is not None:
        write(tmp_path, name, content)
    with pytest.raises(datasets.DataFileError) as info:
        run_data_script(tmp_path, config_for(name))
    assert str(info.value).startswith(f"{name}: ")
    assert expected in str(info.value)
    assert outputs_left(tmp_path) == []


def test_npy_non_finite_names_the_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arr = np.ones((30, 2))
    arr[17, 1] = np.nan
    np.save(tmp_path / "pts.npy", arr)
    with pytest.raises(datasets.DataFileError, match=r"pts\.npy: row index 17 \(0-based\), column index 1: value nan"):
        run_data_script(tmp_path, config_for("pts.npy"))
    assert outputs_left(tmp_path) == []


def test_too_few_rows_for_one_batch(tmp_path, monkeypatch):
    """50 rows, 20 % held out: 40 training rows, fewer than the 64 of `big`'s batch."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pts.csv", good_rows(50))
    with pytest.raises(datasets.DataFileError) as info:
        run_data_script(tmp_path, config_for("pts.csv", batch_size=64))
    assert str(info.value).startswith(
        "pts.csv (dataset pts; experiments.big.training): training data has 40 rows, "
        "fewer than one training batch (64)"
    )
    assert outputs_left(tmp_path) == []


def test_too_few_rows_for_batches_times_pack(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pts.csv", good_rows(50))
    with pytest.raises(datasets.DataFileError, match=r"experiments\.big\.training\): training data has 40 rows, fewer than one training batch \(60\)"):
        run_data_script(tmp_path, config_for("pts.csv", batches=20, pack=3))


def test_enough_rows_writes_both_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pts.csv", good_rows(50))
    out = run_data_script(tmp_path, config_for("pts.csv", batch_size=40))
    assert outputs_left(tmp_path) == ["pts.json", "pts.npy"]  # no temp files either
    assert np.load(out / "pts.npy").shape == (40, 2)


def test_min_training_rows():
    assert datasets.min_training_rows({"batch_size": None, "batches": 5, "pack": 1}) == 5
    assert datasets.min_training_rows({"batch_size": None, "batches": 5, "pack": 4}) == 20
    assert datasets.min_training_rows({"batch_size": 100, "batches": 5, "pack": 4}) == 100
    assert datasets.min_training_rows({"batch_size": 2, "batches": 5, "pack": 4}) == 4


# ----------------------------------------------------------------------------- through snakemake


def snakemake_data(workdir: Path, cfg: dict) -> subprocess.CompletedProcess:
    (workdir / "config.yaml").write_text(yaml.safe_dump(cfg))
    exe = Path(sys.executable).with_name("snakemake")
    return subprocess.run(
        [str(exe), "results/data/pts.npy", "--cores", "1", "-s", str(REPO / "Snakefile"), "-d", str(workdir),
         "--configfile", str(workdir / "config.yaml")],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": ""},
    )


def raw_config(path: str, training: dict) -> dict:
    return {
        "datasets": {"pts": {"kind": "file", "path": path}},
        "experiments": {"e": {"dataset": "pts", "seeds": [0], "training": {"epochs": 2, **training}}},
    }


def assert_rule_failed_cleanly(run: subprocess.CompletedProcess, workdir: Path) -> str:
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "Error in rule data:" in out
    assert "toygan.data.datasets.DataFileError: " in out
    data_dir = workdir / "results" / "data"
    assert not data_dir.exists() or list(data_dir.iterdir()) == [], list(data_dir.iterdir())
    return out


@pytest.mark.slow
def test_workflow_non_numeric_cell(tmp_path):
    (tmp_path / "pts.csv").write_text(good_rows(30) + "7,seven\n")
    out = assert_rule_failed_cleanly(snakemake_data(tmp_path, raw_config("pts.csv", {})), tmp_path)
    assert "pts.csv: line 32, column 'y' (index 1): 'seven' is not a number" in out


@pytest.mark.slow
def test_workflow_too_few_rows(tmp_path):
    (tmp_path / "pts.csv").write_text(good_rows(30))
    out = assert_rule_failed_cleanly(snakemake_data(tmp_path, raw_config("pts.csv", {"batch_size": 32})), tmp_path)
    assert "pts.csv (dataset pts; experiments.e.training): training data has 24 rows, fewer than one training batch (32)" in out
