"""Which (point, seed) replicas of a sweep share a train job, and whether a replica is done.

No TensorFlow: the rules call :func:`train_jobs` while the Snakefile is parsed.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from ..config import scalars
from .grid import GROUPING_KEYS, drop_dotted


def shared_settings(experiment: dict, keys: Iterable[str]) -> dict:
    """A point's settings without its swept keys and grouping keys: equal for every point of
    a sweep, so it serves as the params of any job of the sweep, whatever points share it."""
    out = copy.deepcopy(experiment)
    for key in (*keys, *GROUPING_KEYS):
        drop_dotted(out, key)
    return out


def replica_stamp(experiment: dict, dataset: dict, seed: int) -> str:
    """Fingerprint of what one (point, seed) replica's training depends on."""
    shaped = {k: copy.deepcopy(v) for k, v in experiment.items() if k != "seeds"}  # never edit the config
    drop_dotted(shaped, "training.seed_group_size")
    text = json.dumps({"experiment": shaped, "dataset": dataset, "seed": seed}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Job(NamedTuple):
    label: str  # unique among the sweep's jobs; names the rule, log and benchmark files
    replicas: list[tuple[str, int]]  # (point, seed)


def train_jobs(cfg: dict, sweep: str, current: Callable[[str, int], bool]) -> list[Job]:
    """The train (or sample) jobs of a sweep.

    A replica whose outputs are ``current`` gets a job of its own: Snakemake reruns a job
    whole when one output is missing, so a finished replica must never share a job with a
    new one. The others train together, per network structure (``scalars.structure``), in
    chunks of ``replicas_per_job``, in grid order.
    """
    spec = cfg["sweeps"][sweep]
    experiments = cfg["experiments"]
    singles, groups = [], {}
    for point in spec["points"]:
        exp = experiments[point]
        for seed in exp["seeds"]:
            if current(point, seed):
                singles.append(Job(f"{point}_seed{seed}", [(point, seed)]))
            else:
                key = json.dumps(scalars.structure(shared_settings(exp, ())), sort_keys=True)
                groups.setdefault(key, []).append((point, seed))
    size = spec["replicas_per_job"]
    chunks = [reps[i : i + size] for reps in groups.values() for i in range(0, len(reps), size)]
    # Named by content, not position: a cluster job parses the Snakefile again, maybe after other
    # batches finished; those drop out whole, which leaves the other chunks as they were.
    return singles + [Job(f"{sweep}_batch_{_digest(chunk)}", chunk) for chunk in chunks]


def _digest(replicas: list[tuple[str, int]]) -> str:
    return hashlib.sha1(json.dumps(replicas).encode()).hexdigest()[:10]


def outputs_current(paths: list[str], *, stamp: str | None = None, newer_than: Iterable = ()) -> bool:
    """All ``paths`` exist, are newer than every file of ``newer_than``, and (with ``stamp``)
    the run.json among them records that stamp: the parse-time guess that Snakemake will not
    rerun them. A wrong guess costs batching, never correctness."""
    try:
        oldest = min(Path(p).stat().st_mtime for p in paths)
        newest_dep = max((Path(p).stat().st_mtime for p in newer_than), default=0.0)
    except (OSError, ValueError):
        return False
    if oldest < newest_dep:
        return False
    if stamp is None:
        return True
    run_json = next((p for p in paths if Path(p).name == "run.json"), None)
    try:
        return json.loads(Path(run_json).read_text()).get("settings_sha256") == stamp
    except (OSError, TypeError, ValueError):
        return False


def replicas_from_paths(paths: Iterable[str]) -> list[tuple[str, int]]:
    """(point, seed) of each ``.../<point>/seed<s>/<file>`` path, in order."""
    out = []
    for p in paths:
        p = Path(p)
        out.append((p.parent.parent.name, int(p.parent.name.removeprefix("seed"))))
    return out
