"""One train job: a seed group of one experiment, or (point, seed) replicas of a sweep,
resumable, with per-replica outputs."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..config.settings import Experiment
from ..io import read_json, write_json
from ..sweeps import grid, jobs
from .tfsetup import import_tensorflow, provenance, require_gpu

log = logging.getLogger(__name__)


def run(
    experiment: dict | list[dict],
    data_path: str,
    seeds: list[int],
    outdirs: list[str],
    checkpoint_path: str | Callable[[str], str],
    *,
    name: str | list[str],
    threads: int = 1,
    stamps: list[str] | None = None,
) -> None:
    """Train replica r = (experiment[r], seeds[r]) into outdirs[r]; one experiment or name
    stands for all replicas. ``checkpoint_path`` may depend on the job's fingerprint.
    ``stamps`` (sweeps) go into each run.json as ``settings_sha256``."""
    experiments = experiment if isinstance(experiment, list) else [experiment] * len(seeds)
    names = name if isinstance(name, list) else [name] * len(seeds)
    uniform = all(e == experiments[0] for e in experiments)
    experiment = experiments[0]
    tf = import_tensorflow(threads)
    import keras

    from . import checkpoint
    from .export import write_seed_outputs
    from .group import GroupTrainer

    sigterm = Sigterm()
    if Experiment.parse(experiment).training.gpu:
        require_gpu(tf)  # before any work: never a silent fallback to the CPU
    where = provenance(tf, threads)
    log.info("TensorFlow %s, %s (%s), %d thread(s), devices: %s", where["tensorflow"], where["cpu"],
             " ".join(where["isa"]), threads, ", ".join(where["devices"]))
    keras.utils.set_random_seed(seeds[0])
    data = np.load(data_path)
    log.info("%s: seeds %s, %d real rows of dimension %d", ", ".join(dict.fromkeys(names)), seeds, *data.shape)
    # Replicas with different scalar settings (sweep points) need the per-replica interface.
    trainer = GroupTrainer(experiment if uniform else experiments, data, seeds)
    fp = checkpoint.fingerprint(experiment if uniform else experiments, data,
                                seeds if len(set(names)) == 1 else list(zip(names, seeds)))
    if callable(checkpoint_path):
        checkpoint_path = checkpoint_path(fp)
    training = trainer.training
    state = checkpoint.load(checkpoint_path, fp) if training.checkpoint_every else None
    if state is not None:
        trainer.load_state(state)
        log.info("resuming from %s at epoch %d", checkpoint_path, trainer.epoch)

    def save_checkpoint(t):
        checkpoint.save(checkpoint_path, t.state_arrays(), fp)
        log.info("checkpoint at epoch %d -> %s", t.epoch, checkpoint_path)

    log.info(
        "training %d epochs x %d blocks, loss %s, %d replica(s) per step",
        training.epochs, trainer.n_blocks, trainer.settings.exp.loss.name, len(seeds),
    )
    start = time.perf_counter()
    sigterm.phase = "training"
    if not trainer.fit(on_checkpoint=save_checkpoint, stop_requested=sigterm.requested.is_set):
        with sigterm.saving:
            if training.checkpoint_every:
                save_checkpoint(trainer)
                log.warning("SIGTERM: stopping at epoch %d with a checkpoint; rerun to resume", trainer.epoch)
            else:
                log.warning("SIGTERM: stopping at epoch %d; checkpoints are off, a rerun starts at epoch 0",
                            trainer.epoch)
        _exit_now(143)
    wall = time.perf_counter() - start
    sigterm.phase = "writing"
    for r, outdir in enumerate(outdirs):
        write_seed_outputs(trainer, r, outdir, experiment_name=names[r], wall_seconds=wall, provenance=where)
        if stamps:
            _stamp(Path(outdir) / "run.json", stamps[r])
        if trainer.diverged_epochs[r]:
            log.warning("%s seed %d diverged at epoch %d; kept its last finite weights",
                        names[r], seeds[r], trainer.diverged_epochs[r])
    if not training.keep_checkpoint:
        checkpoint.remove(checkpoint_path)
    log.info("done in %.1f s (training only)", wall)


GRACE_SECONDS = 10.0  # a train job still busy this long after a SIGTERM exits without a new checkpoint


class Sigterm:
    """A SIGTERM (a scheduler's time limit, ``scancel``, Snakemake stopping) by the job's phase:

    * ``setup`` (before training): exit 143 at once; the checkpoint on disk is the state;
    * ``training``: training stops at the next epoch boundary between compiled calls (about
      a second, toygan.training.group.CALL_SECONDS), the job saves a checkpoint there and
      exits 143; a rerun resumes from it to the result of an uninterrupted run;
    * ``writing`` (the outputs): they are finished (seconds) and the job ends normally.

    Python runs a signal handler only when the main thread is in Python, not during one
    long TensorFlow call (the first call compiles). A watchdog thread, woken by the signal
    through ``signal.set_wakeup_fd``, ends a job still training GRACE_SECONDS after the
    SIGTERM with exit 143, without a new checkpoint."""

    def __init__(self):
        self.phase = "setup"
        self.requested = threading.Event()
        self.handled = False
        self.saving = threading.Lock()  # held while the stop checkpoint is written
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        signal.signal(signal.SIGTERM, self._handler)
        signal.set_wakeup_fd(write_end)
        threading.Thread(target=self._watchdog, args=(read_end,), daemon=True, name="sigterm-watchdog").start()

    def _handler(self, *_) -> None:
        self.requested.set()
        if self.phase == "setup":
            log.warning("SIGTERM: stopping before training; rerun to resume")
            sys.exit(143)
        if not self.handled:
            self.handled = True
            log.warning("SIGTERM: %s", "stopping at the next epoch boundary" if self.phase == "training"
                        else "finishing the outputs first")

    def _watchdog(self, fd: int) -> None:
        while signal.SIGTERM not in os.read(fd, 64):
            pass
        self.requested.set()
        time.sleep(GRACE_SECONDS)
        if self.phase == "writing":
            return
        with self.saving:
            log.warning("SIGTERM: still busy %g s later (compiling?); exiting without a new checkpoint", GRACE_SECONDS)
            _exit_now(143)


def _exit_now(code: int) -> None:
    """Exit at once, logs flushed, when nothing is left to write (the outputs are written, or a
    SIGTERM stops the job): TensorFlow's teardown at interpreter exit takes most of a second,
    seconds of a scheduler's grace period on a loaded node."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _stamp(run_json: Path, stamp: str) -> None:
    """Record what the replica was trained from: the rules compare it to decide whether a
    finished sweep replica is current (toygan.sweeps.train_jobs)."""
    write_json(run_json, {**read_json(run_json), "settings_sha256": stamp})


def main_from_snakemake(smk) -> None:
    from ..logs import setup

    setup(smk.log[0])
    outdirs = [str(Path(p).parent) for p in smk.output.generator]
    if "sweep" not in smk.params.keys():  # noqa: SIM118 (Params is a list: `in` looks at its values)
        run(smk.params.experiment, smk.input.data, list(smk.params.seeds), outdirs, smk.params.checkpoint,
            name=smk.params.name, threads=smk.threads)
    else:
        _run_sweep_job(smk, outdirs)
    _exit_now(0)


def _run_sweep_job(smk, outdirs: list[str]) -> None:
    """A sweep job: which points share it is not in its params (so that a finished point's
    params do not depend on its job mates); the replicas come from the output paths and each
    point's settings from the expanded config."""
    replicas = jobs.replicas_from_paths(smk.output.generator)
    experiments = [smk.config["experiments"][point] for point, _ in replicas]
    shared = smk.params.experiment
    for (point, _), exp in zip(replicas, experiments):
        if jobs.shared_settings(exp, grid.swept_keys(smk.config["sweeps"][smk.params.sweep])) != shared:
            raise RuntimeError(f"{point}: its settings do not match the params of its sweep's job")
    seeds = [seed for _, seed in replicas]
    run(experiments, smk.input.data, seeds, outdirs,
        lambda fp: f"{smk.params.checkpoint_dir}/{fp[:16]}.npz",
        name=[point for point, _ in replicas], threads=smk.threads,
        stamps=[jobs.replica_stamp(e, smk.config["datasets"][e["dataset"]], s) for e, s in zip(experiments, seeds)])
