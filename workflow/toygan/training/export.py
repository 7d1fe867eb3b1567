"""Per-seed training outputs: Keras models, history, summaries, snapshots, run status."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import keras
import numpy as np

from ..io import atomic_path, save_npz, write_json, write_text

HISTORY_COLUMNS = ["epoch", "d_loss", "g_loss", "w1", "w1_ema", "event"]  # w1_ema only when EMA is on


def keras_models(trainer, r: int) -> tuple[keras.Model, keras.Model]:
    """G as sampled and scored (G's moving average when training.ema is on) and D."""
    return trainer.generator_to_keras(r), trainer.D.to_keras(r)


def combined_model(generator: keras.Model, discriminator: keras.Model, pack: int) -> keras.Model:
    """D(G(z)) with D frozen, as the reference builds it (for the summary only).

    The trainer never uses this model: its G update differentiates w.r.t. G's variables
    alone, so Keras 3's run-time reading of ``trainable`` cannot stop D from learning.
    """
    discriminator.trainable = False
    try:
        if pack == 1:
            z = keras.Input(shape=generator.input_shape[1:], name="z")
            out = discriminator(generator(z))
        else:
            z = keras.Input(shape=(pack, *generator.input_shape[1:]), name="z")
            x = keras.layers.TimeDistributed(generator)(z)
            out = discriminator(keras.layers.Reshape((pack * generator.output_shape[-1],))(x))
        model = keras.Model(z, out, name="combined")
        text = _summary(model)
    finally:
        discriminator.trainable = True
    return model, text


def _summary(model: keras.Model) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        model.summary(line_length=100)
    return buf.getvalue()


def save_keras(model: keras.Model, path: Path) -> None:
    with atomic_path(path) as tmp:
        model.save(tmp)


def _number(x: float) -> str:
    return "" if np.isnan(x) else f"{x:.8g}"


def history_csv(table: dict, diverged_epoch: int) -> str:
    columns = [c for c in HISTORY_COLUMNS if c in table or c == "event"]
    lines = [",".join(columns)]
    for i, epoch in enumerate(table["epoch"]):
        event = "diverged" if diverged_epoch and epoch == diverged_epoch else ""
        numbers = [_number(table[c][i]) for c in columns[1:-1]]
        lines.append(",".join([str(epoch), *numbers, event]))
    return "\n".join(lines) + "\n"


def write_seed_outputs(trainer, r: int, outdir: str | Path, *, experiment_name: str, wall_seconds: float,
                       provenance: dict | None = None) -> None:
    """Everything the train rule promises for replica ``r`` of ``trainer``; ``provenance``
    (toygan.training.tfsetup.provenance) goes into run.json."""
    outdir = Path(outdir)
    seed = trainer.seeds[r]
    generator, discriminator = keras_models(trainer, r)
    _, combined_text = combined_model(generator, discriminator, trainer.pack)
    diverged = int(trainer.diverged_epochs[r])
    save_keras(generator, outdir / "generator.keras")
    save_keras(discriminator, outdir / "discriminator.keras")
    write_text(outdir / "history.csv", history_csv(trainer.history_table(r), diverged))
    write_text(
        outdir / "summary.txt",
        f"# {experiment_name}, seed {seed}\n\n## Discriminator D\n{_summary(discriminator)}\n"
        f"## Generator G\n{_summary(generator)}\n## Combined D(G(z)), D frozen: trains G only\n{combined_text}",
    )
    save_npz(outdir / "snapshots.npz", **trainer.snapshots(r))
    write_json(outdir / "run.json", {
        "experiment": experiment_name,
        "seed": seed,
        "status": "diverged" if diverged else "ok",
        "diverged_epoch": diverged or None,
        "epochs_trained": diverged or trainer.epoch,
        "epochs_planned": trainer.training.epochs,
        "seed_group": trainer.seeds,
        "group_wall_seconds": round(wall_seconds, 3),
        "generator_params": generator.count_params(),
        "discriminator_params": discriminator.count_params(),
        "d_output": "probability" if trainer.sigmoid_output else "critic",
        "provenance": provenance,
    })
