"""Defaults that depend on an experiment's loss and its data's dimension.

The schema's own defaults are the teaching loop's (RMSprop at 1e-3, one hidden layer of 32,
a 16-dimensional uniform latent); they suit `bce_smoothed`, the schema's default loss, and no
other. Before the schema fills the rest, ``apply_loss_defaults`` gives an experiment of
another loss defaults of its own, but only for keys the user left unset, so an experiment
that spells out every value is unchanged (and does not rerun). An experiment's `defaults` key
says which:

* ``robust`` (the default): the loss's published optimizer made fast and steady on 2-D data
  (a larger peak learning rate with warm-up and cosine decay, a zero-centred R1 penalty,
  shuffled blocks). Measured in docs/recipes.md; 1-D data keep the published settings.
* ``published``: the constants each loss was published with, nothing added.

The `defaults` key itself is removed once applied, so it is never part of a job's params.
docs/config.md shows these tables; keep them in step.
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

# Robust defaults (2-D data only), over the published ones: what docs/recipes.md measured
# on the ring, 10 seeds per loss.
ROBUST_SCHEDULE = {"name": "cosine", "warmup_steps": 200}
ROBUST_LEARNING_RATE = 3e-3
ROBUST_BY_LOSS: dict[str, dict] = {
    **{loss: {"loss": {"r1_gamma": 0.1}, "training": {"shuffle": True}} for loss in ("nonsaturating", "minimax", "lsgan", "hinge")},
    "wgan_gp": {"loss": {"gp_weight": 0.1}, "training": {"n_critic": 1, "shuffle": True}},
}
ROBUST_DIMS = (2,)
CHOICES = ("robust", "published")
CHOICE_KEY = "defaults"  # an experiment key read and removed here, before any settings object sees it

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


def defaults_for(loss: str, dim: int, which: str = "robust") -> dict:
    """The experiment keys that ``loss`` on ``dim``-dimensional data defaults to under
    ``which`` of CHOICES ({} for the teaching loop's loss: the schema has its settings)."""
    if loss not in OPTIMIZER_BY_LOSS:
        return {}
    optimizer = dict(OPTIMIZER_BY_LOSS[loss])
    robust = which == "robust" and dim in ROBUST_DIMS
    if robust:
        optimizer.update(learning_rate=ROBUST_LEARNING_RATE, schedule=ROBUST_SCHEDULE)
    net = {**NETWORK_BY_DIM[dim], "optimizer": optimizer}
    out = {"latent": LATENT_BY_DIM[dim], "generator": net, "discriminator": net}
    training = dict(TRAINING_BY_LOSS.get(loss, {}))
    if robust:
        training.update(ROBUST_BY_LOSS[loss].get("training", {}))
        out["loss"] = ROBUST_BY_LOSS[loss]["loss"]
    if training:
        out["training"] = training
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
        which = _which_defaults(exp)
        if which is None:
            continue  # not one of CHOICES: the schema reports it
        if loss not in OPTIMIZER_BY_LOSS:
            continue
        spec = datasets.get(exp.get("dataset")) if isinstance(exp.get("dataset"), str) else None
        if not isinstance(spec, dict) or spec.get("kind") not in ds.SYNTHETIC_KINDS + ds.FILE_KINDS:
            continue  # unknown dataset or kind: the schema and the cross checks say so
        name = exp["dataset"]
        if name not in dims:
            dims[name] = ds.dim(spec, unreadable=2)  # an unreadable file gets the 2-D defaults
        if dims[name] in NETWORK_BY_DIM:
            _fill_unset(exp, defaults_for(loss, dims[name], which))
    return cfg


def _which_defaults(exp: Any) -> str | None:
    """Pop and return the experiment's `defaults` choice (robust when unset); None (and the
    key left for the schema to report) when it is not one of CHOICES."""
    if not isinstance(exp, dict):
        return None
    which = exp.get(CHOICE_KEY, "robust")
    if which not in CHOICES:
        return None
    exp.pop(CHOICE_KEY, None)
    return which


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
