"""A rejection row's new D: per seed, trained against the frozen G of the experiment the row
samples (needs TensorFlow; the rule that runs it is the row's training).

D sees random Fourier features of x (frequencies ~ N(0, fourier_scale^2) per standard deviation
of the real rows) before its ReLU layers: a plain ReLU D learns structure much smaller than the
data's spread slowly, and the gaps between narrow modes are such structure. It is trained with
the standard GAN loss (binary cross-entropy on P(real)), no penalty, by Adam (beta_1 0.5) at a
constant rate, on batches of real rows and of a fixed pool of G's samples. The row's model files
are the experiment's (G, history, snapshots) with this D; sample.py then rejects with it
(toygan.sampling.rejection).
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import numpy as np

from .. import streams
from ..config.settings import Experiment, Rejection
from ..io import read_json, write_json, write_text
from ..sampling import keras_numpy
from ..sampling.sample import latent_from

log = logging.getLogger(__name__)

COPIED = ("generator.keras", "history.csv", "snapshots.npz")  # the experiment's, unchanged


def build_d(real: np.ndarray, settings: Rejection, seed: int):
    """A fresh D: Fourier features of x, ReLU layers, P(real)."""
    import keras

    from .keras_layers import FourierFeatures

    rng = np.random.default_rng([seed, streams.REJECTION_D])
    keras.utils.set_random_seed(int(rng.integers(2**31)))
    dim = real.shape[1]
    model = keras.Sequential(
        [
            keras.Input((dim,)),
            FourierFeatures(settings.fourier_features),
            *[keras.layers.Dense(h, activation="relu") for h in settings.hidden],
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    spread = np.maximum(real.std(axis=0), 1e-12)[:, None]
    frequencies = rng.normal(0.0, settings.fourier_scale, (dim, settings.fourier_features)) / spread
    model.layers[0].set_weights([frequencies.astype(np.float32)])
    return model, rng


def train_d(model, real: np.ndarray, fake: np.ndarray, settings: Rejection, rng: np.random.Generator,
            from_logits: bool = False) -> float:
    """Train ``model`` to tell ``real`` from ``fake``; return its last step's loss. With
    ``from_logits`` the model's raw output (a critic's) is trained as the logit of P(real)."""
    import keras
    import tensorflow as tf

    opt = keras.optimizers.Adam(settings.learning_rate, beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy(from_logits=from_logits)
    b = settings.batch_size
    ones, zeros = tf.ones((b, 1)), tf.zeros((b, 1))

    @tf.function
    def step(xr, xf):
        with tf.GradientTape() as tape:
            loss = bce(ones, model(xr, training=True)) + bce(zeros, model(xf, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    loss = np.nan
    for i in range(settings.steps):
        loss = step(real[rng.integers(0, len(real), b)], fake[rng.integers(0, len(fake), b)])
        if (i + 1) % 500 == 0 or i + 1 == settings.steps:
            log.info("  step %d/%d: D loss %.4f", i + 1, settings.steps, float(loss))
    return float(loss)


def fit_row(parent: Path, outdir: Path, real: np.ndarray, experiment: Experiment, seed: int,
            settings: Rejection, row: str) -> None:
    """One seed of a rejection row: its new D, and its model files in ``outdir``."""
    from .export import _summary, save_keras

    t0 = time.monotonic()
    generator = keras_numpy.load(parent / "generator.keras")
    model, rng = build_d(real, settings, seed)
    pool = generator(latent_from(experiment.latent, settings.pool, rng)).astype(np.float32)
    pool = pool[np.isfinite(pool).all(axis=1)]
    if not len(pool):
        raise RuntimeError(f"rejection.{row}: every sample of {settings.of}'s G for seed {seed} is non-finite")
    loss = train_d(model, real, pool, settings, rng)
    outdir.mkdir(parents=True, exist_ok=True)
    save_keras(model, outdir / "discriminator.keras")
    for name in COPIED:
        shutil.copyfile(parent / name, outdir / name)
    write_text(outdir / "summary.txt",
               f"# {row}, seed {seed}: {settings.of}'s G, sampled through rejection by D\n\n"
               f"## Rejection D\n{_summary(model)}\n"
               f"## {settings.of}, as trained\n{(parent / 'summary.txt').read_text()}")
    run = read_json(parent / "run.json")
    write_json(outdir / "run.json", {
        **run,
        "experiment": row,
        "discriminator_params": model.count_params(),
        "d_output": "probability",
        "rejection": {**settings.to_dict(), "d_loss": loss, "d_wall_seconds": round(time.monotonic() - t0, 3)},
    })


def main_from_snakemake(smk) -> None:
    from ..logs import setup
    from .tfsetup import import_tensorflow

    setup(smk.log[0])
    import_tensorflow(threads=smk.threads)
    settings = Rejection.parse(smk.params.rejection)
    experiment = Experiment.parse(smk.params.experiment)
    real = np.load(smk.input.data).astype(np.float32)
    for i, seed in enumerate(smk.params.seeds):
        parent = Path(smk.input.generator[i]).parent
        outdir = Path(smk.output.generator[i]).parent
        row = outdir.parent.name
        log.info("%s seed %d: a new D (%d steps) against the frozen G of %s", row, seed, settings.steps, settings.of)
        fit_row(parent, outdir, real, experiment, seed, settings, row)
