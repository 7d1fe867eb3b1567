"""A trainer's checkpoint: every array a resumed run needs to continue bit for bit.

Weights (G, D, G's average), last finite weights, optimizer steps and slots (the schedules
count those steps), divergence epochs and the history. RNG state is the epoch counter.
"""

from __future__ import annotations

import numpy as np

from .monitor import History


def _variable_groups(trainer) -> dict[str, list]:
    return {"var": trainer.state_vars, "good": trainer.good,
            "gopt": trainer.g_opt.variables, "dopt": trainer.d_opt.variables}


def state_arrays(trainer) -> dict[str, np.ndarray]:
    arrays = {f"{prefix}{i}": v.numpy() for prefix, vs in _variable_groups(trainer).items() for i, v in enumerate(vs)}
    arrays |= {"epoch": np.array(trainer.epoch), "diverged_at": trainer.diverged_epochs}
    return arrays | trainer.history.to_arrays(trainer.replicas)


def load_state(trainer, arrays) -> None:
    for prefix, variables in _variable_groups(trainer).items():
        for i, v in enumerate(variables):
            v.assign(arrays[f"{prefix}{i}"])
    trainer.diverged_at.assign(arrays["diverged_at"])
    trainer.epoch = int(arrays["epoch"])
    trainer.history = History.from_arrays(arrays, trainer.epoch)
