"""Training speed, side by side in one run: the reference teaching loop vs toygan's trainer.

    python workflow/benchmarks/speed.py                 # two_normals, 300 epochs, seeds 0 1 2
    python workflow/benchmarks/speed.py --epochs 1500 --group 10

Each measurement runs in its own process, back to back, on the same machine (so TensorFlow
start-up and thread pools are counted the same way for both). Printed per trainer: steady
steps/s (after compilation), wall time of the process, peak RSS, and W1 / noise floor of the
final generator (10,000 samples vs held-out real data), so speed is never bought with quality.

The reference is the classic Keras example as written: tf-keras (Keras 2) in graph mode,
legacy RMSprop, D and the frozen-D combined model compiled once, ``train_on_batch`` twice per
contiguous block from a Python loop. It needs the benchmark extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow"))


def shipped_experiment(epochs: int) -> tuple[dict, dict]:
    from toygan.config.validate import validate_config

    cfg = validate_config(yaml.safe_load((REPO / "config.yaml").read_text()))
    exp = cfg["experiments"]["two_normals"]
    exp["training"].update(epochs=epochs, checkpoint_every=0, log_every=epochs)
    return exp, cfg


def w1_over_floor(gen: np.ndarray, cfg: dict) -> float:
    from toygan.data import datasets
    from toygan.evaluation import metrics

    spec = cfg["datasets"]["two_normals"]
    a, b = datasets.heldout_pair(spec, 10_000, cfg["evaluation"]["seed"])
    sub = cfg["evaluation"]["ot_subsample"]
    return metrics.w1(a, gen[: len(a)], ot_subsample=sub) / metrics.w1(a, b, ot_subsample=sub)


# ----- workers (each in its own process) ------------------------------------------------
def reference_worker(epochs: int, seed: int) -> dict:
    """The teaching loop, faithfully: tf-keras graph mode and train_on_batch per block."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf_keras as keras

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.compat.v1.disable_eager_execution()
    keras.utils.set_random_seed(seed)
    exp, cfg = shipped_experiment(epochs)
    from toygan.data import datasets

    real = datasets.training_data(cfg["datasets"]["two_normals"]).astype(np.float32)
    h, k = exp["generator"]["hidden"][0], exp["latent"]["dim"]
    D = keras.Sequential([keras.layers.Dense(h, activation="relu", input_dim=1),
                          keras.layers.Dense(1, activation="sigmoid")])
    D.compile(loss="binary_crossentropy", optimizer=keras.optimizers.legacy.RMSprop(learning_rate=0.001))
    G = keras.Sequential([keras.layers.Dense(h, activation="relu", input_dim=k),
                          keras.layers.Dense(1, activation="linear")])
    D.trainable = False
    gan = keras.Sequential([G, D])
    gan.compile(loss="binary_crossentropy", optimizer=keras.optimizers.legacy.RMSprop(learning_rate=0.0005))
    batches = exp["training"]["batches"]
    size = len(real) // batches
    bounds = [(i * size, (i + 1) * size if i < batches - 1 else len(real)) for i in range(batches)]
    rng = np.random.default_rng(seed)

    def epoch():
        for lo, hi in bounds:
            n = hi - lo
            z = rng.uniform(-1, 1, size=(n, k)).astype(np.float32)
            fake = G.predict(z, verbose=0)
            x = np.concatenate([real[lo:hi], fake])
            y = np.concatenate([np.full((n, 1), 0.9), np.full((n, 1), 0.1)])
            D.train_on_batch(x, y)
            gan.train_on_batch(z, np.full((n, 1), 0.9))

    epoch()  # first calls build the graph functions: not steady state
    start = time.perf_counter()
    for _ in range(epochs - 1):
        epoch()
    steady = time.perf_counter() - start
    z = rng.uniform(-1, 1, size=(10_000, k)).astype(np.float32)
    gen = G.predict(z, verbose=0, batch_size=4096).astype(np.float64)
    return {"steps_per_s": (epochs - 1) * batches / steady, "w1_ratio": w1_over_floor(gen, cfg)}


def ours_worker(epochs: int, seeds: list[int], xla: bool = True, snapshots: bool = False) -> dict:
    from toygan.training.tfsetup import import_tensorflow

    import_tensorflow(1)
    import keras

    from toygan.data import datasets
    from toygan.sampling.sample import latent
    from toygan.training.group import GroupTrainer

    keras.utils.set_random_seed(seeds[0])
    exp, cfg = shipped_experiment(epochs)
    if not snapshots:  # the animation's snapshots are a toygan extra the reference does not do
        exp["training"]["snapshots"] = 0
    real = datasets.training_data(cfg["datasets"]["two_normals"])
    trainer = GroupTrainer(exp, real, seeds, xla=xla)
    t0 = time.perf_counter()
    trainer.compile()  # a call for zero epochs: traces and compiles, changes nothing
    compile_s = time.perf_counter() - t0
    start = time.perf_counter()
    trainer.fit()
    steady = time.perf_counter() - start
    ratios = []
    for r, seed in enumerate(seeds):
        z = latent(trainer.settings.exp.latent, 10_000, seed)
        gen = trainer.G.to_keras(r).predict(z, verbose=0, batch_size=4096).astype(np.float64)
        ratios.append(w1_over_floor(gen, cfg))
    steps = epochs * trainer.n_blocks * len(seeds)
    return {"steps_per_s": steps / steady, "compile_s": compile_s, "w1_ratio": float(np.mean(ratios)),
            "w1_ratios": ratios}


