"""Sweep batching, side by side in one run: 12 points x 3 seeds of two_normals trained as
batched jobs, against one job per point (its 3 seeds as a seed group, as before sweeps).

    python workflow/benchmarks/sweep_batching.py                 # shipped 1500 epochs, --cores 1
    python workflow/benchmarks/sweep_batching.py --epochs 300 --cores 2

The sweep is workflow/examples/sweep_two_normals.yaml with 4 learning-rate pairs x 3 real
labels. Both variants run the real workflow (snakemake, train jobs only) in scratch working
directories, one after the other; only `replicas_per_job` differs (36: one job; 3: one job per
point). The data rule runs first, untimed. Printed: wall time of each and their ratio, the
train jobs' CPU time, and the largest difference of a run's final training W1 between the two.
The two agree to the bit (per-replica settings are variables, docs/sweeps.md). Also printed:
each variant's steady training throughput in replica-steps per second, read from the train
logs, and from it the most batching could gain here: the separate jobs' wall against the
batched job's training arithmetic alone, as if the batched job had no start-up at all.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow"))

from toygan.config.validate import validate_config  # noqa: E402


def sweep_config(epochs: int, replicas_per_job: int) -> dict:
    cfg = yaml.safe_load((REPO / "workflow" / "examples" / "sweep_two_normals.yaml").read_text())
    sweep = cfg["sweeps"]["lr_smoothing"]
    sweep["base"]["training"]["epochs"] = epochs
    sweep["zip"] = {"generator.optimizer.learning_rate": [0.00025, 0.0005, 0.001, 0.002],
                    "discriminator.optimizer.learning_rate": [0.0005, 0.001, 0.002, 0.004]}
    sweep["replicas_per_job"] = replicas_per_job
    return cfg


def snakemake(workdir: Path, config: Path, cores: int, targets: list[str]) -> float:
    cmd = [sys.executable, "-m", "snakemake", *targets, "-s", str(REPO / "Snakefile"), "-d", str(workdir),
           "--configfile", str(config), "--cores", str(cores), "--quiet", "all"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow")}
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if out.returncode:
        raise SystemExit(f"snakemake failed in {workdir}:\n{out.stderr[-4000:]}")
    return wall


def final_w1(workdir: Path, runs) -> dict:
    import pandas as pd

    return {r: pd.read_csv(workdir / "results" / "models" / r[0] / f"seed{r[1]}" / "history.csv")["w1"].dropna().iloc[-1]
            for r in runs}


RATE = re.compile(r"(\d+) steps/s since the last report.*\((\d+) replicas per step\)")


def steady_rate(workdir: Path) -> float:
    """Median replica-steps per second over the train logs' reports, each job's first report
    (which includes its compilation) left out unless it is the only one (short runs)."""
    rates = []
    for log in (workdir / "results" / "logs" / "train").rglob("*.log"):
        found = RATE.findall(log.read_text())
        rates += [int(steps) * int(replicas) for steps, replicas in (found[1:] or found)]
    return statistics.median(rates) if rates else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=1500)
    parser.add_argument("--cores", type=int, default=1)
    parser.add_argument("--keep", help="working directory to keep (default: a temporary one)")
    args = parser.parse_args()

    root = Path(args.keep or tempfile.mkdtemp(prefix="sweep_batching_"))
    walls, w1, cpu, rate = {}, {}, {}, {}
    for label, per_job in (("batched (36 replicas a job)", 36), ("one job per point (3 seeds)", 3)):
        workdir = root / f"rpj{per_job}"
        workdir.mkdir(parents=True, exist_ok=True)
        cfg = sweep_config(args.epochs, per_job)
        config = workdir / "config.yaml"
        config.write_text(yaml.safe_dump(cfg, sort_keys=False))
        full = validate_config(copy.deepcopy(cfg))
        runs = [(p, s) for p in full["sweeps"]["lr_smoothing"]["points"] for s in full["experiments"][p]["seeds"]]
        snakemake(workdir, config, args.cores, ["results/data/two_normals.npy"])
        targets = [f"results/models/{p}/seed{s}/run.json" for p, s in runs]
        walls[label] = snakemake(workdir, config, args.cores, targets)
        w1[label] = final_w1(workdir, runs)
        tsvs = list((workdir / "results" / "benchmarks" / "train" / "lr_smoothing").glob("*.tsv"))
        jobs = len(tsvs)
        cpu[label] = sum(float(t.read_text().splitlines()[-1].split("\t")[-1]) for t in tsvs)
        rate[label] = steady_rate(workdir)
        print(f"{label:<30} {len(runs)} replicas in {jobs:>2} train job(s): {walls[label]:7.1f} s wall", flush=True)
    (a, wa), (b, wb) = walls.items()
    diff = max(abs(w1[a][r] - w1[b][r]) for r in w1[a])
    print(f"\ntwo_normals sweep, 12 points x 3 seeds, {args.epochs} epochs, --cores {args.cores}")
    print(f"one job per point / batched = {wb:.1f} s / {wa:.1f} s = {wb / wa:.1f}x less wall time batched")
    print(f"largest difference of a run's final training W1 between the two: {diff:.2e}")
    print(f"train-job CPU time (Snakemake benchmark files): one job per point {cpu[b]:.1f} s, batched {cpu[a]:.1f} s "
          f"-> {cpu[b] / cpu[a]:.1f}x")
    replica_steps = len(w1[a]) * args.epochs * cfg["sweeps"]["lr_smoothing"]["base"]["training"]["batches"]
    floor = replica_steps / rate[a]
    print(f"steady training throughput, replica-steps/s: batched {rate[a]:,.0f}, one job per point {rate[b]:,.0f} "
          f"({rate[a] / rate[b]:.2f}x per replica)")
    print(f"the batched job's training arithmetic alone ({replica_steps:,} replica-steps at its steady rate): "
          f"{floor:.1f} s -> with no start-up at all, batching could gain at most {wb / floor:.1f}x here")
    print(f"working directories: {root}")


if __name__ == "__main__":
    main()
