"""Sweeps at scale: how many jobs a sweep makes and how long Snakemake takes to plan them.

    python workflow/benchmarks/sweep_scale.py                      # dry runs at 100, 400, 1000 points
    python workflow/benchmarks/sweep_scale.py --points 100 400     # other sizes
    python workflow/benchmarks/sweep_scale.py --run                # + the example sweep end to end
    python workflow/benchmarks/sweep_scale.py --run --run-points 100 --epochs 300

The sweeps are workflow/examples/sweep_two_normals.yaml with its grid replaced by n values of
loss.real_label x n of generator.optimizer.learning_rate (n x n points, 3 seeds each; 1000
points means a 32 x 32 grid, 1024 points). Each is planned with `snakemake -n` in a scratch
directory; printed are the jobs Snakemake plans (its job table), the per-run figure jobs that
follow once the ranking is known (the best and worst point by default), the wall and CPU time
of the dry run and its peak memory (the largest resident set of the snakemake process). On a
machine busy with other work, the CPU time is the steadier number.

With --run, the example sweep (or --run-points points) runs end to end on --cores: printed are
the jobs run, the end-to-end wall time and CPU time (all processes), and the train jobs' part
of both, read from their benchmark files (results/benchmarks/train/), and that of the jobs
that sample and score (results/benchmarks/runs/).

--snakefile runs another checkout's workflow on the same sweeps, e.g. an older commit's
(`git archive <commit> | tar -x -C /tmp/old`, then --snakefile /tmp/old/Snakefile): its
job counts and times beside these. Its "+figures" column then means nothing.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "workflow" / "examples" / "sweep_two_normals.yaml"
SNAKEFILE = REPO / "Snakefile"  # --snakefile


def sweep_config(points: int | None, epochs: int | None = None) -> dict:
    """The example sweep; with ``points``, its grid replaced by about that many points (n x n)."""
    cfg = yaml.safe_load(EXAMPLE.read_text())
    cfg.pop("x-example", None)
    sweep = cfg["sweeps"]["lr_smoothing"]
    if points is not None:
        n = max(2, math.ceil(math.sqrt(points)))
        sweep["grid"] = {
            "loss.real_label": [round(0.5 + 0.5 * i / (n - 1), 4) for i in range(n)],
            "generator.optimizer.learning_rate": [float(f"{1e-4 * 100 ** (i / (n - 1)):.3g}") for i in range(n)],
        }
        sweep.pop("zip", None)
        sweep["labels"] = {"generator.optimizer.learning_rate": "g_lr"}
    if epochs is not None:
        sweep["base"]["training"]["epochs"] = epochs
    return cfg


def n_points(cfg: dict) -> int:
    sweep = cfg["sweeps"]["lr_smoothing"]
    zipped = len(next(iter(sweep["zip"].values()))) if sweep.get("zip") else 1
    return math.prod(len(v) for v in sweep["grid"].values()) * zipped


def snakemake(workdir: Path, config: Path, *args: str) -> tuple[str, float, float, float]:
    """Run snakemake; return its output, wall time, CPU time (it and its children) and peak RSS (MB)."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "-d", str(workdir),
           "--configfile", str(config), *args]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    log = workdir / "snakemake.out"
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this process's own usage, not earlier runs'
    wall = time.perf_counter() - start
    text = log.read_text()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"snakemake failed in {workdir}:\n{text[-6000:]}")
    return text, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss: KB on Linux


def job_table(output: str) -> dict[str, int]:
    """Rule -> job count from Snakemake's 'Job stats' table (the last one printed)."""
    jobs: dict[str, int] = {}
    for block in output.split("Job stats:")[1:]:
        jobs = {}
        for line in block.splitlines()[3:]:
            m = re.match(r"^(\S+)\s+(\d+)$", line.strip())
            if not m:
                break
            if m.group(1) != "total":
                jobs[m.group(1)] = int(m.group(2))
    return jobs


def kinds(jobs: dict[str, int]) -> dict[str, int]:
    """Job counts by kind: generated rules (train_<label>, runs_<label>) counted together."""
    out: dict[str, int] = {}
    for rule, n in jobs.items():
        kind = rule.split("_", 1)[0] if rule.startswith(("train_", "runs_", "sample_")) else rule
        out[kind] = out.get(kind, 0) + n
    return out


def figure_jobs(cfg: dict) -> int:
    """Jobs drawn after the ranking: one per point drawn (its runs' figures and animations and
    its dashboard; the sweep's `figures` settings: the best and worst by default)."""
    sweep = cfg["sweeps"]["lr_smoothing"]
    fig = {"all": False, "best": 1, "worst": 1, "points": [], **sweep.get("figures", {})}
    points = n_points(cfg) if fig["all"] else min(n_points(cfg), fig["best"] + fig["worst"]) + len(fig["points"])
    return points


