"""What training records between compiled chunks: losses, periodic W1, snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def event_epochs(training) -> dict[str, set[int]]:
    """The epochs at which Python work happens between compiled chunks (``training``: the
    experiment's toygan.config.settings.Training)."""
    epochs = training.epochs

    def every(n):
        return set(range(n, epochs + 1, n)) if n else set()

    snaps = training.snapshots
    snapshot = set(np.unique(np.round(np.linspace(0, epochs, snaps)).astype(int)).tolist()) if snaps else set()
    return {
        "log": every(training.log_every) | {epochs},
        "metric": every(training.metric_every) | {epochs},
        "snapshot": snapshot,
        "checkpoint": every(training.checkpoint_every) - {epochs},
    }


@dataclass
class History:
    """Per-replica records gathered at chunk boundaries."""

    d_loss: list = field(default_factory=list)  # arrays (epochs_in_chunk, R)
    g_loss: list = field(default_factory=list)
    w1: dict = field(default_factory=dict)  # epoch -> array (R,): the trained G
    w1_ema: dict = field(default_factory=dict)  # epoch -> array (R,): G's moving average, when on
    snapshot_epochs: list = field(default_factory=list)
    snapshot_samples: list = field(default_factory=list)  # arrays (R, m, d)
    snapshot_d: list = field(default_factory=list)  # per snapshot: D's exported weights, arrays (R, ...)

    def losses(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.d_loss:
            return np.zeros((0, 0)), np.zeros((0, 0))
        return np.concatenate(self.d_loss), np.concatenate(self.g_loss)

    def w1_column(self, which: str, epochs: np.ndarray, r: int) -> np.ndarray:
        records = getattr(self, which)
        return np.array([records[e][r] if e in records else np.nan for e in epochs])

    def to_arrays(self, replicas: int) -> dict[str, np.ndarray]:
        d, g = self.losses()
        out = {"d_loss": d, "g_loss": g,
               "snap_epochs": np.array(self.snapshot_epochs, dtype=np.int64),
               "snap_samples": np.array(self.snapshot_samples),
               "snap_d_count": np.array(len(self.snapshot_d[0]) if self.snapshot_d else 0)}
        for j in range(int(out["snap_d_count"])):
            out[f"snap_d_{j}"] = np.array([weights[j] for weights in self.snapshot_d])
        for which in ("w1", "w1_ema"):
            records = getattr(self, which)
            out[f"{which}_epochs"] = np.array(sorted(records), dtype=np.int64)
            out[f"{which}_values"] = np.array([records[e] for e in sorted(records)]).reshape(len(records), replicas)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict, epoch: int) -> "History":
        h = cls()
        if epoch:
            h.d_loss, h.g_loss = [arrays["d_loss"]], [arrays["g_loss"]]
        for which in ("w1", "w1_ema"):
            setattr(h, which, {int(e): v for e, v in zip(arrays[f"{which}_epochs"], arrays[f"{which}_values"])})
        h.snapshot_epochs = [int(e) for e in arrays["snap_epochs"]]
        h.snapshot_samples = list(arrays["snap_samples"])
        count = int(arrays["snap_d_count"])
        h.snapshot_d = [[arrays[f"snap_d_{j}"][i] for j in range(count)] for i in range(len(h.snapshot_epochs))]
        return h
