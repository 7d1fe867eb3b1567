"""One train job: a seed group of one experiment, resumable, with per-seed outputs."""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path

import numpy as np

from .tfsetup import import_tensorflow

log = logging.getLogger(__name__)


def run(
    experiment: dict,
    data_path: str,
    seeds: list[int],
    outdirs: list[str],
    checkpoint_path: str,
    *,
    name: str,
    threads: int = 1,
) -> None:
    import_tensorflow(threads)
    import keras

    from . import checkpoint
    from .export import write_seed_outputs
    from .trainer import GroupTrainer

    # A scheduler's SIGTERM at its time limit: stop (between compiled chunks); the last checkpoint
    # is on disk and a rerun resumes from it.
    signal.signal(signal.SIGTERM, lambda *_: (log.warning("SIGTERM: stopping; rerun to resume"), sys.exit(143)))
    keras.utils.set_random_seed(seeds[0])
    data = np.load(data_path)
    log.info("%s: seeds %s, %d real rows of dimension %d", name, seeds, *data.shape)
    trainer = GroupTrainer(experiment, data, seeds)
    fp = checkpoint.fingerprint(experiment, data, seeds)
    state = checkpoint.load(checkpoint_path, fp) if experiment["training"]["checkpoint_every"] else None
    if state is not None:
        trainer.load_state(state)
        log.info("resuming from %s at epoch %d", checkpoint_path, trainer.epoch)

    def save_checkpoint(t):
        checkpoint.save(checkpoint_path, t.state_arrays(), fp)
        log.info("checkpoint at epoch %d -> %s", t.epoch, checkpoint_path)

    log.info(
        "training %d epochs x %d blocks, loss %s, %d replica(s) per step",
        experiment["training"]["epochs"], trainer.n_blocks, experiment["loss"]["name"], len(seeds),
    )
    start = time.perf_counter()
    trainer.fit(on_checkpoint=save_checkpoint)
    wall = time.perf_counter() - start
    for r, outdir in enumerate(outdirs):
        write_seed_outputs(trainer, r, outdir, experiment_name=name, wall_seconds=wall)
        if trainer.diverged_epochs[r]:
            log.warning("seed %d diverged at epoch %d; kept its last finite weights", seeds[r], trainer.diverged_epochs[r])
    if not experiment["training"]["keep_checkpoint"]:
        checkpoint.remove(checkpoint_path)
    log.info("done in %.1f s (training only)", wall)


def main_from_snakemake(smk) -> None:
    from .logs import setup

    setup(smk.log[0])
    run(
        smk.params.experiment,
        smk.input.data,
        list(smk.params.seeds),
        [str(Path(p).parent) for p in smk.output.generator],
        smk.params.checkpoint,
        name=smk.params.name,
        threads=smk.threads,
    )
