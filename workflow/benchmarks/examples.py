"""The example configs of workflow/examples/: load them, run them, check what they promise.

Each example is a complete config plus an ``x-example`` block (the schema ignores ``x-`` keys)
that says what it shows and what every seed must reach::

    x-example:
      title: Non-saturating GAN on the ring
      note: What the gallery says under the title (optional).
      expect:
        min: {modes_captured: 8, high_quality_fraction: 0.9}   # per seed, per experiment
        max: {reverse_kl: 0.05}
        verdict: [ok]          # used once metrics.json has a `verdict` (optional, [ok] default)

The marked test suite (``pytest -m examples``) and the gallery script use the same functions,
so the pictures in docs/gallery.md come from runs that passed the same checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = REPO / "workflow" / "examples"
META_KEY = "x-example"
TIMING_FILE = "example_run.json"  # written beside results/ by run_example


class ExampleError(ValueError):
    """An example file lacks its x-example block or states it wrongly."""


@dataclass
class Example:
    name: str
    path: Path
    config: dict
    title: str
    minimum: dict = field(default_factory=dict)
    maximum: dict = field(default_factory=dict)
    verdicts: tuple[str, ...] = ("ok",)
    note: str = ""

    @cached_property
    def experiments(self) -> dict:
        """Every experiment the config runs, sweep points included (as the workflow expands them)."""
        from toygan.config.validate import validate_config

        return validate_config(self.config)["experiments"]


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.yaml"))


def load_example(path: str | Path) -> Example:
    path = Path(path)
    config = yaml.safe_load(path.read_text())
    meta = config.get(META_KEY)
    if not isinstance(meta, dict) or "title" not in meta or "expect" not in meta:
        raise ExampleError(f"{path}: needs an {META_KEY} block with `title` and `expect`")
    expect = meta["expect"]
    unknown = set(expect) - {"min", "max", "verdict"}
    if unknown or not (expect.get("min") or expect.get("max")):
        raise ExampleError(f"{path}: {META_KEY}.expect takes min, max (at least one) and verdict; got {sorted(expect)}")
    return Example(
        name=path.stem,
        path=path,
        config=config,
        title=str(meta["title"]),
        minimum=dict(expect.get("min") or {}),
        maximum=dict(expect.get("max") or {}),
        verdicts=tuple(expect.get("verdict", ["ok"])),
        note=str(meta.get("note", "")).strip(),
    )


def check_run(metrics: dict, example: Example) -> list[str]:
    """What one run's metrics.json misses of the example's promise ([] when it keeps it)."""
    where = f"{metrics.get('experiment')} seed {metrics.get('seed')}"
    if metrics.get("status") != "ok":
        return [f"{where}: status {metrics.get('status')} ({metrics.get('reason') or 'see its train log'})"]
    problems = []
    if "verdict" in metrics and metrics["verdict"] not in example.verdicts:
        problems.append(f"{where}: verdict {metrics['verdict']!r}, expected one of {list(example.verdicts)}")
    for key, bound in example.minimum.items():
        value = metrics.get(key)
        if value is None or value < bound:
            problems.append(f"{where}: {key} = {value}, expected >= {bound}")
    for key, bound in example.maximum.items():
        value = metrics.get(key)
        if value is None or value > bound:
            problems.append(f"{where}: {key} = {value}, expected <= {bound}")
    return problems


def run_metrics(workdir: str | Path, example: Example) -> list[dict]:
    """The metrics.json of every run of the example's experiments under ``workdir/results``
    (not of experiments an earlier version of the file had), by experiment then seed."""
    paths = [p for exp in example.experiments for p in Path(workdir).glob(f"results/metrics/{exp}/seed*/metrics.json")]
    runs = [json.loads(p.read_text()) for p in paths]
    return sorted(runs, key=lambda m: (str(m.get("experiment")), int(m.get("seed", 0))))


def check_example(example: Example, workdir: str | Path) -> list[str]:
    """Problems of every run the example's config names (a missing run is one too)."""
    runs = run_metrics(workdir, example)
    found = {(m.get("experiment"), m.get("seed")) for m in runs}
    problems = [
        f"{exp} seed {seed}: no metrics.json"
        for exp, spec in example.experiments.items()
        for seed in spec["seeds"]
        if (exp, seed) not in found
    ]
    return problems + [p for m in runs for p in check_run(m, example)]


def run_config(config: str | Path, workdir: str | Path, cores: int = 2, timeout: int = 3600,
               env: dict | None = None) -> subprocess.CompletedProcess:
    """Run Snakemake on ``config`` in ``workdir`` as a user would from the repository root.
    Raises RuntimeError with the log tail when Snakemake fails."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    # Data paths in the examples are relative to the repository root: mirror that here.
    data = workdir / "workflow" / "examples" / "data"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        data.symlink_to(EXAMPLES_DIR / "data", target_is_directory=True)
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(workdir),
           "--configfile", str(config), "--cores", str(cores)]
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "workflow"), env.get("PYTHONPATH")]))
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(config).name}: snakemake failed ({proc.returncode}):\n{proc.stderr[-6000:]}")
    return proc


def run_example(example: Example, workdir: str | Path, cores: int = 2, timeout: int = 3600) -> float:
    """Run the example's config with Snakemake in ``workdir``; return the wall time in seconds
    (also written to ``workdir/example_run.json``). Raises RuntimeError with the log tail."""
    start = time.monotonic()
    run_config(example.path, workdir, cores, timeout)
    seconds = time.monotonic() - start
    timing = {"example": example.name, "cores": cores, "seconds": seconds}
    (Path(workdir) / TIMING_FILE).write_text(json.dumps(timing))
    return seconds
