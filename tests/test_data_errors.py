"""User data files (kind: file) that cannot be trained on: the data rule fails with a message
naming the file and the row or column, and leaves none of its outputs behind.

The loaders' messages are unit-tested in test_datasets.py. Here the rule's script
(workflow/scripts/data.py) runs on each bad file with a stand-in for the `snakemake` object
(fast), and two cases go through the real snakemake CLI (slow)."""

from __future__ import annotations

import os
import pickle
import re
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
    "semicolons": ("semi.csv", good_rows(20).replace(",", ";"), "line 1 is one column that holds semicolons"),
    "tabs": ("tabs.csv", good_rows(20).replace(",", "\t"), "line 1 is one column that holds tabs"),
    "constant-column": ("const.csv", "x,y\n" + "".join(f"{i},3.5\n" for i in range(30)),
                        "column 'y' (index 1) has the same value (3.5) in every row"),
    "beyond-float32": ("big.csv", good_rows(20) + "1e39,1\n", "line 22, column 'x' (index 0): value 1e+39 is beyond float32"),
    "bad-utf8": ("latin.csv", None, "not a UTF-8 text CSV file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_fails_the_data_rule_with_file_and_place(case, tmp_path, monkeypatch):
    name, content, expected = BAD_FILES[case]
    monkeypatch.chdir(tmp_path)
    if name == "latin.csv":
        (tmp_path / name).write_bytes("x,y\n1,2\n".encode() + "é,3\n".encode("latin-1"))
    elif content is not None:
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


ACCEPTED = {
    # name: (content, what the rows are) -- documented in docs/config.md (`file` datasets)
    "bom.csv": ("\ufeff" + good_rows(30), "a byte-order mark is ignored"),
    "crlf.csv": (good_rows(30).replace("\n", "\r\n"), "Windows line endings"),
    "quoted.csv": ("x,y\n" + "".join(f'"{i}","{i % 7}"\n' for i in range(30)), "quoted numbers"),
    "spaces.csv": ("x , y\n" + "".join(f" {i} , {i % 7} \n" for i in range(30)), "spaces around cells"),
    "huge.csv": (good_rows(29) + "1e30,1\n", "large values within float32"),
    "twice.csv": ("x,x\n" + "".join(f"{i},{i % 7}\n" for i in range(30)), "a repeated header name, not selected by name"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_csv_variants_that_are_read_as_written(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, name, ACCEPTED[name][0])
    out = run_data_script(tmp_path, config_for(name))
    data = np.load(out / "pts.npy")
    every = datasets.load_file(name)
    assert every.shape == (30, 2) and set(np.round(every[:, 1])) <= set(range(7))
    assert every[0, 0] == 0.0 and len(data) == 24  # 20 % held out


def test_a_name_that_appears_twice_cannot_pick_a_column(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "twice.csv", ACCEPTED["twice.csv"][0])
    with pytest.raises(datasets.DataFileError, match="column name 'x' appears 2 times in the header; select by index"):
        datasets.load_file("twice.csv", ["x"])
    with pytest.raises(datasets.DataFileError, match="unknown column name 'z'; available columns: 0: 'x', 1: 'x'"):
        datasets.load_file("twice.csv", [0, "z"])


NPY = {
    "int.npy": (lambda: np.arange(60).reshape(30, 2), None),
    "half.npy": (lambda: np.arange(60, dtype=np.float16).reshape(30, 2), None),
    "one_d.npy": (lambda: np.arange(30.0), None),
    "text.npy": (lambda: np.array([["a", "b"]] * 30), "non-numeric dtype <U1"),
    "complex.npy": (lambda: np.ones((30, 2), dtype=complex), "non-numeric dtype complex128"),
    "rank3.npy": (lambda: np.zeros((5, 6, 2)), "has shape (5, 6, 2); expected (rows,) or (rows, columns)"),
    "objects.npy": (lambda: np.array([[1, 2]] * 30, dtype=object), "not a readable NPY file"),
}


@pytest.mark.parametrize("name", sorted(NPY))
def test_npy_dtypes_and_shapes(name, tmp_path):
    make, error = NPY[name]
    np.save(tmp_path / name, make(), allow_pickle=True)
    if error is None:
        data = datasets.load_file(tmp_path / name)
        assert data.dtype == np.float64 and len(data) == 30
    else:
        with pytest.raises(datasets.DataFileError, match=re.escape(error)):
            datasets.load_file(tmp_path / name)


class _Payload:
    """Unpickling this runs code: it would create the file named by ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_nothing_in_a_data_file_is_ever_executed(tmp_path):
    marker = tmp_path / "executed"
    for name, blob in [("pickle.npy", pickle.dumps(_Payload(str(marker)))),
                       ("object.npy", None)]:
        path = tmp_path / name
        if blob is None:
            np.save(path, np.array([_Payload(str(marker))], dtype=object), allow_pickle=True)
        else:
            path.write_bytes(blob)
        with pytest.raises(datasets.DataFileError, match="not a readable NPY file"):
            datasets.load_file(path)
    assert not marker.exists()
