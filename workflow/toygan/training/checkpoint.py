"""Resumable-training checkpoints: one .npz per train job, written atomically.

A checkpoint carries a fingerprint of everything that shapes training (experiment, data,
seeds); a checkpoint from a different config is ignored, never resumed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from ..io import save_npz

log = logging.getLogger(__name__)


STATE_LAYOUT = 2  # bump when the trainer's state arrays change meaning: older checkpoints are ignored


def fingerprint(experiment: dict, data: np.ndarray, seeds: list[int]) -> str:
    h = hashlib.sha256()
    h.update(f"state layout {STATE_LAYOUT}".encode())
    h.update(json.dumps(experiment, sort_keys=True).encode())
    h.update(np.ascontiguousarray(data).tobytes())
    h.update(json.dumps(list(seeds)).encode())
    return h.hexdigest()


def save(path: str | os.PathLike, arrays: dict, fp: str) -> None:
    save_npz(path, fingerprint=np.array(fp), **arrays)


def load(path: str | os.PathLike, fp: str) -> dict | None:
    """The checkpoint's arrays, or None if there is none or it belongs to another config."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path) as f:
            arrays = {k: f[k] for k in f.files}
    except (OSError, ValueError) as err:  # a torn file cannot exist (atomic writes); be safe anyway
        log.warning("ignoring unreadable checkpoint %s: %s", path, err)
        return None
    if str(arrays.pop("fingerprint")) != fp:
        log.info("ignoring checkpoint %s: it was written for another config", path)
        return None
    return arrays


def remove(path: str | os.PathLike) -> None:
    Path(path).unlink(missing_ok=True)
