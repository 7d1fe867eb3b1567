"""Wall and CPU time of whole runs of one or more configs, side by side, as a new user meets them.

    python workflow/benchmarks/example_time.py workflow/examples/ring.yaml
    python workflow/benchmarks/example_time.py A.yaml B.yaml --repeats 3   # A, B, A, B, ...
    python workflow/benchmarks/example_time.py A.yaml --max-isa AVX2       # as without AVX-512

Each run starts from an empty scratch directory and an empty XLA compilation cache (a first
run: start-up and compilation included; ``--warm`` keeps one cache per config instead), on
``--cores 2``. The configs take turns, so both see the same machine. Printed per run: the wall
time of the Snakemake process and the CPU time (user + system) of it and all its jobs; then
the median of each per config. The CPU time is the steadier figure on a shared machine.

``--max-isa AVX2`` limits the instructions XLA generates and oneDNN dispatches to (XLA_FLAGS
``--xla_cpu_max_isa``, ``ONEDNN_MAX_CPU_ISA``): on a CPU with AVX-512, an estimate of one
without it at the same clock; NumPy and SciPy keep their own dispatch.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from examples import run_config
from startup import CACHE_ENV, children_cpu


def isa_env(max_isa: str | None) -> dict[str, str]:
    """The environment that caps TensorFlow's generated and dispatched code at ``max_isa``."""
    if not max_isa:
        return {}
    flags = " ".join(filter(None, [os.environ.get("XLA_FLAGS"), f"--xla_cpu_max_isa={max_isa}"]))
    return {"XLA_FLAGS": flags, "ONEDNN_MAX_CPU_ISA": max_isa}


def timed_run(config: Path, scratch: Path, cores: int, cache: Path, env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one Snakemake run of ``config`` in an empty ``scratch``."""
    shutil.rmtree(scratch, ignore_errors=True)
    cpu0, t0 = children_cpu(), time.monotonic()
    run_config(config, scratch, cores, env={CACHE_ENV: str(cache), **(env or {})})
    return time.monotonic() - t0, children_cpu() - cpu0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("configs", nargs="+", type=Path)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--warm", action="store_true", help="keep each config's compilation cache between its runs")
    ap.add_argument("--max-isa", choices=["AVX2", "AVX"], help="cap XLA's and oneDNN's instruction set (an estimate "
                    "of a CPU without AVX-512)")
    args = ap.parse_args(argv)
    for c in args.configs:
        if not c.is_file():
            ap.error(f"no such config: {c}")

    times: dict[Path, list[tuple[float, float]]] = {c: [] for c in args.configs}
    with tempfile.TemporaryDirectory(prefix="toygan-time-") as tmp:
        root = Path(tmp)
        for r in range(args.repeats):
            for i, config in enumerate(args.configs):
                cache = root / f"xla{i}" if args.warm else root / f"xla{i}-{r}"
                wall, cpu = timed_run(config, root / f"run{i}", args.cores, cache, isa_env(args.max_isa))
                times[config].append((wall, cpu))
                print(f"run {r + 1}/{args.repeats}  {config}: {wall:6.1f} s wall, {cpu:6.1f} s CPU", flush=True)
    isa = f", XLA and oneDNN capped at {args.max_isa}" if args.max_isa else ""
    print(f"\nmedians over {args.repeats} run(s), --cores {args.cores}, "
          f"{'warm' if args.warm else 'empty'} compilation cache{isa}:")
    for config, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"  {config}: {wall:.1f} s wall, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
