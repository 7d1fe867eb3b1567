"""Typed, frozen settings: a validated config section becomes one of these at a job's boundary.

Code deeper down reads fields (``exp.training.pack``), never dotted strings into dicts, so a
misspelt setting fails where it is written, not at run time. The classes declare names and
types only: every default lives in the schema (``workflow/schemas/config.schema.yaml``), which
fills the dict before it is parsed here, and ``tests/test_settings.py`` checks that every class
has exactly the keys its schema object has.

A field marked :func:`per_replica` is a plain number feeding arithmetic (a learning rate, a
label, a penalty weight): replicas of one train job may differ in it, and the trainer holds it
as an (R,) array. Every other field is structure, shared by the replicas of a job
(``toygan.config.scalars`` derives both lists from these marks). A per-replica field that is
also a *switch* leaves its arithmetic out of the graph at 0, so whether it is 0 is structure.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Iterator


def per_replica(*, switch: bool = False):
    return field(metadata={"per_replica": True, "switch": switch})


class Section:
    """Base of every settings class: built from a default-filled dict, turned back into one."""

    @classmethod
    def from_dict(cls, raw: dict, where: str = ""):
        hints = _hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(raw) - set(names))
        missing = [n for n in names if n not in raw]
        if unknown or missing:
            raise ValueError(
                f"{where or cls.__name__}: "
                + "; ".join(filter(None, [unknown and f"unknown keys {unknown}",
                                          missing and f"missing keys {missing}"]))
                + " (settings must be validated and default-filled by toygan.config.validate first)"
            )
        return cls(**{n: _parse(hints[n], raw[n], f"{where}.{n}" if where else n) for n in names})

    def to_dict(self) -> dict:
        return {f.name: _unparse(getattr(self, f.name)) for f in dataclasses.fields(self)}


@functools.cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _parse(hint, value, where: str):
    if isinstance(hint, type) and issubclass(hint, Section):
        return hint.from_dict(value, where)
    if typing.get_origin(hint) is tuple:
        return tuple(value)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = next(a for a in typing.get_args(hint) if a is not type(None))
        return None if value is None else _parse(inner, value, where)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _unparse(value):
    if isinstance(value, Section):
        return value.to_dict()
    if isinstance(value, tuple):
        return list(value)
    return value


# ----- an experiment ----------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule(Section):
    name: str
    final_fraction: float = per_replica()
    warmup_steps: int = per_replica()


@dataclass(frozen=True)
class Optimizer(Section):
    name: str
    learning_rate: float = per_replica()
    beta_1: float = per_replica()
    beta_2: float = per_replica()
    rho: float = per_replica()
    momentum: float = per_replica(switch=True)
    epsilon: float = per_replica()
    schedule: Schedule


@dataclass(frozen=True)
class Init(Section):
    name: str
    std: float


@dataclass(frozen=True)
class Network(Section):
    hidden: tuple[int, ...]
    activation: str
    batch_norm: bool
    batch_norm_momentum: float
    use_bias: bool
    layer: str
    maxout_pieces: int
    spectral_norm: bool
    fourier_features: int
    fourier_scale: float
    init: Init
    optimizer: Optimizer


@dataclass(frozen=True)
class Latent(Section):
    dim: int
    distribution: str
    low: float
    high: float
    categories: int

    @property
    def width(self) -> int:
        """G's input size: the continuous values and the one-hot code."""
        return self.dim + self.categories


@dataclass(frozen=True)
class Mmd(Section):
    weight: float = per_replica(switch=True)
    smallest: float
    largest: float

    @property
    def fractions(self) -> tuple[float, ...]:
        """The kernels' bandwidths as fractions of the data's spread: doubling from ``smallest``
        while at most ``largest``."""
        out = [self.smallest]
        while out[-1] * 2 <= self.largest * (1 + 1e-9):
            out.append(out[-1] * 2)
        return tuple(out)


@dataclass(frozen=True)
class Loss(Section):
    name: str
    real_label: float = per_replica()
    fake_label: float = per_replica()
    gp_weight: float = per_replica()
    r1_gamma: float = per_replica(switch=True)
    r2_gamma: float = per_replica(switch=True)
    mmd: Mmd


