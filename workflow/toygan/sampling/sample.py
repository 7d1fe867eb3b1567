"""Draw from a trained generator and score points with its discriminator (saved .keras files).

The models run through toygan.sampling.keras_numpy: a sample job never imports TensorFlow.
"""

from __future__ import annotations

import logging

import numpy as np

from . import keras_numpy
from .. import streams
from .grid import figure_grid, grid_points, on_grid
from .rejection import draw as rejection_draw
from ..config.settings import Experiment, Latent, Rejection
from ..io import read_json, save_npy, save_npz

log = logging.getLogger(__name__)


def latent(spec: Latent, n: int, seed: int) -> np.ndarray:
    return latent_from(spec, n, np.random.default_rng([seed, streams.SAMPLE_LATENT]))


def latent_from(spec: Latent, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` latent rows drawn from ``rng``: the continuous part, then any categorical code."""
    if spec.distribution == "uniform":
        z = rng.uniform(spec.low, spec.high, size=(n, spec.dim))
    else:
        z = rng.standard_normal((n, spec.dim))
    if spec.categories:
        code = rng.integers(0, spec.categories, size=n)  # after z: z is the same with or without
        z = np.concatenate([z, np.eye(spec.categories)[code]], axis=1)
    return z.astype(np.float32)


def packed(x: np.ndarray, pack: int) -> np.ndarray:
    """Consecutive groups of ``pack`` rows side by side, as the packed D saw them in training."""
    rows = (len(x) // pack) * pack
    return x[:rows].reshape(rows // pack, pack * x.shape[1])


def d_at_points(discriminator, points: np.ndarray, pack: int) -> np.ndarray:
    """D at single points, (n,): a packed D sees ``pack`` copies of each point."""
    return discriminator(np.tile(points.astype(np.float32), (1, pack)))[:, 0]


def run(experiment: Experiment, seed: int, inputs: dict, outputs: dict, n_eval: int,
        rejection: Rejection | None = None, row: str = "") -> None:
    """One replica's samples; with ``rejection``, those of a rejection row (its D is the row's
    own, trained on single points)."""
    generator = keras_numpy.load(inputs["generator"])
    discriminator = keras_numpy.load(inputs["discriminator"])
    real = np.load(inputs["data"]).astype(np.float32)
    n_plot = experiment.sampling.n or len(real)
    n = max(n_plot, n_eval)
    if rejection is None:
        pack = experiment.training.pack
        gen = generator(latent(experiment.latent, n, seed)).astype(np.float64)
    else:
        pack = 1
        draws = lambda k, rng: latent_from(experiment.latent, k, rng)
        gen, _ = rejection_draw(generator, discriminator, draws, n, seed, rejection, row)
    log.info("generated %d samples; %d non-finite rows", len(gen), int((~np.isfinite(gen).all(axis=1)).sum()))

    def score(x):
        return discriminator(packed(x.astype(np.float32), pack))[:, 0]

    grid = figure_grid(real)
    d_grid = on_grid(d_at_points(discriminator, grid_points(grid), pack), grid)
    finite = np.isfinite(gen).all(axis=1)
    save_npy(outputs["samples"], gen[:n_plot])
    save_npy(outputs["eval_samples"], gen[:n_eval])
    save_npy(outputs["d_real"], score(real))
    save_npy(outputs["d_fake"], score(np.where(finite[:, None], gen, 0.0)[:n_plot]))
    run_info = read_json(inputs["run"])
    label = "D(x) = P(real)" if run_info["d_output"] == "probability" else "critic value D(x)"
    save_npz(outputs["d_grid"], d=d_grid, label=np.array(label), **grid)


def main_from_snakemake(smk) -> None:
    """One job samples several replicas: inputs and outputs are lists, one per replica. A seed
    group's replicas share one experiment; a sweep job's come from its output paths."""
    from ..sweeps import jobs
    from ..logs import setup

    setup(smk.log[0])
    rejection = Rejection.parse(smk.params.rejection) if "rejection" in smk.params.keys() else None  # noqa: SIM118
    if "sweep" in smk.params.keys():
        replicas = jobs.replicas_from_paths(smk.output.samples)
        experiments = [smk.config["experiments"][point] for point, _ in replicas]
    else:
        replicas = [("", seed) for seed in smk.params.seeds]
        experiments = [smk.params.experiment] * len(replicas)
    for i, ((point, seed), experiment) in enumerate(zip(replicas, experiments)):
        inputs = {key: (paths[i] if isinstance(paths, list) else paths) for key, paths in smk.input.items()}
        outputs = {key: paths[i] for key, paths in smk.output.items()}
        log.info("%s seed %d", point, seed)
        row = jobs.replicas_from_paths([outputs["samples"]])[0][0] if rejection else ""
        run(Experiment.parse(experiment), seed, inputs, outputs, smk.params.n_eval, rejection, row)
