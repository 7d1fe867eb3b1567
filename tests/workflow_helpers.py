"""Run the workflow through the Snakemake CLI in a scratch directory (shared by e2e tests)."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake(workdir: Path, *args: str, configfile: Path | None = None, timeout: int = 900, check=True,
              env: dict | None = None):
    """Run the workflow in ``workdir``: its own copy if it holds one (copy_workflow), else the repo's.
    No PYTHONPATH is set: the workflow finds its package by itself."""
    snakefile = workdir / "Snakefile" if (workdir / "Snakefile").exists() else REPO / "Snakefile"
    cmd = [*SNAKEMAKE, "-s", str(snakefile), "-d", str(workdir)]
    if configfile is not None:
        cmd += ["--configfile", str(configfile)]
    cmd += list(args)
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
    return proc


def copy_workflow(dest: Path) -> Path:
    """A copy of the workflow (Snakefile, config, package, rules, scripts) in ``dest``, as a user
    copies it per project; returns its Snakefile."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "config.yaml"):
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "workflow", dest / "workflow", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".snakemake"))
    (dest / "profiles").symlink_to("workflow/profiles")
    return dest / "Snakefile"


def tiny_config() -> dict:
    return yaml.safe_load((REPO / "tests" / "config" / "tiny.yaml").read_text())


def write_config(path: Path, cfg: dict) -> Path:
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def edited(cfg: dict, **changes) -> dict:
    """A copy of cfg with dotted-path keys set, e.g. edited(cfg, **{"plots.dpi": 60})."""
    out = copy.deepcopy(cfg)
    for dotted, value in changes.items():
        node = out
        *parents, last = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def scheduled_jobs(dry_run_output: str) -> dict[str, int]:
    """Rule name -> job count from a dry run's 'Job stats' table."""
    jobs = {}
    in_table = False
    for line in dry_run_output.splitlines():
        if line.startswith("Job stats"):
            in_table = True
            continue
        if in_table:
            m = re.match(r"^(\S+)\s+(\d+)$", line.strip())
            if m and m.group(1) != "total":
                jobs[m.group(1)] = int(m.group(2))
            elif line.strip().startswith("total"):
                break
    return jobs


def network_config(role: str = "discriminator", **keys):
    """A default-filled (and validated) generator or discriminator, typed, with ``keys`` set."""
    from toygan.config.settings import Network
    from toygan.config.validate import validate_config

    cfg = validate_config({"datasets": {"n": {"kind": "normal"}}, "experiments": {"e": {"dataset": "n", role: keys}}})
    return Network.from_dict(cfg["experiments"]["e"][role])
