"""Cost of resumable checkpoints: training time with `checkpoint_every` N versus 0 (off).

Trains the shipped experiment (default two_normals: 1500 epochs, its seed group of 3) twice,
back to back in this one process, exactly as a train job does (same trainer, same checkpoint
writer), and prints both times and their ratio. The timed span is `GroupTrainer.fit`, which
includes the XLA compilation of the first chunk (a train job pays it too) and every
checkpoint write, but not TensorFlow's import or the per-seed exports.

    python workflow/benchmarks/checkpoint_overhead.py [--experiment two_normals] [--every 250] [--repeats 2]

A short warm-up training first absorbs the process's one-time costs (TensorFlow runtime and
XLA start-up), which would otherwise land on whichever setting runs first. Then each repeat
trains both settings, in alternating order (off/on, on/off, ...) so that a drift in machine
load does not favour one; the medians are reported. The two settings must give identical
weights: checkpointing only reads the state.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow"))

from toygan.training.tfsetup import import_tensorflow  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(REPO / "config.yaml"))
    ap.add_argument("--experiment", default="two_normals")
    ap.add_argument("--every", type=int, default=250, help="checkpoint_every of the checkpointed run")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    import_tensorflow(args.threads)
    import keras

    from toygan.training import checkpoint
    from toygan.data import datasets
    from toygan.config.validate import seed_groups, validate_config
    from toygan.training.group import GroupTrainer

    cfg = validate_config(yaml.safe_load(Path(args.config).read_text()))
    base = cfg["experiments"][args.experiment]
    data = datasets.training_data(cfg["datasets"][base["dataset"]])
    seeds = seed_groups(base)[0]

    def train(every: int, ckpt: Path, epochs: int | None = None) -> tuple[float, float, list[float], list[np.ndarray]]:
        """(fit seconds, seconds of the first compiled chunk (XLA compilation), checkpoint write times, weights)."""
        exp = copy.deepcopy(base)
        exp["training"]["checkpoint_every"] = every
        if epochs is not None:
            exp["training"]["epochs"] = epochs
        keras.utils.set_random_seed(seeds[0])
        trainer = GroupTrainer(exp, data, seeds)
        fp = checkpoint.fingerprint(exp, data, seeds)
        writes = []  # seconds of each checkpoint write

        def save(t):  # what training_job.run does at each checkpoint
            t0 = time.perf_counter()
            checkpoint.save(ckpt, t.state_arrays(), fp)
            writes.append(time.perf_counter() - t0)

        chunks = []
        run_chunk = trainer._run

        def timed_chunk(*a):
            t0 = time.perf_counter()
            out = run_chunk(*a)
            chunks.append(time.perf_counter() - t0)
            return out

        trainer._run = timed_chunk
        start = time.perf_counter()
        trainer.fit(on_checkpoint=save)
        seconds = time.perf_counter() - start
        return seconds, chunks[0], writes, [v.numpy() for v in trainer.state_vars]

    times: dict[int, list[float]] = {0: [], args.every: []}
    steady: dict[int, list[float]] = {0: [], args.every: []}  # fit minus the compiling first chunk
    weights: dict[int, list[np.ndarray]] = {}
    writes: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        seconds, _, _, _ = train(0, Path(tmp) / "warmup.npz", epochs=20)
        print(f"  warm-up (20 epochs, not counted): {seconds:.2f} s", flush=True)
        for i in range(args.repeats):
            for every in (0, args.every) if i % 2 == 0 else (args.every, 0):
                seconds, first, w_times, w = train(every, Path(tmp) / f"ckpt{i}_{every}.npz")
                times[every].append(seconds)
                steady[every].append(seconds - first)
                weights[every] = w
                if every:
                    writes = w_times
                print(f"  run {i + 1}: checkpoint_every {every:4d}: {seconds:7.2f} s "
                      f"(first chunk, compiling: {first:.2f} s; {len(w_times)} checkpoints, "
                      f"{sum(w_times):.3f} s writing them)", flush=True)
        size = max((p.stat().st_size for p in Path(tmp).glob("*.npz")), default=0)

    same = all(np.array_equal(a, b) for a, b in zip(weights[0], weights[args.every]))
    off, on = statistics.median(times[0]), statistics.median(times[args.every])
    s_off, s_on = statistics.median(steady[0]), statistics.median(steady[args.every])
    tr = base["training"]
    print(
        f"{args.experiment}: {tr['epochs']} epochs, seeds {seeds}, {len(writes)} checkpoints of {size / 1024:.0f} KiB\n"
        f"checkpoint_every 0:    {off:.2f} s (median of {args.repeats})\n"
        f"checkpoint_every {args.every}: {on:.2f} s (median of {args.repeats})\n"
        f"ratio: {on / off:.3f}\n"
        f"without the first (compiling) chunk: {s_off:.2f} s vs {s_on:.2f} s, ratio {s_on / s_off:.3f}\n"
        f"checkpoint writes alone (last run): {sum(writes):.3f} s = {100 * sum(writes) / on:.2f} % of its training time "
        f"({1000 * statistics.mean(writes) if writes else 0:.0f} ms each)\n"
        f"identical weights: {same}"
    )
    if not same:
        sys.exit("checkpointing changed the training result")


if __name__ == "__main__":
    main()
