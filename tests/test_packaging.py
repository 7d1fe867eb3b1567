"""The pip path and the conda path pin the same versions; the docs name every config key; the pins
resolve to wheels on every supported Python version."""

import subprocess
import sys
import tomllib

import pytest
import yaml

from conftest import REPO


def pins(lines):
    return {line.split("==")[0].lower(): line.split("==")[1] for line in lines if "==" in line}


def test_environment_yml_pins_match_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = pins(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip_section) == wanted


def schema_keys(node, found):
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            found.add(key)
            schema_keys(sub, found)
        for value in node.values():
            schema_keys(value, found)
    elif isinstance(node, list):
        for item in node:
            schema_keys(item, found)
    return found


def test_config_reference_documents_every_key():
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    doc = (REPO / "docs" / "config.md").read_text()
    missing = sorted(k for k in schema_keys(schema, set()) if f"{k}:" not in doc)
    assert not missing, f"docs/config.md does not mention: {missing}"


def test_every_shipped_config_validates():
    from toygan.config.validate import validate_config

    paths = [REPO / "config.yaml", REPO / "tests" / "config" / "tiny.yaml",
             *sorted((REPO / "workflow" / "examples").glob("*.yaml")),
             *sorted((REPO / "workflow" / "benchmarks").glob("*.yaml"))]
    assert len(paths) >= 6
    for path in paths:
        cfg = validate_config(yaml.safe_load(path.read_text()), [str(path)])
        assert cfg["experiments"], path


def test_snakemake_files_are_formatted():
    """snakefmt (line length from pyproject.toml) leaves the Snakefile and the rules as they are."""
    import subprocess
    import sys
    from pathlib import Path

    files = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
    snakefmt = Path(sys.executable).parent / "snakefmt"
    proc = subprocess.run([str(snakefmt), "--check", *map(str, files)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, f"run `snakefmt Snakefile workflow/rules/*.smk`:\n{proc.stderr}"


# ----- supported Python versions ------------------------------------------------------------
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
SUPPORTED = [c.rsplit(":: ", 1)[1] for c in PROJECT["classifiers"] if c.startswith("Programming Language :: Python :: 3.")]
# Transitive dependencies published as source only (pure Python): built into wheels here, since
# resolving for another Python version accepts wheels only.
SOURCE_ONLY = ["connection_pool"]


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def test_supported_versions_agree_everywhere():
    lo, hi = _minor(SUPPORTED[0]), _minor(SUPPORTED[-1])
    assert [_minor(v) for v in SUPPORTED] == list(range(lo, hi + 1))
    assert PROJECT["requires-python"] == f">=3.{lo},<3.{hi + 1}"
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert f"python>=3.{lo},<3.{hi + 1}" in env["dependencies"]
    assert f"Python 3.{lo}–3.{hi}" in (REPO / "README.md").read_text()


@pytest.fixture(scope="module")
def pinned_requirements(tmp_path_factory):
    """Every pin (dependencies and all extras) as a requirements file, and a directory with
    wheels of the source-only dependencies."""
    tmp = tmp_path_factory.mktemp("pins")
    pins_ = PROJECT["dependencies"] + [p for extra in PROJECT["optional-dependencies"].values() for p in extra]
    (tmp / "requirements.txt").write_text("\n".join(pins_) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "wheels"), *SOURCE_ONLY],
                   check=True, capture_output=True)
    return tmp


def _resolve(tmp, version: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--only-binary=:all:",
         "--python-version", version, "--target", str(tmp / f"target{version}"),
         "--find-links", str(tmp / "wheels"), "-r", str(tmp / "requirements.txt")],
        capture_output=True, text=True,
    )


@pytest.mark.slow  # needs PyPI; about a minute per version
@pytest.mark.parametrize("version", SUPPORTED)
def test_pins_resolve_to_wheels_on_each_supported_python(pinned_requirements, version):
    result = _resolve(pinned_requirements, version)
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert result.returncode == 0, f"Python {version}: {errors or result.stderr[-2000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("side", ["below", "above"])
def test_pins_do_not_resolve_just_outside_the_range(pinned_requirements, side):
    """If they start to (a pinned package published wheels for a newer Python), widen the range."""
    minor = _minor(SUPPORTED[0]) - 1 if side == "below" else _minor(SUPPORTED[-1]) + 1
    result = _resolve(pinned_requirements, f"3.{minor}")
    assert result.returncode != 0, f"every pin resolves on Python 3.{minor}: add it to pyproject.toml's classifiers"
    assert "No matching distribution" in result.stderr
