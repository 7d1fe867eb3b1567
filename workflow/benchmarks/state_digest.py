"""A digest of the trained state of five training configurations, to check that a code change
leaves training bit-identical on this machine.

    python workflow/benchmarks/state_digest.py                 # all five
    python workflow/benchmarks/state_digest.py recipe wgan_gp  # some

Each configuration trains seeds 0, 1 and 2 as one group for a few epochs in this process and
prints the SHA-256 (first 16 hex digits) of every trained variable (G, D, G's average) and of
the loss history. Run it on two checkouts (``PYTHONPATH=<checkout>/workflow``): equal digests
mean equal training. Digests depend on the CPU and the TensorFlow build, so compare runs made
on one machine.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toygan.training.tfsetup import import_tensorflow  # noqa: E402

import_tensorflow(1)

from toygan.config.validate import validate_config  # noqa: E402
from toygan.data import datasets  # noqa: E402
from toygan.training.group import GroupTrainer  # noqa: E402

TWO_NORMALS = {"kind": "mixture", "n": 2000, "seed": 0,
               "components": [{"mean": 0.0, "std": 1.0}, {"mean": 5.0, "std": 2.0}]}
UNIFORM = {"dim": 32, "distribution": "uniform", "low": -1.0, "high": 1.0}


def _net(optimizer: dict) -> dict:
    return {"hidden": [64], "optimizer": optimizer}


CASES: dict[str, tuple[dict, dict]] = {
    "teaching": (TWO_NORMALS, {  # config.yaml's two_normals, 60 epochs
        "latent": UNIFORM,
        "generator": _net({"name": "rmsprop", "learning_rate": 0.0005}),
        "discriminator": _net({"name": "rmsprop", "learning_rate": 0.001}),
        "loss": {"name": "bce_smoothed", "real_label": 0.9, "fake_label": 0.1},
        "training": {"epochs": 60, "batches": 5}}),
    "recipe": (TWO_NORMALS, {  # the 1-D recipe's training on the teaching loop's networks, 60 epochs
        "latent": UNIFORM,
        "generator": _net({"name": "adam", "learning_rate": 0.003, "beta_1": 0.5, "schedule": {"name": "cosine"}}),
        "discriminator": _net({"name": "adam", "learning_rate": 0.003, "beta_1": 0.5, "schedule": {"name": "cosine"}}),
        "loss": {"name": "nonsaturating", "r1_gamma": 3.0},
        "training": {"epochs": 60, "batches": 5, "shuffle": True, "ema": {"decay": 0.999, "start_epoch": 30}}}),
    "normal_latent": ({"kind": "ring"}, {
        "loss": {"name": "nonsaturating"}, "training": {"epochs": 4, "batch_size": 256}}),
    "pack_maxout": ({"kind": "grid"}, {
        "loss": {"name": "nonsaturating"}, "discriminator": {"layer": "maxout"},
        "training": {"epochs": 4, "batch_size": 256, "pack": 2}}),
    "wgan_gp": ({"kind": "ring"}, {
        "loss": {"name": "wgan_gp"}, "training": {"epochs": 3, "batch_size": 256}}),
}


def digest(name: str) -> tuple[str, str]:
    dataset, experiment = CASES[name]
    experiment = {**experiment, "dataset": "d",
                  "training": {**experiment["training"], "checkpoint_every": 0}}
    cfg = validate_config({"datasets": {"d": dataset}, "experiments": {"e": experiment}})
    trainer = GroupTrainer(cfg["experiments"]["e"], datasets.training_data(cfg["datasets"]["d"]), [0, 1, 2])
    trainer.fit()
    state, losses = hashlib.sha256(), hashlib.sha256()
    for v in trainer.state_vars:
        state.update(v.numpy().tobytes())
    for a in trainer.history.losses():
        losses.update(a.tobytes())
    return state.hexdigest()[:16], losses.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", choices=[*CASES, []], help="default: all")
    for name in ap.parse_args(argv).cases or CASES:
        state, losses = digest(name)
        print(f"{name:14s} state {state}  losses {losses}", flush=True)


if __name__ == "__main__":
    main()
