"""Everything the trainer reads from the experiment configs, in one place.

Replicas trained together share the structure (toygan.hyper.structure) and may differ in the
per-replica scalars, which become (R,) arrays here. Structural settings are read from the
first replica's config; a new option is read here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from .. import hyper


def first_difference(a, b, path: str = "") -> str | None:
    """The dotted path of the first setting where two configs differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                return where
            found = first_difference(a[key], b[key], where)
            if found:
                return found
        return None
    return None if a == b else (path or "<top level>")


@dataclass(frozen=True)
class Settings:
    cfg: dict  # the first replica's experiment: structure is read from it
    values: dict  # dotted scalar key -> float64 array (R,)
    replicas: int

    @classmethod
    def build(cls, experiments: dict | list[dict], replicas: int) -> "Settings":
        if isinstance(experiments, dict):
            experiments = [experiments] * replicas
        if len(experiments) != replicas:
            raise ValueError(f"{len(experiments)} experiment configs for {replicas} seeds; give one per seed")
        base = hyper.structure(experiments[0])
        for i, exp in enumerate(experiments[1:], 1):
            key = first_difference(base, hyper.structure(exp))
            if key:
                raise ValueError(
                    f"replicas 0 and {i} differ in {key}, which is not a per-replica scalar "
                    f"(toygan.hyper.SCALAR_KEYS); they cannot train in one group"
                )
        values = {k: np.array([float(hyper.get(e, k)) for e in experiments]) for k in hyper.SCALAR_KEYS}
        cfg = experiments[0]
        if cfg["training"]["update"] == "simultaneous" and cfg["training"]["n_critic"] > 1:
            raise ValueError("training.update: simultaneous needs training.n_critic: 1")
        return cls(cfg, values, replicas)

    # ----- structure -------------------------------------------------------------------
    @property
    def training(self) -> dict:
        return self.cfg["training"]

    @property
    def loss_name(self) -> str:
        return self.cfg["loss"]["name"]

    @property
    def latent(self) -> dict:
        return self.cfg["latent"]

    def optimizer(self, net: str) -> dict:
        return self.cfg[net]["optimizer"]

    @property
    def simultaneous(self) -> bool:
        return self.training["update"] == "simultaneous"

    @property
    def with_replacement(self) -> bool:
        return self.training["batch_sampling"] == "with_replacement"

    # ----- per-replica scalars ---------------------------------------------------------
    def any(self, key: str) -> bool:
        """Whether any replica turns this on (its machinery then runs for all; 0 is a no-op)."""
        return bool(np.any(self.values[key] != 0))

    def tensor(self, key: str, rank: int = 1, complement: bool = False, scale: float = 1.0) -> tf.Tensor:
        """float32 (R, 1, ...) of ``rank`` axes; ``complement`` gives 1 - value, rounded once from
        float64 as Python's ``1 - beta`` is in Keras, so the arithmetic matches Keras bit for bit."""
        v = self.values[key]
        v = (1.0 - v) if complement else v * scale
        return tf.constant(v.astype(np.float32).reshape([self.replicas] + [1] * (rank - 1)))