@dataclass(frozen=True)
class Ema(Section):
    decay: float = per_replica()
    start_epoch: int = per_replica()


@dataclass(frozen=True)
class Training(Section):
    epochs: int
    batches: int
    batch_size: int | None
    shuffle: bool
    n_critic: int
    pack: int
    update: str
    batch_sampling: str
    ema: Ema
    log_every: int
    metric_every: int
    metric_samples: int
    snapshots: int
    checkpoint_every: int
    keep_checkpoint: bool
    seed_group_size: int
    threads: int
    gpu: bool

    @property
    def simultaneous(self) -> bool:
        return self.update == "simultaneous"

    @property
    def with_replacement(self) -> bool:
        return self.batch_sampling == "with_replacement"


@dataclass(frozen=True)
class Sampling(Section):
    n: int | None


@dataclass(frozen=True)
class Experiment(Section):
    dataset: str
    seeds: tuple[int, ...]
    latent: Latent
    generator: Network
    discriminator: Network
    loss: Loss
    training: Training
    sampling: Sampling

    @classmethod
    def parse(cls, raw: dict) -> "Experiment":
        """An experiment as the rules pass it (its seeds may be left out: a job's own seeds
        come separately, so adding a seed does not rerun the jobs of the others)."""
        return cls.from_dict({"seeds": [], **raw}, "experiment")


# ----- a rejection row --------------------------------------------------------------------
@dataclass(frozen=True)
class Rejection(Section):
    """A row of ``rejection``: which experiment's generators, and how the new D is trained and used."""

    of: str
    steps: int
    batch_size: int
    learning_rate: float
    hidden: tuple[int, ...]
    fourier_features: int
    fourier_scale: float
    pool: int
    percentile: float
    max_draws: int

    @classmethod
    def parse(cls, raw: dict) -> "Rejection":
        return cls.from_dict(raw, "rejection")


# ----- the evaluation section ------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation(Section):
    n_samples: int
    ot_subsample: int
    histogram_bins: int
    epsilon: float
    mode_threshold: float
    seed: int
    floor_pairs: int
    truth_samples: int
    truth_projections: int
    max_modes: int
    collapse_mass_ratio: float
    min_mode_rows: int
    width_ratio_low: float
    width_ratio_high: float
    prdc_k: int
    recall_ratio_min: float
    precision_ratio_min: float

    # The keys of the per-dataset rule `reference`: the verdict thresholds are not among them,
    # so changing a threshold never recomputes the floors.
    REFERENCE_KEYS: typing.ClassVar[tuple[str, ...]] = (
        "n_samples", "ot_subsample", "histogram_bins", "epsilon", "mode_threshold", "seed",
        "floor_pairs", "truth_samples", "truth_projections", "max_modes", "prdc_k",
    )

    @classmethod
    def parse(cls, raw: dict) -> "Evaluation":
        """The section, or the part of it a rule got (the reference rule's keys): the keys left
        out take the schema's defaults."""
        from .schema import section_defaults

        return cls.from_dict({**section_defaults("evaluation"), **raw}, "evaluation")

    def reference_part(self) -> dict:
        return {k: getattr(self, k) for k in self.REFERENCE_KEYS}


# ----- walking the per-replica fields -----------------------------------------------------
def per_replica_fields(cls: type = Experiment, prefix: str = "") -> Iterator[tuple[str, dataclasses.Field]]:
    """(dotted path, field) of every per-replica scalar under ``cls``, in declaration order."""
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        path = f"{prefix}{f.name}"
        hint = hints[f.name]
        if isinstance(hint, type) and issubclass(hint, Section):
            yield from per_replica_fields(hint, path + ".")
        elif f.metadata.get("per_replica"):
            yield path, f


def get(section: Any, dotted: str) -> Any:
    """The value at a dotted path of a settings object or of its dict."""
    for part in dotted.split("."):
        section = section[part] if isinstance(section, dict) else getattr(section, part)
    return section
