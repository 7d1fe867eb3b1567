"""What the trainer reads from its replicas' experiments, parsed once.

Replicas trained together share the structure (``toygan.config.scalars.structure``) and may
differ in the per-replica scalars (the ``per_replica`` fields of ``toygan.config.settings``).
``Settings.exp`` is the first replica's experiment, typed: structure is read from it.
``Settings.replica`` has the same shape, with every per-replica field a :class:`Scalar`
holding all replicas' values, read as ``settings.replica.loss.r1_gamma.tensor()``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from ..config import scalars
from ..config.settings import Experiment, Section, get


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


class Scalar:
    """One per-replica setting: its values (float64, (R,)) and the float32 variables the
    compiled loop reads, the value and its complement 1 - value."""

    def __init__(self, key: str, values: np.ndarray):
        self.key, self.values = key, values
        # Created here, outside any trace, in SCALAR_KEYS order.
        self._vars = {complement: tf.Variable(((1.0 - values) if complement else values).astype(np.float32),
                                              trainable=False, name=key.replace(".", "_"))
                      for complement in (False, True)}

    def any(self) -> bool:
        """Whether any replica turns this on (its machinery then runs for all; 0 is a no-op)."""
        return bool(np.any(self.values != 0))

    def tensor(self, rank: int = 1, complement: bool = False, scale: float = 1.0) -> tf.Tensor:
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
        v = self._vars[complement]
        if scale != 1.0:
            v = v * scale  # exact for the powers of two used (0.5)
        return tf.reshape(v, [len(self.values)] + [1] * (rank - 1))


def _with_scalars(section: Section, found: dict[str, Scalar], prefix: str = "") -> Section:
    """``section`` with each per-replica field replaced by its Scalar (same shape, same names)."""
    changes = {}
    for f in dataclasses.fields(section):
        path = f"{prefix}{f.name}"
        value = getattr(section, f.name)
        if path in found:
            changes[f.name] = found[path]
        elif isinstance(value, Section):
            changes[f.name] = _with_scalars(value, found, path + ".")
    return dataclasses.replace(section, **changes)


@dataclass(frozen=True)
class Settings:
    exp: Experiment  # the first replica's: structure is read from it
    replica: Experiment  # the same, with a Scalar for each per-replica field
    replicas: int

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
        typed = [Experiment.parse(e) for e in experiments]
        exp = typed[0]
        if exp.training.simultaneous and exp.training.n_critic > 1:
            raise ValueError("training.update: simultaneous needs training.n_critic: 1")
        found = {k: Scalar(k, np.array([float(get(e, k)) for e in typed])) for k in scalars.SCALAR_KEYS}
        return cls(exp, _with_scalars(exp, found), replicas)