# Our trainer's variants: the headline one records what the reference records (losses) plus the
# periodic W1; "+snapshots" also keeps the shipped config's 30 animation snapshots.
KINDS = {
    "reference": None,
    "ours": {"xla": True, "snapshots": False},
    "ours+snapshots": {"xla": True, "snapshots": True},
    "ours-no-xla": {"xla": False, "snapshots": False},
}


def run_worker(kind: str, epochs: int, seeds: list[int]) -> dict:
    """Run one worker in a fresh process; add its wall time and peak RSS."""
    cmd = [sys.executable, __file__, "--worker", kind, "--epochs", str(epochs), "--seeds", *map(str, seeds)]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--group", type=int, default=10, help="seed-group size to compare (0 skips)")
    parser.add_argument("--worker", choices=list(KINDS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.worker == "reference":
            result = reference_worker(args.epochs, args.seeds[0])
        else:
            result = ours_worker(args.epochs, args.seeds, **KINDS[args.worker])
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    print(f"two_normals, {args.epochs} epochs x 5 blocks, 1 thread per process, seeds {args.seeds}")
    print(f"{'trainer':<34}{'steps/s':>10}{'wall s':>9}{'RSS MB':>9}{'W1/floor':>10}")
    rows = {}
    for kind in KINDS:
        results = [run_worker(kind, args.epochs, [s]) for s in args.seeds]
        rows[kind] = results
        for s, r in zip(args.seeds, results):
            print(f"{kind + f' seed {s}':<34}{r['steps_per_s']:>10.0f}{r['wall_s']:>9.1f}"
                  f"{r['peak_rss_mb']:>9.0f}{r['w1_ratio']:>10.2f}")
    no_xla = np.mean([r["steps_per_s"] for r in rows["ours-no-xla"]])
    ref = np.mean([r["steps_per_s"] for r in rows["reference"]])
    ours = np.mean([r["steps_per_s"] for r in rows["ours"]])
    snaps = np.mean([r["steps_per_s"] for r in rows["ours+snapshots"]])
    print(f"with the animation's 30 snapshots: {snaps:.0f} steps/s -> {snaps / ref:.1f}x the reference")
    print(f"XLA: compiled steps/s {ours:.0f} vs plain tf.function {no_xla:.0f} -> {ours / no_xla:.1f}x; "
          f"compile {np.mean([r['compile_s'] for r in rows['ours']]):.1f} s vs "
          f"{np.mean([r['compile_s'] for r in rows['ours-no-xla']]):.1f} s")
    ref_q = [r["w1_ratio"] for r in rows["reference"]]
    our_q = [r["w1_ratio"] for r in rows["ours"]]
    print(f"\nsteady steps/s, mean over seeds: reference {ref:.0f}, ours {ours:.0f}  ->  ours/reference = {ours / ref:.1f}x")
    print(f"W1/floor, mean ± s.e. over seeds: reference {np.mean(ref_q):.2f} ± {np.std(ref_q, ddof=1) / np.sqrt(len(ref_q)):.2f}"
          f", ours {np.mean(our_q):.2f} ± {np.std(our_q, ddof=1) / np.sqrt(len(our_q)):.2f}")
    walls = (np.mean([r["wall_s"] for r in rows["reference"]]), np.mean([r["wall_s"] for r in rows["ours"]]))
    print(f"whole process (import, build/compile, train, score): reference {walls[0]:.1f} s, ours {walls[1]:.1f} s"
          f"  ->  {walls[0] / walls[1]:.1f}x")

    if args.group:
        seeds = list(range(args.group))
        group = run_worker("ours", args.epochs, seeds)
        singles = [run_worker("ours", args.epochs, [s]) for s in seeds]
        single_wall = sum(r["wall_s"] for r in singles)
        single_steps = np.mean([r["steps_per_s"] for r in singles])
        print(f"\n{args.group} seeds as one seed group: {group['wall_s']:.1f} s wall, {group['steps_per_s']:.0f} "
              f"replica-steps/s, peak RSS {group['peak_rss_mb']:.0f} MB, W1/floor {group['w1_ratio']:.2f}")
        print(f"{args.group} single runs, one process each: {single_wall:.1f} s wall, {single_steps:.0f} steps/s each")
        print(f"seed group vs single runs: {single_wall / group['wall_s']:.1f}x faster (wall), "
              f"{group['steps_per_s'] / single_steps:.1f}x steady throughput")


if __name__ == "__main__":
    main()
