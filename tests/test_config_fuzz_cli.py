"""Config fuzzing at scale (`pytest -m fuzz`): thousands of mutations in-process, and mutations
and broken YAML files through the snakemake command line, as a user meets them.

Through the command line every refused config must: exit non-zero, print no Python traceback,
name the key (or, for YAML that does not parse, say so), and leave no results/ behind."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from hypothesis import find, settings
from hypothesis.errors import NoSuchExample

import test_config_fuzz as fuzz
from conftest import REPO

pytestmark = pytest.mark.fuzz


def test_thousands_of_mutations_are_refused_naming_their_key():
    """The default run's properties with 400 examples per strategy: about 1,250 mutations."""
    env = {**os.environ, "TOYGAN_FUZZ_EXAMPLES": "400"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not fuzz",
                          str(REPO / "tests" / "test_config_fuzz.py")], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=1800)
    assert out.returncode == 0, out.stdout[-4000:]


def _snakemake(workdir, configfile):
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow")}
    return subprocess.run([sys.executable, "-m", "snakemake", "-n", "-s", str(REPO / "Snakefile"), "-d", str(workdir),
                           "--configfile", str(configfile)], capture_output=True, text=True, env=env, timeout=300)


def _sample(strategy, n: int) -> list:
    """n distinct examples of a strategy, deterministically."""
    found: list = []

    def new(case):
        if case not in found:
            found.append(case)
        return len(found) >= n

    try:
        find(strategy, new, settings=settings(max_examples=500, database=None, derandomize=True))
    except NoSuchExample:
        pass
    return found


CASES = ([("type", *c) for c in _sample(fuzz.wrong_type(), 4)]
         + [("range", *c) for c in _sample(fuzz.out_of_range(), 3)]
         + [("unknown", *c) for c in _sample(fuzz.unknown_key(), 3)]
         + [("misspelt", *c) for c in _sample(fuzz.misspelt(), 3)])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}:{fuzz.dotted(c[1])}")
def test_a_mutation_is_refused_by_the_command_line_before_any_job(case, tmp_path):
    _, path, value = case
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(fuzz.put(fuzz.BASE, path, value)))
    out = _snakemake(tmp_path, config)
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "Traceback" not in text, text[-3000:]
    assert fuzz.names(text, path) or fuzz.names(text, path[:-1]), text[-3000:]
    assert not (tmp_path / "results").exists()


BROKEN_YAML = {
    "syntax": "datasets:\n  normal: {kind: normal\nexperiments: {}\n",
    "empty": "",
    "anchor": "datasets:\n  d: *nowhere\nexperiments:\n  e: {dataset: d}\n",
    "tab": "datasets:\n\td: {kind: normal}\nexperiments:\n  e: {dataset: d}\n",
    "list": "- datasets\n- experiments\n",
    "duplicate": "datasets:\n  d: {kind: normal}\n  d: {kind: ring}\nexperiments:\n  e: {dataset: d}\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN_YAML))
def test_a_config_file_that_is_not_a_mapping_is_refused_before_any_job(name, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(BROKEN_YAML[name])
    out = _snakemake(tmp_path, config)
    text = out.stdout + out.stderr
    assert out.returncode != 0 and "Traceback" not in text, text[-3000:]
    if name == "duplicate":  # toygan's own check names the file, the key and both lines
        assert "duplicate key 'd' at line 3 (first at line 2)" in text
    else:  # Snakemake's loader refuses these; it does not name the line
        assert "Config file" in text and ("not valid JSON or YAML" in text or "keys at top level" in text)
    assert not (tmp_path / "results").exists()
