"""The pip path and the conda path pin the same versions; the docs name every config key."""

import tomllib

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
    from toygan.config import validate_config

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
