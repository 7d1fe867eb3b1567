"""Load one run's files and draw its figures (glue between the files and toygan.plots)."""

from __future__ import annotations

import base64
import csv
import logging
from pathlib import Path

import numpy as np

from .. import plots
from ..sampling import keras_numpy
from ..sampling.grid import figure_grid, grid_points, on_grid
from ..sampling.sample import d_at_points
from ..io import read_json, write_text

log = logging.getLogger(__name__)


def read_history(path) -> dict[str, np.ndarray]:
    """history.csv as {column: values}: numbers as floats (empty cells NaN), other columns as
    text. Without pandas, whose import costs a figure job a fifth of its start-up."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    columns = {}
    for name, cells in zip(rows[0], zip(*rows[1:]) if len(rows) > 1 else [()] * len(rows[0])):
        try:
            columns[name] = np.array([float(c) if c else np.nan for c in cells], dtype=float)
        except ValueError:
            columns[name] = np.array(cells, dtype=object)
    return columns


def data_columns(spec: str | None, dim: int) -> list[str]:
    """The data's column names from its description (``results/data/{dataset}.json``,
    key ``"columns"``): a CSV's header names. Descriptions written before the key existed,
    or none at all, give ``["x"]`` / ``["x", "y"]``."""
    columns = read_json(spec).get("columns") if spec else None
    return plots.axis_names(columns if isinstance(columns, list) else None, dim)


def draw_run_figures(inputs: dict, outputs: dict, settings: dict, *, experiment: str, seed: int, loss_name: str):
    """density, d_output, decision and losses figures of one (experiment, seed)."""
    real = np.load(inputs["data"])
    gen = np.load(inputs["samples"])
    run = read_json(inputs["run"])
    with np.load(inputs["d_grid"]) as f:
        grid = {k: f[k] for k in f.files}
    label = str(grid["label"])
    who = {"experiment": experiment, "seed": seed}
    columns = data_columns(inputs.get("spec"), real.shape[1])
    if real.shape[1] == 1:
        plots.density_1d(real, gen, outputs["density"], settings, columns=columns, **who)
        plots.decision_1d(real, gen, grid["grid_x"], grid["d"], outputs["decision"], settings, label=label,
                          columns=columns, **who)
    else:
        plots.scatter_2d(real, gen, outputs["density"], settings, columns=columns, **who)
        plots.heatmap_2d(grid["grid_x"], grid["grid_y"], grid["d"], real, gen, outputs["decision"], settings,
                         label=label, columns=columns, **who)
    plots.discriminator_outputs(np.load(inputs["d_real"]), np.load(inputs["d_fake"]), outputs["d_output"], settings,
                                label=label, **who)
    history = read_history(inputs["history"])
    plots.loss_curves(history, outputs["losses"], settings, loss_name=loss_name,
                      diverged_epoch=run["diverged_epoch"], **who)


def d_on_figure_grid(snapshots: dict, discriminator: str, real: np.ndarray) -> dict:
    """{"d_grid": D of every snapshot on the figure grid, "grid_x"[, "grid_y"]}, from the weights
    the trainer kept per snapshot and the architecture of the saved discriminator."""
    grid = figure_grid(real)
    points = grid_points(grid)
    n_frames = len(snapshots["epochs"])
    n_weights = sum(1 for k in snapshots if k.startswith("d_weights_"))
    pack = snapshots["d_weights_0"].shape[1] // real.shape[1] if n_frames else 1  # the first kernel's rows
    frames = []
    for i in range(n_frames):
        model = keras_numpy.load(discriminator, [snapshots[f"d_weights_{j}"][i] for j in range(n_weights)])
        frames.append(on_grid(d_at_points(model, points, pack), grid))
    shape = (0, *on_grid(np.zeros(len(points)), grid).shape)
    return {"d_grid": np.stack(frames) if frames else np.zeros(shape), **grid}


def draw_animation(inputs: dict, gif: str, page: str, settings: dict, *, experiment: str, seed: int):
    """The training GIF, and an HTML page that embeds it: Snakemake's report shows HTML inline
    but offers a GIF only as a download."""
    run = read_json(inputs["run"])
    label = "D(x) = P(real)" if run["d_output"] == "probability" else "critic value D(x)"
    with np.load(inputs["snapshots"]) as snaps:
        snapshots = {k: snaps[k] for k in snaps.files}
    real = np.load(inputs["data"])
    if "d_grid" not in snapshots:  # D's weights per snapshot: draw it on the figure grid
        snapshots |= d_on_figure_grid(snapshots, inputs["discriminator"], real)
    plots.animation(snapshots, real, gif, settings, experiment=experiment, seed=seed, label=label,
                    columns=data_columns(inputs.get("spec"), real.shape[1]))
    encoded = base64.b64encode(Path(gif).read_bytes()).decode()
    title = f"{experiment} · seed {seed}: training animation"
    write_text(page, (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body style="margin:0;background:#fff"><img alt="{title}" style="max-width:100%" '
        f'src="data:image/gif;base64,{encoded}"></body></html>\n'
    ))


def draw_dashboard(data: str, samples: list[str], metrics: list[str], seeds: list[int], output: str,
                   settings: dict, *, experiment: str, spec: str | None = None):
    """The dashboard of one experiment; ``spec``: the data's description (its column names)."""
    results = {s: read_json(m) for s, m in zip(seeds, metrics)}
    gens = {s: np.load(p) for s, p in zip(seeds, samples)}
    real = np.load(data)
    columns = data_columns(spec, real.shape[1] if real.ndim == 2 else 1)
    plots.dashboard(real, gens, {s: r.get("w1_ratio") for s, r in results.items()}, output, settings,
                    experiment=experiment, verdicts={s: r.get("verdict") for s, r in results.items()},
                    columns=columns)


RUN_FIGURE_KEYS = ("density", "d_output", "decision", "losses")
RUN_INPUT_KEYS = ("discriminator", "snapshots", "run", "history", "samples", "d_real", "d_fake", "d_grid")


def draw_point_figures(inputs: dict, outputs: dict, settings: dict, *, experiment: str, seeds: list[int],
                       loss_name: str):
    """Every figure of one experiment in one process: each seed's four figures and animation,
    then the dashboard. Per-run keys of ``inputs`` and ``outputs`` hold one path per seed, in
    the order of ``seeds``; ``settings``: the ``plots`` keys of "run", "animation", "dashboard"."""
    shared = {"data": inputs["data"], "spec": inputs["spec"]}
    for i, seed in enumerate(seeds):
        run_inputs = {key: inputs[key][i] for key in RUN_INPUT_KEYS} | shared
        log.info("%s seed %d: figures and training animation (%d of %d)", experiment, seed, i + 1, len(seeds))
        draw_run_figures(run_inputs, {key: outputs[key][i] for key in RUN_FIGURE_KEYS}, settings["run"],
                         experiment=experiment, seed=seed, loss_name=loss_name)
        draw_animation(run_inputs, outputs["gif"][i], outputs["page"][i], settings["animation"],
                       experiment=experiment, seed=seed)
    log.info("%s: dashboard of %d seeds", experiment, len(seeds))
    draw_dashboard(inputs["data"], list(inputs["samples"]), list(inputs["metrics"]), seeds, outputs["dashboard"],
                   settings["dashboard"], experiment=experiment, spec=inputs["spec"])
