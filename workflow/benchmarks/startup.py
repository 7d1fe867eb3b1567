"""A new user's first minutes, side by side: what the shipped config costs beyond training.

    python workflow/benchmarks/startup.py                         # this checkout
    python workflow/benchmarks/startup.py --checkouts /tmp/before .   # before vs after, one run

For each checkout (a copy of it in a scratch directory, so the checkouts never see each
other's results), stage by stage, each stage on every checkout in turn:

1. the shipped config end to end from an empty ``results/`` on ``--cores 2``: the wall time of
   the Snakemake process (and the CPU time of it and all its jobs,
   less sensitive to other load on the machine), and the per-rule sum of job wall (each job's start and end as
   Snakemake's own metadata records them); the sample jobs' walls one by one;
2. each train job's fixed cost, everything before its first training step, in a fresh process
   from the checkout's package, stage by stage: interpreter start and imports (TensorFlow
   brings Keras), config and data, building the models, tracing the epoch loop, compiling it
   with XLA (or loading it from the persistent cache), tracing and running the inference
   functions; cold (empty XLA compilation cache) and warm (the same cache again);
3. the plot-edit cycle: ``plots.dpi`` edited, Snakemake rerun, its wall, CPU and job count;
4. the end-to-end run again from an empty ``results/``, with the compilation cache of step 1.

The scratch directories are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CACHE_ENV = "TOYGAN_XLA_CACHE"  # toygan.training.tfsetup reads it; older checkouts ignore it


def copy_checkout(src: Path, dst: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "results", ".snakemake", "__pycache__", ".venv", "*.egg-info")
    shutil.copytree(src, dst, symlinks=True, ignore=ignore)


def env_for(workdir: Path, cache: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(workdir / "workflow"), PYTHONUNBUFFERED="1")
    env[CACHE_ENV] = str(cache)
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def snakemake(workdir: Path, cache: Path, cores: int) -> tuple[float, float]:
    """Wall and CPU seconds of one Snakemake run (CPU: Snakemake and every job it waited for)."""
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", str(cores)], cwd=workdir, env=env_for(workdir, cache),
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"snakemake failed in {workdir}:\n{proc.stderr[-3000:]}")
    return wall, children_cpu() - cpu


def job_records(workdir: Path, since: float) -> list[tuple[str, float]]:
    """(rule, wall seconds) of every job that started after ``since``, from Snakemake's metadata
    (sqlite in Snakemake 9 by default, one JSON file per output with the file backend)."""
    rows = []
    db = workdir / ".snakemake" / "metadata.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT rule, job_hash, starttime, endtime FROM snakemake_metadata").fetchall()
    else:
        for path in (workdir / ".snakemake" / "metadata").glob("*"):
            rec = json.loads(path.read_text())
            rows.append((rec["rule"], rec["job_hash"], rec["starttime"], rec["endtime"]))
    # One record per output file: a job is its outputs' records (same rule and job hash), from
    # the first start (marked incomplete) to the last output written.
    jobs: dict[tuple, list[float]] = {}
    for rule, job, startt, endt in rows:
        if startt is not None and startt >= since:
            span = jobs.setdefault((rule, job), [startt, endt])
            span[0], span[1] = min(span[0], startt), max(span[1], endt)
    return [(rule, end - start) for (rule, _), (start, end) in sorted(jobs.items(), key=lambda kv: kv[1][0])]


def rule_family(rule: str) -> str:
    """train_normal_s0-2 -> train: the generated per-group rules summed as one row."""
    return re.sub(r"^(train|sample)_.*", r"\1", rule)


def fixed_cost_worker(workdir: str, experiment: str) -> None:
    """In a fresh process: a train job's work up to its first training step, then one chunk."""
    sys.path.insert(0, os.path.join(workdir, "workflow"))
    import numpy as np

    from toygan.data import datasets
    from toygan.config.validate import validate_config
    from toygan.training.tfsetup import import_tensorflow

    marks = {}
    tf = import_tensorflow(1)
    import keras  # noqa: F401  (TensorFlow imports it already; timed apart in case it does not)

    from toygan.training.group import GroupTrainer

    marks["import"] = time.time()
    cfg = validate_config(yaml.safe_load(Path(workdir, "config.yaml").read_text()))
    exp = cfg["experiments"][experiment]
    exp["training"].update(checkpoint_every=0)
    data = np.asarray(datasets.training_data(cfg["datasets"][exp["dataset"]]))
    marks["data"] = time.time()
    trainer = GroupTrainer(exp, data, exp["seeds"])
    marks["build"] = time.time()
    # trainer.compile() stage by stage (the same calls): a traced signature is not traced again.
    zero = (tf.constant(trainer.epoch, tf.int64), tf.constant(0, tf.int64))
    trainer._run.get_concrete_function(*zero)
    marks["trace"] = time.time()
    trainer._run(*zero)
    marks["xla"] = time.time()
    trainer.compile()
    marks["inference"] = time.time()
    print(json.dumps(marks))


def fixed_cost(workdir: Path, cache: Path, experiment: str) -> dict:
    start = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", str(workdir), experiment], env=env_for(workdir, cache),
        capture_output=True, text=True,
    )
    if proc.returncode:
        sys.exit(f"fixed-cost worker failed:\n{proc.stderr[-3000:]}")
    marks = json.loads(proc.stdout.strip().splitlines()[-1])
    stages, before = {}, start
    for stage in FIXED_STAGES:
        stages[stage], before = marks[stage] - before, marks[stage]
    stages["total"] = marks[FIXED_STAGES[-1]] - start
    return stages


