"""Sweeps: a grid of settings around a base experiment, expanded into ordinary experiments.

No TensorFlow. ``toygan.config.validate.validate_config`` calls :func:`expand` before it fills defaults,
so every point is validated like a hand-written experiment. Which replicas train together
is decided in :mod:`toygan.sweeps.jobs`.

Naming rule: ``<sweep>__<label>_<value>__<label>_<value>...``, one part per swept key in the
order written (grid keys, then zip keys). A key's label is its last part (``real_label``),
prefixed by the initials of the parts before it when two swept keys end alike
(``go_learning_rate``, ``do_learning_rate``); ``labels:`` overrides it. A value is written
with ``.`` -> ``p``, ``-`` -> ``m``, ``+`` dropped, lists joined by ``x``: 0.0005 -> ``0p0005``,
1e-05 -> ``1em05``, [64, 64] -> ``64x64``, true -> ``true``.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import re
from typing import Any, Callable


# Settings that only say how replicas are grouped into jobs: never part of a job's params.
GROUPING_KEYS = ("seeds", "training.seed_group_size")
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# ----- naming ------------------------------------------------------------------------------
def format_value(value: Any) -> str:
    """A setting's value as part of an identifier (see the module docstring)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (int, float)):
        return repr(value).replace("+", "").replace("-", "m").replace(".", "p")
    if isinstance(value, (list, tuple)):
        return "x".join(format_value(v) for v in value)
    if isinstance(value, str):
        return re.sub(r"[^A-Za-z0-9_]", "_", value)
    return hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()[:8]


def key_labels(keys: list[str], labels: dict[str, str] | None = None) -> dict[str, str]:
    """Each dotted key's label: its last part; if two keys share that, the initials of the
    parts before it come first (generator.optimizer.learning_rate -> go_learning_rate)."""
    labels = labels or {}
    out = {}
    for key in keys:
        *parents, last = key.split(".")
        clash = any(o != key and o.split(".")[-1] == last for o in keys)
        out[key] = labels.get(key) or ("".join(p[0] for p in parents) + "_" + last if clash and parents else last)
    return out


def point_name(sweep: str, values: dict[str, Any], labels: dict[str, str]) -> str:
    return "__".join([sweep, *(f"{labels[k]}_{format_value(v)}" for k, v in values.items())])


# ----- the grid --------------------------------------------------------------------------
def axes(spec: dict) -> list[list[dict[str, Any]]]:
    """One axis per grid key and one for the zip group; each axis lists {key: value} steps."""
    out = [[{key: v} for v in values] for key, values in spec.get("grid", {}).items()]
    zipped = spec.get("zip") or {}
    if zipped:
        out.append([dict(zip(zipped, vals)) for vals in zip(*zipped.values())])
    return out


def axis_keys(spec: dict) -> list[list[str]]:
    """The keys of each axis: one per grid key, then the zip group's keys together."""
    zipped = list(spec.get("zip") or {})
    return [[k] for k in spec.get("grid", {})] + ([zipped] if zipped else [])


def swept_keys(spec: dict) -> list[str]:
    return [*spec.get("grid", {}), *(spec.get("zip") or {})]


def grid_points(sweep: str, spec: dict) -> dict[str, dict[str, Any]]:
    """Point name -> {dotted key: value}, in grid order (the last axis varies fastest)."""
    keys = swept_keys(spec)
    labels = key_labels(keys, spec.get("labels"))
    points: dict[str, dict[str, Any]] = {}
    for combo in itertools.product(*axes(spec)):
        values = {k: v for step in combo for k, v in step.items()}
        values = {k: values[k] for k in keys}
        name = point_name(sweep, values, labels)
        if name in points:
            raise ValueError(
                f"sweeps.{sweep}: points {points[name]} and {values} get the same name {name!r}; "
                "set distinct `labels:` or values"
            )
        points[name] = values
    return points


