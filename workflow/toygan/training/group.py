"""GroupTrainer: R replicas (seeds, and sweep points sharing a structure) in one compiled loop.

The whole epoch loop runs inside one ``tf.function``: real data resident, random draws made
in the graph, one call per chunk of epochs. Python only sees chunk boundaries, where it
records the periodic W1, snapshots for the animation, checkpoints and progress logs.

A chunk runs as one or more calls of about ``CALL_SECONDS`` each (the number of epochs per
call adapts to the measured speed): Python regains control that often, so a stop request
(a SIGTERM, toygan.training.job) is honoured within seconds, at an epoch boundary. How a
chunk is split changes no number: every epoch runs the same compiled arithmetic and its
random draws are keyed by (seed, epoch, step).
"""

from __future__ import annotations

import logging
import time

import keras
import numpy as np
import tensorflow as tf

from .. import streams
from ..evaluation.metrics import training_w1
from . import losses, mmd, state
from .batches import RealRows, block_layout
from .draws import Draws
from .ema import GeneratorAverage
from .monitor import History, event_epochs
from .nets import build_discriminator, build_generator
from .optimizers import optimizer_for
from .settings import Settings
from .tfsetup import compiled_loop
from .updates import Updates

log = logging.getLogger(__name__)

MAX_CHUNK = 1000  # epochs per compiled call at most (sizes the in-graph history buffer)
CALL_SECONDS = 1.0  # aimed wall time of one compiled call: a stop request waits about this long
_UNROLL_BLOCKS = 8  # up to this many equal blocks are unrolled (faster steps); more run in a tf.while_loop