FIXED_STAGES = ("import", "data", "build", "trace", "xla", "inference")


def edit_dpi(workdir: Path) -> None:
    cfg = workdir / "config.yaml"
    text, n = re.subn(r"(\n  dpi:\s*)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", cfg.read_text())
    if n != 1:
        sys.exit(f"no plots.dpi line to edit in {cfg}")
    cfg.write_text(text)


def end_to_end(workdir: Path, cores: int) -> dict:
    since = time.time()
    wall, cpu = snakemake(workdir, workdir / ".bench-xla-cache", cores)
    jobs = job_records(workdir, since)
    per_rule = defaultdict(lambda: [0.0, 0])
    for rule, job_wall in jobs:
        per_rule[rule_family(rule)][0] += job_wall
        per_rule[rule_family(rule)][1] += 1
    experiments = list(yaml.safe_load((workdir / "config.yaml").read_text())["experiments"])
    return {
        "e2e": wall,
        "e2e_cpu": cpu,
        "rules": dict(per_rule),
        "sample_jobs": [w for rule, w in jobs if rule.startswith("sample_")],
        "experiments": experiments,
    }


def fixed_costs(workdir: Path, experiments: list[str]) -> dict:
    out = {}
    for exp in experiments:
        cache = workdir / f".bench-cold-{exp}"  # empty: cold; the second run finds it filled
        out[f"fixed {exp} cold"] = fixed_cost(workdir, cache, exp)
        out[f"fixed {exp} warm"] = fixed_cost(workdir, cache, exp)
    return out


def plot_edit(workdir: Path, cores: int) -> dict:
    edit_dpi(workdir)
    since = time.time()
    wall, cpu = snakemake(workdir, workdir / ".bench-xla-cache", cores)
    return {"plot_edit": wall, "plot_edit_cpu": cpu, "plot_edit_jobs": len(job_records(workdir, since))}


def again_warm(workdir: Path, cores: int) -> dict:
    """The end-to-end run again from an empty results/, with the compilation cache it left."""
    for stale in ("results", ".snakemake"):
        shutil.rmtree(workdir / stale)
    wall, cpu = snakemake(workdir, workdir / ".bench-xla-cache", cores)
    return {"e2e_warm": wall, "e2e_warm_cpu": cpu}


def measure(workdirs: list[Path], cores: int) -> list[dict]:
    """Stage by stage, each stage on every checkout in turn: a drift in machine load then
    touches all checkouts alike."""
    results = [{} for _ in workdirs]
    for r, w in zip(results, workdirs):
        r.update(end_to_end(w, cores))
    for r, w in zip(results, workdirs):
        r.update(fixed_costs(w, r["experiments"]))
    for r, w in zip(results, workdirs):
        r.update(plot_edit(w, cores))
    for r, w in zip(results, workdirs):
        r.update(again_warm(w, cores))
    return results


def report(names: list[str], results: list[dict]) -> None:
    rows: list[tuple[str, list[str]]] = [("", names)]
    add = lambda label, vals: rows.append((label, list(vals)))
    add("end to end (Snakemake process), wall s / CPU s", 
        (f"{r['e2e']:.1f} / {r['e2e_cpu']:.1f}" for r in results))
    add("per-rule sum of job wall, s (jobs)", ("" for _ in results))
    for rule in sorted({k for r in results for k in r["rules"]}):
        add(f"  {rule}", (f"{r['rules'][rule][0]:.1f} ({r['rules'][rule][1]})" if rule in r["rules"] else "-" for r in results))
    add("  all jobs", (f"{sum(v[0] for v in r['rules'].values()):.1f}" for r in results))
    add("sample job wall, s (each)", (" ".join(f"{x:.1f}" for x in r["sample_jobs"]) for r in results))
    add(f"train job fixed cost, s: total = {'+'.join(FIXED_STAGES)}", ("" for _ in results))
    for key in sorted({k for r in results for k in r if k.startswith("fixed ")}):
        add(f"  {key[6:]}", (
            f"{r[key]['total']:.1f} = " + "+".join(f"{r[key][s]:.1f}" for s in FIXED_STAGES) if key in r else "-"
            for r in results
        ))
    add("plot-edit cycle (plots.dpi), wall s / CPU s (jobs)",
        (f"{r['plot_edit']:.1f} / {r['plot_edit_cpu']:.1f} ({r['plot_edit_jobs']} jobs)" for r in results))
    add("end to end again, warm cache, wall s / CPU s",
        (f"{r['e2e_warm']:.1f} / {r['e2e_warm_cpu']:.1f}" for r in results))
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    label_w = max(len(label) for label, _ in rows)
    col_w = max(len(v) for _, vals in rows for v in vals)
    for label, vals in rows:
        print(f"{label:<{label_w}}" + "".join(f"  {v:>{col_w}}" for v in vals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", nargs="+", type=Path, default=[REPO], help="repository roots to compare")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directories")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        fixed_cost_worker(*args.worker)
        return
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="toygan-startup-"))
    names = [f"{c.resolve().name}" for c in args.checkouts]
    workdirs = []
    for i, checkout in enumerate(args.checkouts):
        workdirs.append(scratch / f"{i}-{names[i]}")
        copy_checkout(checkout.resolve(), workdirs[-1])
    try:
        results = measure(workdirs, args.cores)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"scratch kept: {scratch}")
    report(names, results)


if __name__ == "__main__":
    main()
