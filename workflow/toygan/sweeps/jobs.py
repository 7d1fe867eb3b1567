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
from ..io import read_json, write_json
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
    """The train jobs of a sweep.

    Replicas whose outputs are ``current`` share jobs only with other finished replicas
    (``<sweep>_done_<digest>``, ``replicas_per_job`` at most, which have nothing to do):
    Snakemake reruns a job whole when one output is missing, so a finished replica must never
    share a job with a new one. A train job's only input is the data and its params are the
    sweep's shared settings, so which finished replicas share a job changes nothing Snakemake
    compares. The others train together, per network structure (``scalars.structure``), in
    chunks of ``replicas_per_job``, in grid order (:func:`batches`).
    """
    spec = cfg["sweeps"][sweep]
    done, todo = [], []
    for point in spec["points"]:
        for seed in cfg["experiments"][point]["seeds"]:
            (done if current(point, seed) else todo).append((point, seed))
    size = spec["replicas_per_job"]
    finished = [done[i : i + size] for i in range(0, len(done), size)]
    return [Job(f"{sweep}_done_{_digest(chunk)}", chunk) for chunk in finished] + batches(cfg, sweep, todo)


def batches(cfg: dict, sweep: str, replicas: list[tuple[str, int]]) -> list[Job]:
    """``replicas`` in chunks of ``replicas_per_job``, per network structure, in the order given.

    Named by content, not position: a cluster job parses the Snakefile again, maybe after other
    batches finished; those drop out whole, which leaves the other chunks as they were.
    """
    experiments = cfg["experiments"]
    values = cfg["sweeps"][sweep]["points"]
    structure: dict[str, str] = {}  # per point: its seeds share it
    by_signature: dict[str, str] = {}
    groups: dict[str, list[tuple[str, int]]] = {}
    for point, seed in replicas:
        if point not in structure:
            # Points differ only in their swept values, so points whose swept values agree up to
            # the per-replica scalars (switches: up to being on) share a structure: one
            # computation per signature, not per point (thousands of deep copies).
            signature = json.dumps([_structural(k, v) for k, v in values[point].items()], sort_keys=True)
            if signature not in by_signature:
                by_signature[signature] = json.dumps(scalars.structure(shared_settings(experiments[point], ())), sort_keys=True)
            structure[point] = by_signature[signature]
        groups.setdefault(structure[point], []).append((point, seed))
    size = cfg["sweeps"][sweep]["replicas_per_job"]
    chunks = [reps[i : i + size] for reps in groups.values() for i in range(0, len(reps), size)]
    return [Job(f"{sweep}_batch_{_digest(chunk)}", chunk) for chunk in chunks]


def _structural(key: str, value):
    """What of one swept value can change a point's structure (``scalars.structure``)."""
    if key in scalars.SWITCHES:
        return [key, value != 0]
    return [key] if key in scalars.SCALAR_KEYS else [key, value]


def run_jobs(cfg: dict, sweep: str, manifests: dict[str, list[tuple[str, int]]]) -> list[Job]:
    """The jobs that sample and evaluate a sweep's replicas, several replicas a job.

    Snakemake reruns a job when its list of input files changes, and a job's inputs are the
    models of its replicas. So a job, once it has run, keeps its replicas for good: its
    ``manifests`` entry (label -> replicas, written by the job) names them, and the job comes
    back with the same label, inputs and outputs, whatever points were added since. A manifest
    naming a replica the sweep no longer has is dropped, and its other replicas join the new
    ones, which are batched like training (:func:`batches`): on a first run, one job per train job.
    """
    wanted = [(p, s) for p in cfg["sweeps"][sweep]["points"] for s in cfg["experiments"][p]["seeds"]]
    known = set(wanted)
    kept, claimed = [], set()
    for label, replicas in sorted(manifests.items()):
        replicas = [tuple(r) for r in replicas]
        if replicas and set(replicas) <= known and not claimed & set(replicas) and len(set(replicas)) == len(replicas):
            kept.append(Job(label, replicas))
            claimed.update(replicas)
    return kept + batches(cfg, sweep, [r for r in wanted if r not in claimed])


def read_manifests(directory: str | Path) -> dict[str, list[tuple[str, int]]]:
    """label -> replicas of every ``<label>.json`` that :func:`write_manifest` left in ``directory``."""
    out = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            out[path.stem] = [(str(p), int(s)) for p, s in read_json(path)["replicas"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: its replicas are batched again
    return out


def write_manifest(path: str | Path, replicas: list[tuple[str, int]]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {"replicas": [list(r) for r in replicas]})


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


def drawn_points(table_tsv, best: int, worst: int) -> list[str]:
    """The points of a ranked sweep table (``ranking.write``) that get per-run figures: the ``best``
    first and the ``worst`` last ranked rows (points without a rank are neither), best first.
    The csv module, not pandas: the Snakefile calls this while it builds the DAG."""
    import csv

    with open(table_tsv, newline="") as f:
        ranked = [row["point"] for row in csv.DictReader(f, delimiter="\t") if row["rank"] not in ("", "NA")]
    chosen = ranked[:best] + ranked[max(len(ranked) - worst, 0) :]
    return list(dict.fromkeys(chosen))
