"""Which experiment settings are per-replica scalars, and which shape the compiled graph.

Replicas of one train job (seeds, and sweep points) share one compiled model. Settings that
are plain numbers feeding arithmetic (learning rates, optimizer constants, label values,
penalty weights, the EMA decay) can differ per replica: the trainer holds them as (R,)
tensors. Everything else (network shapes, layer types, loss and optimizer names, the update
scheme, the data layout) is structure: replicas batched together must agree on it.

No TensorFlow here: the rules use this to decide which experiments may share a train job.
"""

from __future__ import annotations

import copy

from .settings import get, per_replica_fields

# Dotted paths inside one experiment, from the per-replica marks of toygan.config.settings.
SCALAR_KEYS: tuple[str, ...] = tuple(path for path, _ in per_replica_fields())

# Scalars whose zero switches arithmetic off: the trainer then leaves it out of the graph, and
# XLA rounds the rest differently (fused multiply-adds) from a replica that runs it with 0.
# Whether each is zero is therefore structure, so a replica is bit-identical alone or batched.
SWITCHES: tuple[str, ...] = tuple(path for path, f in per_replica_fields() if f.metadata["switch"])


def structure(experiment: dict) -> dict:
    """A copy of ``experiment`` without its per-replica scalars (and without its seeds); for the
    SWITCHES, whether they are on stays, as ``<key>_on``."""
    out = copy.deepcopy(experiment)
    out.pop("seeds", None)
    for dotted in SCALAR_KEYS:
        *parents, last = dotted.split(".")
        node = out
        for part in parents:
            node = node.get(part, {})
        value = node.pop(last, None)
        if dotted in SWITCHES and value is not None:
            node[f"{last}_on"] = value != 0
    return out


def scalars(experiment: dict) -> dict[str, float]:
    """The per-replica scalar settings of a default-filled experiment, by dotted path."""
    return {key: get(experiment, key) for key in SCALAR_KEYS}
