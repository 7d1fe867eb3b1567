"""Compiled GAN training for a group of seeds (one seed is a group of one).

The whole epoch loop runs inside one ``tf.function``: real data resident, random draws made
in the graph, one call per chunk of epochs. Python only sees chunk boundaries, where it
records the periodic W1, snapshots for the animation, checkpoints and progress logs.

Randomness is counter-based (toygan.rng): every draw is keyed by (seed, epoch or step, purpose). A replica
therefore sees the same draws alone or in a seed group, and resuming from a checkpoint needs
no RNG state beyond the epoch counter.

Each epoch walks the real rows in contiguous blocks (the last takes the remainder). Per block:
``n_critic`` D updates (fresh z each) on the block's real rows, then one G update on the z of
the last D update. With the defaults this is exactly the reference teaching loop.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from . import losses, rng
from .metrics import training_w1
from .networks import StackedMLP
from .sampling import grid_points
from .tfsetup import compiled_loop

log = logging.getLogger(__name__)

MAX_CHUNK = 1000  # epochs per compiled call at most (sizes the in-graph history buffer)
_UNROLL_BLOCKS = 8  # up to this many equal blocks are unrolled (faster steps); more run in a tf.while_loop
_DOMAIN_STEP, _DOMAIN_SHUFFLE, _DOMAIN_FIXED = 0, 1, 2
_PURPOSES = 64  # draws per step: z of critic step c uses c, the GP mix of step c uses 32 + c


def block_layout(n_rows: int, training: dict) -> list[tuple[int, int, int]]:
    """Runs of equal blocks as (first row, number of blocks, rows per block)."""
    if training.get("batch_size"):
        size = min(training["batch_size"], n_rows)
        full, rest = divmod(n_rows, size)
    else:
        batches = min(training["batches"], n_rows)
        size = n_rows // batches
        full, rest = batches - 1, n_rows - (batches - 1) * size
        if rest == size:
            full, rest = batches, 0
    layout = [(0, full, size)] if full else []
    if rest:
        layout.append((full * size, 1, rest))
    return layout


def optimizer_from_config(cfg: dict) -> keras.optimizers.Optimizer:
    name, lr = cfg["name"], cfg["learning_rate"]
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr, rho=cfg["rho"], momentum=cfg["momentum"], epsilon=cfg["epsilon"])
    if name == "adam":
        return keras.optimizers.Adam(lr, beta_1=cfg["beta_1"], beta_2=cfg["beta_2"], epsilon=cfg["epsilon"])
    if name == "sgd":
        return keras.optimizers.SGD(lr, momentum=cfg["momentum"])
    raise ValueError(f"unknown optimizer {name!r}")


def event_epochs(training: dict) -> dict[str, set[int]]:
    """The epochs at which Python work happens between compiled chunks."""
    epochs = training["epochs"]

    def every(n):
        return set(range(n, epochs + 1, n)) if n else set()

    snaps = training["snapshots"]
    snapshot = set(np.unique(np.round(np.linspace(0, epochs, snaps)).astype(int)).tolist()) if snaps else set()
    return {
        "log": every(training["log_every"]) | {epochs},
        "metric": every(training["metric_every"]) | {epochs},
        "snapshot": snapshot,
        "checkpoint": every(training["checkpoint_every"]) - {epochs},
    }


@dataclass
class History:
    """Per-replica records gathered at chunk boundaries."""

    d_loss: list = field(default_factory=list)  # arrays (epochs_in_chunk, R)
    g_loss: list = field(default_factory=list)
    w1: dict = field(default_factory=dict)  # epoch -> array (R,)
    snapshot_epochs: list = field(default_factory=list)
    snapshot_samples: list = field(default_factory=list)  # arrays (R, m, d)
    snapshot_d: list = field(default_factory=list)  # arrays (R, *grid)

    def losses(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.d_loss:
            return np.zeros((0, 0)), np.zeros((0, 0))
        return np.concatenate(self.d_loss), np.concatenate(self.g_loss)


class GroupTrainer:
    """Trains one experiment for a list of seeds as stacked replicas."""

    def __init__(self, experiment: dict, data: np.ndarray, seeds: list[int], *, xla: bool = True):
        self.cfg = experiment
        self.seeds = list(seeds)
        self.replicas = len(self.seeds)
        self.training = experiment["training"]
        self.loss = experiment["loss"]
        self.latent = experiment["latent"]
        self.pack = self.training["pack"]
        self.data_np = np.asarray(data, dtype=np.float32)
        self.n_rows, self.dim = self.data_np.shape
        self.layout = block_layout(self.n_rows, self.training)
        self.n_blocks = sum(count for _, count, _ in self.layout)
        if min(size for _, _, size in self.layout) < self.pack:
            raise ValueError(
                f"training.pack={self.pack} needs blocks of at least {self.pack} rows; "
                f"the smallest block here has {min(s for _, _, s in self.layout)}"
            )
        self.data = tf.constant(self.data_np)
        self.seed_tensor = tf.constant(self.seeds, dtype=tf.int64)
        self.sigmoid_output = self.loss["name"] in losses.SIGMOID_LOSSES
        gen, dis = experiment["generator"], experiment["discriminator"]
        self.G = StackedMLP(
            "generator", [self.latent["dim"], *gen["hidden"], self.dim], gen["activation"],
            gen["batch_norm"], self.seeds, rng_salt=1, output_activation="linear",
        )
        self.D = StackedMLP(
            "discriminator", [self.dim * self.pack, *dis["hidden"], 1], dis["activation"],
            False, self.seeds, rng_salt=2, output_activation="sigmoid" if self.sigmoid_output else "linear",
        )
        self.g_opt = optimizer_from_config(gen["optimizer"])
        self.d_opt = optimizer_from_config(dis["optimizer"])
        self.g_opt.build(self.G.trainable)
        self.d_opt.build(self.D.trainable)
        # Last weights known finite, per replica, and the 1-based epoch a replica diverged (0: never).
        self.good = [keras.Variable(v.numpy(), trainable=False) for v in self.state_vars]
        self.diverged_at = keras.Variable(np.zeros(self.replicas, np.int64), trainable=False)
        self.epoch = 0
        self.history = History()
        self._run = compiled_loop(self._run_epochs, xla)
        # Graph functions for the periodic W1 and snapshots: eager op-by-op calls cost more.
        self._infer_g = tf.function(lambda z: self.G(z, training=False))
        self._infer_d = tf.function(lambda x: self.D(x)[..., 0])
        self._fixed_z = self._latent_np(max(self.training["metric_samples"], self.snapshot_rows))
        self._fixed_cache = (None, None)
        rng = np.random.default_rng([self.seeds[0], 7])
        pick = rng.permutation(self.n_rows)[: self.training["metric_samples"]]
        self.metric_real = self.data_np[np.sort(pick)].astype(np.float64)
        self.grid = self._grid()

    # ----- variables -------------------------------------------------------------------
    @property
    def state_vars(self) -> list:
        return self.G.state + self.D.state

    @property
    def snapshot_rows(self) -> int:
        return min(self.n_rows, 1000)

    # ----- randomness ------------------------------------------------------------------
    def _key(self, r, domain, counter):
        """(seed, counter) key of one draw of replica r; domains keep the streams apart."""
        return self.seed_tensor[r] * 4 + domain, tf.cast(counter, tf.int64)

    def _draw_latent(self, rows, key_of):
        k = self.latent["dim"]
        draws = []
        for r in range(self.replicas):
            seed, counter = key_of(r)
            if self.latent["distribution"] == "uniform":
                z = rng.uniform([rows, k], seed, counter, self.latent["low"], self.latent["high"])
            else:
                z = rng.normal([rows, k], seed, counter)
            draws.append(z)
        return tf.stack(draws)

    def _latent_for_step(self, step, purpose, rows):
        return self._draw_latent(rows, lambda r: self._key(r, _DOMAIN_STEP, step * _PURPOSES + purpose))

    def _latent_np(self, rows) -> np.ndarray:
        """Fixed z per replica for the periodic W1 and the snapshots."""
        return self._draw_latent(rows, lambda r: self._key(r, _DOMAIN_FIXED, 0)).numpy()

    # ----- one update each -------------------------------------------------------------
    def _packed(self, x):
        """(R, B, d) -> (R, B // m, m * d): PacGAN's D sees m samples at once."""
        m = self.pack
        if m == 1:
            return x
        rows = (x.shape[1] // m) * m
        return tf.reshape(x[:, :rows], [tf.shape(x)[0], rows // m, m * self.dim])

    def _d_out(self, x):
        return self.D(self._packed(x))[..., 0]

    def d_step(self, real, z, step=0, purpose=0, fake=None):
        """One D update on real rows (R|1, B, d) and G(z); G's weights are not touched."""
        fake = self.G(z) if fake is None else tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            loss = losses.d_loss(self.loss["name"], self._d_out(real), self._d_out(fake), self.loss)
            if self.loss["name"] == "wgan_gp":
                loss += self.loss["gp_weight"] * self._gradient_penalty(real, fake, step, purpose)
            total = tf.reduce_sum(loss)
        variables = self.D.trainable
        grads = tape.gradient(total, [v.value for v in variables])
        self.d_opt.apply_gradients(zip(grads, variables))
        return loss

    def _gradient_penalty(self, real, fake, step, purpose):
        real_p = self._packed(tf.broadcast_to(real, tf.shape(fake)))
        fake_p = self._packed(fake)
        rows = fake_p.shape[1]
        eps = tf.stack([
            rng.uniform([rows, 1], *self._key(r, _DOMAIN_STEP, step * _PURPOSES + 32 + purpose))
            for r in range(self.replicas)
        ])
        mix = eps * real_p + (1.0 - eps) * fake_p
        with tf.GradientTape() as inner:
            inner.watch(mix)
            out = tf.reduce_sum(self.D(mix))
        norm = tf.sqrt(tf.reduce_sum(tf.square(inner.gradient(out, mix)), axis=-1) + 1e-12)
        return tf.reduce_mean(tf.square(norm - 1.0), axis=1)

    def g_step(self, z):
        """One G update through D(G(z)); D's weights are not touched (no Keras `trainable` flag)."""
        with tf.GradientTape() as tape:
            fake = self.G(z, update_stats=True)
        return self._g_loss_and_apply(tape, fake)

    def _g_loss_and_apply(self, tape, fake):
        with tape:
            loss = losses.g_loss(self.loss["name"], self._d_out(fake), self.loss)
            total = tf.reduce_sum(loss)
        variables = self.G.trainable
        grads = tape.gradient(total, [v.value for v in variables])
        self.g_opt.apply_gradients(zip(grads, variables))
        return loss

    def dg_steps(self, real, step, rows):
        """n_critic D updates, then the G update on the last D update's z.

        G does not change during D updates, so G(z) of the last D update is recorded once on G's
        tape and reused by the G update: one G forward pass fewer per step, same arithmetic.
        """
        d_sum = tf.zeros([self.replicas])
        n_critic = self.training["n_critic"]
        for c in range(n_critic - 1):
            d_sum += self.d_step(real, self._latent_for_step(step, c, rows), step, c)
        z = self._latent_for_step(step, n_critic - 1, rows)
        with tf.GradientTape() as g_tape:
            fake = self.G(z, update_stats=True)
        d_sum += self.d_step(real, z, step, n_critic - 1, fake=fake)
        return d_sum / n_critic, self._g_loss_and_apply(g_tape, fake)

    # ----- the compiled loop -----------------------------------------------------------
    def _epoch_data(self, epoch):
        if not self.training["shuffle"]:
            return self.data[None]
        perms = [
            tf.argsort(rng.uniform([self.n_rows], *self._key(r, _DOMAIN_SHUFFLE, epoch)))
            for r in range(self.replicas)
        ]
        return tf.gather(self.data, tf.stack(perms))

    def _block(self, data, epoch, block_index, start, size):
        real = data[:, start : start + size] if isinstance(start, int) else tf.slice(
            data, tf.stack([0, start, 0]), [tf.shape(data)[0], size, self.dim]
        )
        step = tf.cast(epoch, tf.int64) * self.n_blocks + tf.cast(block_index, tf.int64)
        return self.dg_steps(real, step, size)

    def _epoch(self, epoch):
        data = self._epoch_data(epoch)
        d_acc = tf.zeros([self.replicas])
        g_acc = tf.zeros([self.replicas])
        block_index = 0
        for start, count, size in self.layout:
            if count <= _UNROLL_BLOCKS:
                for j in range(count):
                    d, g = self._block(data, epoch, block_index + j, start + j * size, size)
                    d_acc, g_acc = d_acc + d, g_acc + g
            else:
                first = block_index

                def body(j, d_acc, g_acc, start=start, size=size, first=first):
                    d, g = self._block(data, epoch, first + j, start + j * size, size)
                    return j + 1, d_acc + d, g_acc + g

                _, d_acc, g_acc = tf.while_loop(
                    lambda j, *_: j < count, body, (tf.constant(0), d_acc, g_acc)
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
        self.discriminate_points(self.grid_points())

    def fit(self, on_checkpoint=None) -> None:
        """Train to ``training.epochs``, resuming at ``self.epoch``; stop early if all replicas diverged."""
        total = self.training["epochs"]
        events = event_epochs(self.training)
        boundaries = sorted(set().union(*events.values()) | {total})
        if self.epoch == 0 and 0 in events["snapshot"]:
            self._snapshot(0)
        self._progress_mark = (time.perf_counter(), self.epoch)
        while self.epoch < total and not self.all_diverged:
            target = next(b for b in boundaries if b > self.epoch)
            target = min(target, self.epoch + MAX_CHUNK)
            n = target - self.epoch
            d_hist, g_hist = self._run(tf.constant(self.epoch, tf.int64), tf.constant(n, tf.int64))
            self.history.d_loss.append(d_hist.numpy()[:n])
            self.history.g_loss.append(g_hist.numpy()[:n])
            self.epoch = target
            if target in events["metric"]:
                self.history.w1[target] = self._w1()
            if target in events["snapshot"]:
                self._snapshot(target)
            if target in events["log"] or self.all_diverged:
                self._log_progress()
            if target in events["checkpoint"] and on_checkpoint is not None:
                on_checkpoint(self)
        self._restore_good_weights()

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
                seed, self.epoch, self.training["epochs"], d[-1, r], g[-1, r],
                f"  w1 {w1[r]:.4f}" if w1 is not None else "", status,
            )
        log.info("  %.0f steps/s since the last report, compilation included (%d replicas per step)", rate, self.replicas)

    # ----- looking at G and D ----------------------------------------------------------
    def generate(self, z: np.ndarray) -> np.ndarray:
        """G(z) for stacked z (R, n, k), inference mode (batch norm uses moving averages)."""
        return self._infer_g(tf.constant(z, tf.float32)).numpy()

    def discriminate_points(self, x: np.ndarray) -> np.ndarray:
        """D's output at points x (n, d) for every replica: (R, n); packed D sees m copies of x."""
        xt = np.tile(x.astype(np.float32), (1, self.pack))[None]
        out = self._infer_d(tf.constant(xt)).numpy()
        return 1.0 / (1.0 + np.exp(-out)) if self.sigmoid_output else out

    def _fixed_samples(self) -> np.ndarray:
        """G on the fixed z at the current epoch (one call serves W1 and the snapshot)."""
        if self._fixed_cache[0] != self.epoch:
            self._fixed_cache = (self.epoch, self.generate(self._fixed_z))
        return self._fixed_cache[1]

    def _w1(self) -> np.ndarray:
        gen = self._fixed_samples()[:, : self.training["metric_samples"]]
        return np.array([
            training_w1(self.metric_real, g.astype(np.float64)) if np.isfinite(g).all() else np.nan
            for g in gen
        ])

    def _grid(self) -> dict:
        lo, hi = self.data_np.min(axis=0), self.data_np.max(axis=0)
        pad = 0.25 * np.maximum(hi - lo, 1e-3)
        if self.dim == 1:
            return {"grid_x": np.linspace(lo[0] - pad[0], hi[0] + pad[0], 200)}
        return {
            "grid_x": np.linspace(lo[0] - pad[0], hi[0] + pad[0], 60),
            "grid_y": np.linspace(lo[1] - pad[1], hi[1] + pad[1], 60),
        }

    def grid_points(self) -> np.ndarray:
        return grid_points(self.grid)

    def _snapshot(self, epoch: int) -> None:
        samples = self._fixed_samples()[:, : self.snapshot_rows]
        d = self.discriminate_points(self.grid_points())
        if self.dim == 2:
            d = d.reshape(self.replicas, len(self.grid["grid_y"]), len(self.grid["grid_x"]))
        self.history.snapshot_epochs.append(epoch)
        self.history.snapshot_samples.append(samples)
        self.history.snapshot_d.append(d)

    # ----- per-replica results ---------------------------------------------------------
    def history_table(self, r: int) -> dict[str, np.ndarray]:
        """Columns of replica r's history.csv, cut at its divergence epoch."""
        d, g = self.history.losses()
        last = int(self.diverged_epochs[r]) or len(d)
        epochs = np.arange(1, last + 1)
        w1 = np.array([self.history.w1[e][r] if e in self.history.w1 else np.nan for e in epochs])
        return {"epoch": epochs, "d_loss": d[:last, r], "g_loss": g[:last, r], "w1": w1}

    def snapshots(self, r: int) -> dict[str, np.ndarray]:
        h = self.history
        keep = [i for i, e in enumerate(h.snapshot_epochs) if not self.diverged_epochs[r] or e < self.diverged_epochs[r]]
        return {
            "epochs": np.array([h.snapshot_epochs[i] for i in keep], dtype=np.int64),
            "samples": np.stack([h.snapshot_samples[i][r] for i in keep]) if keep else np.zeros((0, 0, self.dim)),
            "d_grid": np.stack([h.snapshot_d[i][r] for i in keep]) if keep else np.zeros((0,)),
            **self.grid,
        }

    # ----- checkpoint state ------------------------------------------------------------
    def state_arrays(self) -> dict[str, np.ndarray]:
        """Everything a resumed run needs to continue bit for bit (RNG state is the epoch)."""
        arrays = {f"var{i}": v.numpy() for i, v in enumerate(self.state_vars)}
        arrays |= {f"good{i}": v.numpy() for i, v in enumerate(self.good)}
        arrays |= {f"gopt{i}": v.numpy() for i, v in enumerate(self.g_opt.variables)}
        arrays |= {f"dopt{i}": v.numpy() for i, v in enumerate(self.d_opt.variables)}
        d, g = self.history.losses()
        h = self.history
        arrays |= {
            "epoch": np.array(self.epoch), "diverged_at": self.diverged_epochs,
            "d_loss": d, "g_loss": g,
            "w1_epochs": np.array(sorted(h.w1), dtype=np.int64),
            "w1_values": np.array([h.w1[e] for e in sorted(h.w1)]).reshape(len(h.w1), self.replicas),
            "snap_epochs": np.array(h.snapshot_epochs, dtype=np.int64),
            "snap_samples": np.array(h.snapshot_samples), "snap_d": np.array(h.snapshot_d),
        }
        return arrays

    def load_state(self, arrays) -> None:
        for prefix, variables in (("var", self.state_vars), ("good", self.good),
                                  ("gopt", self.g_opt.variables), ("dopt", self.d_opt.variables)):
            for i, v in enumerate(variables):
                v.assign(arrays[f"{prefix}{i}"])
        self.diverged_at.assign(arrays["diverged_at"])
        self.epoch = int(arrays["epoch"])
        h = History()
        if self.epoch:
            h.d_loss, h.g_loss = [arrays["d_loss"]], [arrays["g_loss"]]
        h.w1 = {int(e): v for e, v in zip(arrays["w1_epochs"], arrays["w1_values"])}
        h.snapshot_epochs = [int(e) for e in arrays["snap_epochs"]]
        h.snapshot_samples = list(arrays["snap_samples"])
        h.snapshot_d = list(arrays["snap_d"])
        self.history = h