def set_dotted(cfg: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = cfg
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = copy.deepcopy(value)


def drop_dotted(cfg: dict, dotted: str) -> None:
    *parents, last = dotted.split(".")
    node = cfg
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


# ----- expansion (called from validate_config, before defaults) ---------------------------
def _schema_at(experiment_schema: dict, dotted: str, resolve: Callable[[dict], dict]) -> tuple[dict | None, str, list[str]]:
    """The sub-schema of a dotted experiment key, or None with the bad part and its siblings."""
    node = resolve(experiment_schema)
    for i, part in enumerate(dotted.split(".")):
        props = node.get("properties", {})
        if part not in props:
            return None, ".".join(dotted.split(".")[: i + 1]), sorted(props)
        node = resolve(props[part])
    return node, "", []


def _spec_problems(where: str, spec: dict, experiment_schema: dict, resolve: Callable[[dict], dict],
                   value_problems: Callable[[Any, dict], list[str]]) -> list[str]:
    """What is wrong with one sweep's keys, values and labels (naming sweep, key and value)."""
    here = [] if swept_keys(spec) else [f"{where}: sweeps nothing; give `grid` or `zip` at least one key"]
    for key in swept_keys(spec):
        section = "zip" if key in (spec.get("zip") or {}) else "grid"
        if key in GROUPING_KEYS:
            here.append(f"{where}.{section}: key {key!r} cannot be swept (seeds come from the base; "
                        "sweeps batch replicas by `replicas_per_job`)")
            continue
        sub, bad, siblings = _schema_at(experiment_schema, key, resolve)
        if sub is None:
            close = difflib.get_close_matches(bad.split(".")[-1], siblings, n=1)
            hint = f" (did you mean {bad.rsplit('.', 1)[0] + '.' if '.' in bad else ''}{close[0]}?)" if close else ""
            parent = bad.rsplit(".", 1)[0] + "." if "." in bad else ""
            here.append(f"{where}.{section}: unknown key {key!r}{hint}: {bad!r} is not an experiment "
                        f"setting; allowed after {parent or 'the experiment'}: {', '.join(siblings)}")
            continue
        for value in (spec.get(section) or {}).get(key) or []:
            for msg in value_problems(value, sub):
                here.append(f"{where}.{section}.{key}: value {value!r} is rejected: {msg}")
    for key in spec.get("labels") or {}:
        if key not in swept_keys(spec):
            here.append(f"{where}.labels: {key!r} is not a swept key; swept: {', '.join(swept_keys(spec))}")
    zipped = spec.get("zip") or {}
    if len({len(v) for v in zipped.values() if isinstance(v, list)}) > 1:
        lengths = ", ".join(f"{k}: {len(v)}" for k, v in zipped.items())
        here.append(f"{where}.zip: the keys vary together, so their lists need one length (got {lengths})")
    both = set(spec.get("grid") or {}) & set(zipped)
    if both:
        here.append(f"{where}: key(s) {', '.join(sorted(both))} in both grid and zip")
    for key, values in (spec.get("grid") or {}).items():
        dup = [v for i, v in enumerate(values) if v in values[:i]] if isinstance(values, list) else []
        if dup:
            here.append(f"{where}: key {key!r} lists the value {dup[0]!r} twice")
    # A zipped key may repeat a value (lr 3e-3 with two penalty weights); a zipped point may not.
    lists = [v for v in zipped.values() if isinstance(v, list)]
    if lists and len(lists) == len(zipped) and len({len(v) for v in lists}) == 1:
        points = list(zip(*lists))
        dup = [p for i, p in enumerate(points) if p in points[:i]]
        if dup:
            values = ", ".join(f"{k}={v!r}" for k, v in zip(zipped, dup[0]))
            here.append(f"{where}.zip: the point ({values}) is listed twice")
    return here


def expand(
    cfg: dict,
    experiment_schema: dict,
    resolve: Callable[[dict], dict],
    value_problems: Callable[[Any, dict], list[str]],
) -> tuple[dict[str, dict[str, dict]], list[str]]:
    """Add every sweep point to ``cfg["experiments"]`` (raw, before defaults), in place.

    Returns ``({sweep: {point: {key: value}}}, problems)``; problems name the sweep, the key
    and the value. ``value_problems(value, schema)`` validates one value against a sub-schema.
    """
    sweeps = cfg.get("sweeps") or {}
    if not isinstance(sweeps, dict):
        return {}, []  # the schema reports the type
    experiments = cfg.setdefault("experiments", {})
    if not isinstance(experiments, dict):
        return {}, []
    hand_written = dict(experiments)
    all_points: dict[str, dict[str, dict]] = {}
    problems: list[str] = []
    for sweep, spec in sweeps.items():
        if not isinstance(spec, dict):
            continue  # the schema reports it
        where = f"sweeps.{sweep}"
        base = spec.get("base")
        if isinstance(base, str):
            if base not in hand_written:
                close = difflib.get_close_matches(base, list(hand_written), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append(f"{where}.base: unknown experiment {base!r}{hint}; "
                                f"defined experiments: {', '.join(sorted(hand_written)) or 'none'}")
                continue
            base = hand_written[base]
        if not isinstance(base, dict):
            continue  # the schema reports it
        here = _spec_problems(where, spec, experiment_schema, resolve, value_problems)
        problems += here
        if here:
            continue
        try:
            points = grid_points(sweep, spec)
        except ValueError as err:
            problems.append(str(err))
            continue
        for name, values in points.items():
            if name in hand_written:
                problems.append(f"{where}: point {name!r} has the name of an experiment")
                continue
            exp = copy.deepcopy(base)
            for key, value in values.items():
                set_dotted(exp, key, value)
            experiments[name] = exp
        all_points[sweep] = points
    return all_points, problems


def rephrase(problem: str, points: dict[str, dict[str, dict]]) -> str:
    """Say which sweep (and point, if a swept key is to blame) a point's problem comes from."""
    for sweep, pts in points.items():
        for name, values in pts.items():
            where = f"experiments.{name}"
            if where not in problem:
                continue
            key = problem.split(where, 1)[1].split(":", 1)[0].split(" ", 1)[0].lstrip(".")
            if any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in values):
                vals = ", ".join(f"{k}={v!r}" for k, v in values.items())
                return problem.replace(where + ".", f"sweeps.{sweep} point {name} ({vals}): ", 1)
            return problem.replace(where, f"sweeps.{sweep}.base", 1)
    return problem