class GroupTrainer:
    """Trains replicas of one experiment structure: ``experiments`` is one config for every seed,
    or a list of one config per seed that differ only in per-replica scalars (toygan.config.scalars)."""

    def __init__(self, experiments: dict | list[dict], data: np.ndarray, seeds: list[int], *, xla: bool = True):
        self.seeds = list(seeds)
        self.replicas = len(self.seeds)
        self.settings = s = Settings.build(experiments, self.replicas)
        self.training = s.exp.training
        self.pack = self.training.pack
        self.data_np = np.asarray(data, dtype=np.float32)
        self.n_rows, self.dim = self.data_np.shape
        self.layout = block_layout(self.n_rows, self.training.batches, self.training.batch_size)
        self.n_blocks = sum(count for _, count, _ in self.layout)
        if min(size for _, _, size in self.layout) < self.pack:
            raise ValueError(
                f"training.pack={self.pack} needs blocks of at least {self.pack} rows; "
                f"the smallest block here has {min(s for _, _, s in self.layout)}"
            )
        self.sigmoid_output = s.exp.loss.name in losses.SIGMOID_LOSSES
        self.draws = Draws(self.seeds, s.exp.latent)
        self.rows = RealRows(tf.constant(self.data_np), s, self.draws)
        self.G = build_generator(s, self.dim, self.seeds)
        self.D = build_discriminator(s, self.dim, self.seeds)
        self.average = None
        if s.replica.training.ema.decay.any():
            self.average = GeneratorAverage(s, self.G, build_generator(s, self.dim, self.seeds))
        g_steps = self.training.epochs * self.n_blocks
        self.g_opt = optimizer_for(s, "generator", self.G.trainable, g_steps)
        self.d_opt = optimizer_for(s, "discriminator", self.D.trainable, g_steps * self.training.n_critic)
        self.updates = Updates(
            s, self.G, self.D, self.g_opt, self.d_opt, self.draws, self.average, self.dim, mmd.data_spread(self.data_np)
        )
        # Last weights known finite, per replica, and the 1-based epoch a replica diverged (0: never).
        self.good = [keras.Variable(v.numpy(), trainable=False) for v in self.state_vars]
        self.diverged_at = keras.Variable(np.zeros(self.replicas, np.int64), trainable=False)
        self.epoch = 0
        self.history = History()
        self._call_epochs = 1  # epochs of the next compiled call: the first one also compiles
        self._called = False
        self._run = compiled_loop(self._run_epochs, xla)
        # Graph functions for the periodic W1 and snapshots: eager op-by-op calls cost more.
        # Traced without AutoGraph (no tensor-valued Python control flow in G or D): the same
        # graph, 0.2 s less of the job's fixed cost.
        graph = lambda fn: tf.function(fn, autograph=False)
        self._infer_g = graph(lambda z: self.G(z, training=False))
        self._infer_avg = graph(lambda z: self.G_avg(z, training=False)) if self.average else None
        self._infer_d = graph(lambda x: self.D(x)[..., 0])
        self._fixed_z = self.draws.fixed_latent(max(self.training.metric_samples, self.snapshot_rows))
        self._fixed_cache = (None, None)
        # Each replica its own real rows, from its own seed: its W1 column never depends on its job mates.
        self.metric_real = [self._monitor_rows(seed) for seed in self.seeds]

    # ----- variables -------------------------------------------------------------------
    @property
    def G_avg(self):
        """G's moving average (None when training.ema is off for every replica)."""
        return self.average.average if self.average else None

    @property
    def state_vars(self) -> list:
        return self.G.state + self.D.state + (self.G_avg.state if self.average else [])

    @property
    def snapshot_rows(self) -> int:
        return min(self.n_rows, 1000)

    def generator_to_keras(self, r: int) -> keras.Model:
        """The generator replica r is sampled and scored with: the average when its EMA is on."""
        uses_average = self.average is not None and self.average.on(r)
        return (self.G_avg if uses_average else self.G).to_keras(r)

    # ----- the compiled loop -----------------------------------------------------------
    def _block(self, epoch_rows, epoch, block_index, start, size):
        step = tf.cast(epoch, tf.int64) * self.n_blocks + tf.cast(block_index, tf.int64)
        real = self.rows.block(epoch_rows, step, start, size)
        return self.updates.step(real, step, size, epoch)

    def _epoch(self, epoch):
        epoch_rows = self.rows.for_epoch(epoch)
        d_acc = tf.zeros([self.replicas])
        g_acc = tf.zeros([self.replicas])
        block_index = 0
        for start, count, size in self.layout:
            if count <= _UNROLL_BLOCKS:
                for j in range(count):
                    d, g = self._block(epoch_rows, epoch, block_index + j, start + j * size, size)
                    d_acc, g_acc = d_acc + d, g_acc + g
            else:
                first = block_index

                def body(j, d_acc, g_acc, start=start, size=size, first=first):
                    d, g = self._block(epoch_rows, epoch, first + j, start + j * size, size)
                    return j + 1, d_acc + d, g_acc + g

                _, d_acc, g_acc = tf.while_loop(
                    lambda j, *_, count=count: j < count, body, (tf.constant(0), d_acc, g_acc)
                )
            block_index += count
        return d_acc / self.n_blocks, g_acc / self.n_blocks

    def _track_finite(self, epoch, d_loss, g_loss):
        """Keep each replica's last finite weights; note the epoch it first went non-finite."""
        ok = tf.math.is_finite(d_loss) & tf.math.is_finite(g_loss)
        for v in self.G.trainable + self.D.trainable:
            flat = tf.reshape(v.value, [self.replicas, -1])
            ok &= tf.reduce_all(tf.math.is_finite(flat), axis=1)
        ok &= tf.equal(self.diverged_at.value, 0)
        for v, good in zip(self.state_vars, self.good):
            mask = tf.reshape(ok, [self.replicas] + [1] * (len(v.shape) - 1))
            good.assign(tf.where(mask, v.value, good.value))
        first = tf.logical_and(tf.logical_not(ok), tf.equal(self.diverged_at.value, 0))
        self.diverged_at.assign(tf.where(first, tf.cast(epoch, tf.int64) + 1, self.diverged_at.value))

    def _run_epochs(self, start, n):
        buf = tf.zeros([MAX_CHUNK, self.replicas])

        def body(i, d_hist, g_hist):
            epoch = start + i
            d, g = self._epoch(epoch)
            self._track_finite(epoch, d, g)
            idx = tf.reshape(i, [1, 1])
            return i + 1, tf.tensor_scatter_nd_update(d_hist, idx, d[None]), tf.tensor_scatter_nd_update(g_hist, idx, g[None])

        _, d_hist, g_hist = tf.while_loop(lambda i, *_: i < n, body, (tf.constant(0, tf.int64), buf, buf))
        return d_hist, g_hist

    # ----- driving ---------------------------------------------------------------------
    def compile(self) -> None:
        """Trace and compile the epoch loop (a call for zero epochs changes no state) and the
        inference functions, so that timing what follows measures training only."""
        self._run(tf.constant(self.epoch, tf.int64), tf.constant(0, tf.int64))
        self.generate(self._fixed_z)

    def fit(self, on_checkpoint=None, stop_requested=None) -> bool:
        """Train to ``training.epochs``, resuming at ``self.epoch``; stop early if all replicas diverged.

        ``stop_requested`` (a callable) is polled between compiled calls: once it returns True,
        training stops at the epoch reached and fit returns False, leaving the state as a
        checkpoint should hold it (weights not yet reset to the last finite ones). True when
        training ran to its end."""
        total = self.training.epochs
        events = event_epochs(self.training)
        boundaries = sorted(set().union(*events.values()) | {total})
        if self.epoch == 0 and 0 in events["snapshot"]:
            self._snapshot(0)
        self._progress_mark = (time.perf_counter(), self.epoch)
        stopping = stop_requested or (lambda: False)
        while self.epoch < total and not self.all_diverged:
            target = next(b for b in boundaries if b > self.epoch)
            target = min(target, self.epoch + MAX_CHUNK)
            # Whatever stops, a chunk runs to its end: its events are the same however it is split.
            while self.epoch < target:
                if stopping():
                    return False
                self._call(target - self.epoch)
            if target in events["metric"]:
                self._record_w1(target)
            if target in events["snapshot"]:
                self._snapshot(target)
            if target in events["log"] or self.all_diverged:
                self._log_progress()
            if target in events["checkpoint"] and on_checkpoint is not None:
                on_checkpoint(self)
            if self.epoch < total and stopping():
                return False
        self._restore_good_weights()
        return True

    def _call(self, remaining: int) -> None:
        """One compiled call of at most ``remaining`` epochs, sized to last about CALL_SECONDS."""
        n = min(remaining, self._call_epochs)
        t0 = time.perf_counter()
        d_hist, g_hist = self._run(tf.constant(self.epoch, tf.int64), tf.constant(n, tf.int64))
        self.history.d_loss.append(d_hist.numpy()[:n])
        self.history.g_loss.append(g_hist.numpy()[:n])
        self.epoch += n
        per_epoch = (time.perf_counter() - t0) / n
        if not self._called:
            self._called = True
            log.info("first compiled call (XLA compilation and %d epoch(s)) took %.1f s", n, per_epoch * n)
        # Grow at most 4x per call (the first call's time is mostly compilation).
        self._call_epochs = int(np.clip(CALL_SECONDS / max(per_epoch, 1e-9), 1, min(4 * max(n, self._call_epochs), MAX_CHUNK)))

    @property
    def diverged_epochs(self) -> np.ndarray:
        return self.diverged_at.numpy()

    @property
    def all_diverged(self) -> bool:
        return bool(np.all(self.diverged_epochs > 0))

    def _restore_good_weights(self) -> None:
        dead = self.diverged_epochs > 0
        if not dead.any():
            return
        for v, good in zip(self.state_vars, self.good):
            mask = dead.reshape([self.replicas] + [1] * (len(v.shape) - 1))
            v.assign(np.where(mask, good.numpy(), v.numpy()))

    def _log_progress(self) -> None:
        d, g = self.history.losses()
        (t0, e0), now = self._progress_mark, time.perf_counter()
        rate = (self.epoch - e0) * self.n_blocks / max(now - t0, 1e-9)
        self._progress_mark = (now, self.epoch)
        for r, seed in enumerate(self.seeds):
            w1 = self.history.w1.get(self.epoch)
            status = f"diverged at epoch {self.diverged_epochs[r]}" if self.diverged_epochs[r] else ""
            log.info(
                "seed %d  epoch %5d/%d  d_loss %.4f  g_loss %.4f%s  %s",
                seed, self.epoch, self.training.epochs, d[-1, r], g[-1, r],
                f"  w1 {w1[r]:.4f}" if w1 is not None else "", status,
            )
        log.info("  %.0f steps/s since the last report, compilation included (%d replicas per step)", rate, self.replicas)

    # ----- looking at G and D ----------------------------------------------------------
    def generate(self, z: np.ndarray, averaged: bool = True) -> np.ndarray:
        """G(z) for stacked z (R, n, k), inference mode (batch norm uses moving averages); the
        moving average of G when training.ema is on, unless ``averaged`` is False."""
        infer = self._infer_avg if averaged and self.average else self._infer_g
        return infer(tf.constant(z, tf.float32)).numpy()

    def discriminate_points(self, x: np.ndarray) -> np.ndarray:
        """D's output at points x (n, d) for every replica: (R, n); packed D sees m copies of x."""
        xt = np.tile(x.astype(np.float32), (1, self.pack))[None]
        out = self._infer_d(tf.constant(xt)).numpy()
        return 1.0 / (1.0 + np.exp(-out)) if self.sigmoid_output else out

    def _fixed_samples(self, averaged: bool = True) -> np.ndarray:
        """G on the fixed z at the current epoch (one call serves W1 and the snapshot)."""
        key = (self.epoch, averaged)
        if self._fixed_cache[0] != key:
            self._fixed_cache = (key, self.generate(self._fixed_z, averaged))
        return self._fixed_cache[1]

    def _w1(self, averaged: bool) -> np.ndarray:
        gen = self._fixed_samples(averaged)[:, : self.training.metric_samples]
        return np.array([
            training_w1(real, g.astype(np.float64)) if np.isfinite(g).all() else np.nan
            for real, g in zip(self.metric_real, gen)
        ])

    def _monitor_rows(self, seed: int) -> np.ndarray:
        pick = np.random.default_rng([seed, streams.MONITOR_ROWS]).permutation(self.n_rows)
        return self.data_np[np.sort(pick[: self.training.metric_samples])].astype(np.float64)

    def _record_w1(self, epoch: int) -> None:
        self.history.w1[epoch] = self._w1(averaged=False)
        if self.average:
            self.history.w1_ema[epoch] = self._w1(averaged=True)

    def _snapshot(self, epoch: int) -> None:
        """G's samples on the fixed z and D's weights: the animation job draws D on its own grid."""
        self.history.snapshot_epochs.append(epoch)
        self.history.snapshot_samples.append(self._fixed_samples()[:, : self.snapshot_rows])
        self.history.snapshot_d.append(self.D.export_weights())

    # ----- per-replica results ---------------------------------------------------------
    def history_table(self, r: int) -> dict[str, np.ndarray]:
        """Columns of replica r's history.csv, cut at its divergence epoch; ``w1_ema`` when its EMA is on."""
        d, g = self.history.losses()
        last = int(self.diverged_epochs[r]) or len(d)
        epochs = np.arange(1, last + 1)
        table = {"epoch": epochs, "d_loss": d[:last, r], "g_loss": g[:last, r],
                 "w1": self.history.w1_column("w1", epochs, r)}
        if self.average and self.average.on(r):
            table["w1_ema"] = self.history.w1_column("w1_ema", epochs, r)
        return table

    def snapshots(self, r: int) -> dict[str, np.ndarray]:
        h = self.history
        keep = [i for i, e in enumerate(h.snapshot_epochs) if not self.diverged_epochs[r] or e < self.diverged_epochs[r]]
        n_weights = len(self.D.export_weights()) if not keep else len(h.snapshot_d[keep[0]])
        return {
            "epochs": np.array([h.snapshot_epochs[i] for i in keep], dtype=np.int64),
            "samples": np.stack([h.snapshot_samples[i][r] for i in keep]) if keep else np.zeros((0, 0, self.dim)),
            # D's weights per snapshot, in the order of discriminator.keras' weights
            **{f"d_weights_{j}": np.stack([h.snapshot_d[i][j][r] for i in keep]) if keep else np.zeros((0,))
               for j in range(n_weights)},
        }

    # ----- checkpoint state ------------------------------------------------------------
    def state_arrays(self) -> dict[str, np.ndarray]:
        """Everything a resumed run needs to continue bit for bit (RNG state is the epoch)."""
        return state.state_arrays(self)

    def load_state(self, arrays) -> None:
        state.load_state(self, arrays)
