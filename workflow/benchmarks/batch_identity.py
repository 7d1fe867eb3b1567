"""When does a replica's result depend on how many replicas share its job? (docs/sweeps.md,
"a known exception".)

    python workflow/benchmarks/batch_identity.py

    python workflow/benchmarks/batch_identity.py --epochs 40   # longer runs show more

For each case (rows per block, latent dim, hidden units), trains the teaching loop on 1-D data
for --epochs epochs of 5 blocks as a job of 4 replicas and as jobs of other sizes, and prints
whether the replicas they share (the first min(size, 4)) have D and G losses that agree to the
bit, with replicas x rows x units beside each job size. A job of 1 replica is its own case:
XLA drops a replica axis of size 1 and computes plain matrix products instead of batched ones.
No Snakemake: GroupTrainer directly, one process, single-threaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toygan.training.tfsetup import import_tensorflow  # noqa: E402

# (rows per block, latent dim, hidden units, job sizes compared with a job of 4)
CASES = [
    (24, 32, 64, [1, 2, 16, 20, 23, 24]),
    (50, 32, 64, [1, 2, 8, 10, 12, 16]),
    (200, 16, 32, [1, 2, 5, 6, 10]),  # the shipped `normal`
    (24, 32, 16, [16, 25]),
    (16, 32, 64, [16, 24]),
    (400, 32, 64, [8, 27, 32]),  # the example sweep's two_normals
]


def losses(rows: int, latent: int, units: int, replicas: int, epochs: int) -> list[np.ndarray]:
    from toygan.config.validate import validate_config
    from toygan.training.group import GroupTrainer

    cfg = validate_config({"datasets": {"d": {"kind": "normal", "n": 200}}, "experiments": {"e": {
        "dataset": "d", "latent": {"dim": latent, "distribution": "uniform", "low": -1.0, "high": 1.0},
        "generator": {"hidden": [units]}, "discriminator": {"hidden": [units]},
        "training": {"epochs": epochs, "batches": 5, "checkpoint_every": 0}}}})
    data = np.random.default_rng(0).normal(size=(rows * 5, 1)).astype(np.float32)
    trainer = GroupTrainer(cfg["experiments"]["e"], data, list(range(replicas)))
    trainer.fit()
    return [np.asarray(h) for h in trainer.history.losses()[:2]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=6, help="epochs of 5 blocks per job (default 6)")
    epochs = ap.parse_args().epochs
    import_tensorflow(1)
    print(f"{'rows/block':>10} {'units':>5} {'replicas':>8} {'R x rows x units':>16}  same as a job of 4?")
    for rows, latent, units, sizes in CASES:
        ref = losses(rows, latent, units, 4, epochs)
        for n in sizes:
            k = min(n, 4)
            other = losses(rows, latent, units, n, epochs)
            same = all(np.array_equal(a[:, :k], b[:, :k]) for a, b in zip(ref, other))
            print(f"{rows:>10} {units:>5} {n:>8} {n * rows * units:>16,}  {'yes' if same else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
