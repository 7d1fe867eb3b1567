"""Cluster resources of a train job, sized from the experiment (no TensorFlow)."""

from __future__ import annotations

import math
import os

from ..config.settings import Experiment
from ..data import datasets

# Effective CPU throughput of our compiled trainer on tiny MLPs, per thread (measured on
# the 2-core CI machines with benchmarks/speed.py; kept conservative for runtime limits).
FLOPS_PER_THREAD = 1.0e9
STARTUP_MINUTES = 3  # TensorFlow import, XLA compile, export


def data_rows(spec: dict) -> int:
    if spec["kind"] != "file":
        return int(spec["n"])
    try:  # about 20 bytes a row in a CSV; an estimate is enough for a time limit
        return max(1, os.path.getsize(spec["path"]) // 20)
    except OSError:
        return 10_000


def training_flops(experiment: Experiment, n_rows: int, dim: int) -> float:
    """Multiply-adds x 2 of forward and backward passes over all epochs (one seed)."""
    tr = experiment.training
    g_sizes = [experiment.latent.width, *experiment.generator.hidden, dim]
    d_sizes = [dim * tr.pack, *experiment.discriminator.hidden, 1]

    def macs(sizes):
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))

    d_rows = 2 * n_rows * tr.n_critic / tr.pack
    per_epoch = 3 * 2 * (n_rows * macs(g_sizes) + (d_rows + n_rows / tr.pack) * macs(d_sizes))
    if experiment.loss.name == "wgan_gp":
        per_epoch *= 1.6
    return per_epoch * tr.epochs


def train_resources(experiment: dict, dataset: dict, group_size: int) -> dict:
    """threads, mem_mb and runtime (minutes) for one train job of ``group_size`` seeds."""
    experiment = Experiment.parse(experiment)
    dim = datasets.dim(dataset, unreadable=2)
    rows = data_rows(dataset)
    threads = experiment.training.threads
    flops = training_flops(experiment, rows, dim) * group_size
    minutes = STARTUP_MINUTES + flops / (FLOPS_PER_THREAD * threads) / 60
    # TensorFlow itself needs ~1 GB; data, snapshots and history are small next to it. A replica
    # adds ~20 MB (peak RSS of a two_normals train job: 1055 MB with 3, 1768 MB with 36
    # replicas, workflow/benchmarks/sweep_batching.py); 50 MB leaves a margin.
    mem_mb = 1500 + math.ceil(rows * dim * 4 * 8 * group_size / 2**20) + 50 * group_size
    return {"threads": threads, "mem_mb": int(mem_mb), "runtime": int(math.ceil(minutes * 1.5))}
