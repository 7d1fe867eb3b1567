"""Everything the trainer reads from the experiment configs, in one place.

Replicas trained together share the structure (toygan.config.scalars.structure) and may differ in the
per-replica scalars, which become (R,) arrays here. Structural settings are read from the
first replica's config; a new option is read here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from ..config import scalars


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


def _runtime_values(values: dict) -> dict:
    """Every scalar and its complement as a float32 variable, created here, outside the trace."""
    return {(key, complement): tf.Variable(((1.0 - v) if complement else v).astype(np.float32),
                                           trainable=False, name=key.replace(".", "_"))
            for key, v in values.items() for complement in (False, True)}


@dataclass(frozen=True)
class Settings:
    cfg: dict  # the first replica's experiment: structure is read from it
    values: dict  # dotted scalar key -> float64 array (R,)
    replicas: int
    runtime: dict  # (key, complement) -> float32 (R,) variable: what the compiled loop reads (``tensor``)

    @classmethod
    def build(cls, experiments: dict | list[dict], replicas: int) -> "Settings":
        if isinstance(experiments, dict):
            experiments = [experiments] * replicas
        if len(experiments) != replicas:
            raise ValueError(f"{len(experiments)} experiment configs for {replicas} seeds; give one per seed")
        base = scalars.structure(experiments[0])
        for i, exp in enumerate(experiments[1:], 1):
            key = first_difference(base, scalars.structure(exp))
            if key:
                raise ValueError(
                    f"replicas 0 and {i} differ in {key}, which is not a per-replica scalar "
                    f"(toygan.config.scalars.SCALAR_KEYS); they cannot train in one group"
                )
        values = {k: np.array([float(scalars.get(e, k)) for e in experiments]) for k in scalars.SCALAR_KEYS}
        cfg = experiments[0]
        if cfg["training"]["update"] == "simultaneous" and cfg["training"]["n_critic"] > 1:
            raise ValueError("training.update: simultaneous needs training.n_critic: 1")
        return cls(cfg, values, replicas, _runtime_values(values))

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
        float64 as Python's ``1 - beta`` is in Keras, so the arithmetic matches Keras bit for bit.

        Read from a variable, never a constant, and inside the compiled loop (call it there, not
        in a constructor: an eager read is captured as a constant). With constants, XLA sees
        whether all replicas share a value: a shared one becomes a scalar, which changes fusion
        and so where LLVM contracts a multiply and an add into one FMA (one rounding, not two).
        A replica then rounds differently in a 3-seed group than among 27 sweep replicas with
        different learning rates. A variable's value is unknown when compiling, so the compiled
        arithmetic is the same whatever the values (tests/test_sweep_batching.py).
        """
        v = self.runtime[key, complement]
        if scale != 1.0:
            v = v * scale  # exact for the powers of two used (0.5)
        return tf.reshape(v, [self.replicas] + [1] * (rank - 1))