def dry_runs(sizes: list[int], scratch: Path) -> None:
    print(f"{'points':>6} {'runs':>5} {'jobs':>5} {'+figures':>8} {'wall s':>6} {'CPU s':>6} {'peak MB':>7}  jobs by kind")
    for size in sizes:
        cfg = sweep_config(size)
        workdir = scratch / f"dry{size}"
        workdir.mkdir()
        config = workdir / "sweep.yaml"
        config.write_text(yaml.safe_dump(cfg, sort_keys=False))
        out, wall, cpu, peak = snakemake(workdir, config, "-n", "--quiet", "rules")
        jobs = job_table(out)
        runs = n_points(cfg) * len(cfg["sweeps"]["lr_smoothing"]["base"]["seeds"])
        by_kind = ", ".join(f"{k} {v}" for k, v in kinds(jobs).items())
        print(f"{n_points(cfg):>6} {runs:>5} {sum(jobs.values()):>5} {figure_jobs(cfg):>8} {wall:>6.1f} {cpu:>6.1f} {peak:>7.0f}  "
              f"{by_kind}", flush=True)


def benchmark_seconds(workdir: Path, stage: str) -> tuple[float, float]:
    """Wall and CPU seconds of one stage (results/benchmarks/<stage>/). The wall time is the
    time at least one of its jobs ran: the union of their [end - wall, end] intervals, each
    job's end being when Snakemake wrote its benchmark file, so jobs that ran side by side
    count once. The CPU time is summed."""
    intervals, cpu = [], 0.0
    for path in (workdir / "results" / "benchmarks" / stage).rglob("*.tsv"):
        end = path.stat().st_mtime
        with path.open() as f:
            for row in csv.DictReader(f, delimiter="\t"):
                intervals.append((end - float(row["s"]), end))
                cpu += float(row["cpu_time"]) if row.get("cpu_time") not in (None, "", "NA") else 0.0
    return union_length(intervals), cpu


def union_length(intervals: list[tuple[float, float]]) -> float:
    """Total length covered by the intervals (overlaps counted once)."""
    total, reach = 0.0, -math.inf
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def end_to_end(points: int | None, epochs: int | None, cores: int, scratch: Path) -> None:
    cfg = sweep_config(points, epochs)
    workdir = scratch / "run"
    workdir.mkdir()
    config = workdir / "sweep.yaml"
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    out, wall, cpu, _ = snakemake(workdir, config, "--cores", str(cores))
    done = len(re.findall(r"^Finished jobid", out, re.MULTILINE))
    train_wall, train_cpu = benchmark_seconds(workdir, "train")
    print(f"\n{n_points(cfg)} points x 3 seeds, {cfg['sweeps']['lr_smoothing']['base']['training']['epochs']} epochs, "
          f"--cores {cores}: {done} jobs run")
    print(f"{'':>16} {'wall s':>8} {'CPU s':>8}")
    print(f"{'end to end':>16} {wall:>8.0f} {cpu:>8.0f}")
    print(f"{'train jobs':>16} {train_wall:>8.0f} {train_cpu:>8.0f}")
    runs_wall, runs_cpu = benchmark_seconds(workdir, "runs")
    print(f"{'(sample, score)':>16} {runs_wall:>8.0f} {runs_cpu:>8.0f}   part of everything else")
    print(f"{'everything else':>16} {wall - train_wall:>8.0f} {cpu - train_cpu:>8.0f}")
    print(f"end-to-end wall / train wall: {wall / train_wall:.2f}" if train_wall else "no train benchmark found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, nargs="*", default=[100, 400, 1000], help="sweep sizes to plan")
    ap.add_argument("--run", action="store_true", help="also run a sweep end to end")
    ap.add_argument("--run-points", type=int, default=None, help="points of that sweep (default: the example's 9)")
    ap.add_argument("--epochs", type=int, default=None, help="its training epochs (default: the example's)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--snakefile", type=Path, default=REPO / "Snakefile",
                    help="another checkout's Snakefile, to compare with its layout")
    args = ap.parse_args()
    global SNAKEFILE
    SNAKEFILE = args.snakefile.resolve()
    with tempfile.TemporaryDirectory(prefix="sweep_scale_") as tmp:
        if args.points:
            dry_runs(args.points, Path(tmp))
        if args.run:
            end_to_end(args.run_points, args.epochs, args.cores, Path(tmp))


if __name__ == "__main__":
    main()
