"""Defaults that depend on an experiment's loss and its data's dimension.

The schema's own defaults are the teaching loop's (RMSprop at 1e-3, one hidden layer of 32,
a 16-dimensional uniform latent); they suit `bce_smoothed`, the schema's default loss, and no
other. Before the schema fills the rest, ``apply_loss_defaults`` gives an experiment of
another loss the settings that loss is published with, but only for keys the user left
unset, so an experiment that spells out every value is unchanged (and does not rerun).
docs/config.md shows this table; keep the two in step.
"""

from __future__ import annotations

import copy
from typing import Any

from ..data import datasets as ds
from .schema import default_of

# Adam constants by loss. DCGAN (Radford et al. 2016) for the BCE-type losses, also used by
# LSGAN (Mao et al. 2017) and for hinge in SNGAN (Miyato et al. 2018); WGAN-GP's toy-data
# code (Gulrajani et al. 2017, gan_toy.py) for wgan_gp, with its 5 critic updates.
_DCGAN_ADAM = {"name": "adam", "learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999}
OPTIMIZER_BY_LOSS: dict[str, dict] = {
    "nonsaturating": _DCGAN_ADAM,
    "minimax": _DCGAN_ADAM,
    "lsgan": _DCGAN_ADAM,
    "hinge": _DCGAN_ADAM,
    "wgan_gp": {"name": "adam", "learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.9},
}
TRAINING_BY_LOSS: dict[str, dict] = {"wgan_gp": {"n_critic": 5}}

# Networks and latent by data dimension: the toy-data setups of the papers above use a few
# wide ReLU layers and a low-dimensional normal latent.
NETWORK_BY_DIM: dict[int, dict] = {
    1: {"hidden": [64, 64], "activation": "relu"},
    2: {"hidden": [128, 128, 128], "activation": "relu"},
}
LATENT_BY_DIM: dict[int, dict] = {
    1: {"dim": 1, "distribution": "normal"},
    2: {"dim": 2, "distribution": "normal"},
}

# The schema's loss (bce_smoothed): it keeps the schema's own, teaching-loop settings.
DEFAULT_LOSS = default_of("experiments", "*", "loss", "name")


def defaults_for(loss: str, dim: int) -> dict:
    """The experiment keys that ``loss`` on ``dim``-dimensional data defaults to ({} for the
    teaching loop's loss: the schema has its settings)."""
    if loss not in OPTIMIZER_BY_LOSS:
        return {}
    net = {**NETWORK_BY_DIM[dim], "optimizer": OPTIMIZER_BY_LOSS[loss]}
    out = {"latent": LATENT_BY_DIM[dim], "generator": net, "discriminator": net}
    if loss in TRAINING_BY_LOSS:
        out["training"] = TRAINING_BY_LOSS[loss]
    return copy.deepcopy(out)


def apply_loss_defaults(cfg: dict) -> dict:
    """Fill, in place, the unset keys of each experiment from ``defaults_for`` its loss and
    its dataset's dimension. Malformed parts are left for the schema to report."""
    experiments, datasets = cfg.get("experiments"), cfg.get("datasets")
    if not isinstance(experiments, dict) or not isinstance(datasets, dict):
        return cfg
    dims: dict[str, int] = {}  # a file dataset is read once, however many experiments use it
    for exp in experiments.values():
        loss = _loss_name(exp)
        if loss not in OPTIMIZER_BY_LOSS:
            continue
        spec = datasets.get(exp.get("dataset")) if isinstance(exp.get("dataset"), str) else None
        if not isinstance(spec, dict) or spec.get("kind") not in ds.SYNTHETIC_KINDS + ds.FILE_KINDS:
            continue  # unknown dataset or kind: the schema and the cross checks say so
        name = exp["dataset"]
        if name not in dims:
            dims[name] = ds.dim(spec, unreadable=2)  # an unreadable file gets the 2-D defaults
        if dims[name] in NETWORK_BY_DIM:
            _fill_unset(exp, defaults_for(loss, dims[name]))
    return cfg


def _loss_name(exp: Any) -> str | None:
    if not isinstance(exp, dict):
        return None
    loss = exp.get("loss", {})
    name = loss.get("name", DEFAULT_LOSS) if isinstance(loss, dict) else None
    return name if isinstance(name, str) else None  # anything else: the schema reports it


def _fill_unset(target: dict, defaults: dict) -> None:
    for key, value in defaults.items():
        if key not in target:
            target[key] = copy.deepcopy(value)
        elif key == "optimizer" and isinstance(target[key], dict):
            # Another optimizer than the loss's keeps the schema's constants for it: Adam's
            # learning rate is no default for RMSprop.
            if target[key].get("name", value["name"]) == value["name"]:
                _fill_unset(target[key], value)
        elif isinstance(value, dict) and isinstance(target[key], dict):
            _fill_unset(target[key], value)
