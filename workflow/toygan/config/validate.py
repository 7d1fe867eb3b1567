"""Load, default-fill and validate the workflow config (no Snakemake, no TensorFlow).

The JSON schema in ``workflow/schemas/config.schema.yaml`` is the single source of the
defaults and of the allowed values; this module applies it and adds the checks a schema
cannot express (cross references, duplicate keys in the YAML file).
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..sweeps import grid
from ..data.datasets import min_training_rows
from .loss_defaults import apply_loss_defaults
from .schema import load_schema
from .schema import resolve as _resolve

# JSON Schema counts 20.0 as an integer; YAML users mean a float there, and range() or an
# array shape would fail on it deep inside a job. An integer here is a YAML integer.
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, x: isinstance(x, int) and not isinstance(x, bool)
    ),
)


class ConfigError(ValueError):
    """A config value is wrong; the message names the key path."""


def _matches(instance: Any, schema: dict, root: dict) -> bool:
    validator = jsonschema.Draft202012Validator({**schema, "$defs": root.get("$defs", {})})
    return validator.is_valid(instance)


def _children(instance: Any, schema: dict, root: dict):
    """(key, sub-schema) of every place right below ``instance`` that the schema describes;
    the keys of a dict's ``properties`` are given whether present or not."""
    schema = _resolve(schema, root)
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for key, sub in props.items():
            if isinstance(sub, dict):
                yield key, _resolve(sub, root)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in instance:
                if key not in props:
                    yield key, extra
        for part in schema.get("allOf", []):
            part = _resolve(part, root)
            if "if" in part and _matches(instance, part["if"], root):
                yield from _children(instance, part.get("then", {}), root)
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for i in range(len(instance)):
            yield i, schema["items"]


def fill_defaults(instance: Any, schema: dict, root: dict | None = None) -> Any:
    """Insert schema defaults into ``instance`` in place, depth first, and return it."""
    root = root if root is not None else schema
    for key, sub in _children(instance, schema, root):
        if isinstance(instance, dict) and key not in instance:
            if "default" not in sub:
                continue
            instance[key] = copy.deepcopy(sub["default"])
        fill_defaults(instance[key], sub, root)
    return instance


# A number as YAML 1.2 and JSON write it; PyYAML (YAML 1.1) reads `1e-3` as a string.
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def typed_numbers(instance: Any, schema: dict, root: dict | None = None, *, ints: bool = True) -> Any:
    """Where the schema says ``number``, make the value a float: `1`, `1.0`, `1e0` and `1.0e+0`
    are then one value, equal in job params whatever the spelling (in place, and returned).
    ``ints=False`` converts only the number-like strings."""
    root = root if root is not None else schema
    for key, sub in _children(instance, schema, root):
        if not isinstance(instance, dict) or key in instance:
            instance[key] = typed_numbers(instance[key], sub, root, ints=ints)
    types = _resolve(schema, root).get("type", [])
    types = [types] if isinstance(types, str) else types
    if "number" not in types or "integer" in types or isinstance(instance, bool):
        return instance
    if (ints and isinstance(instance, int)) or (isinstance(instance, str) and _NUMBER.fullmatch(instance.strip())):
        return float(instance)
    return instance


def canonical(value: Any) -> Any:
    """``value`` with every mapping's keys sorted (recursively): job params compare equal
    whatever the key order of the YAML file (Snakemake compares the params' repr)."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


def _path(error: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "<top level>"


def _best_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """Descend into allOf/if-then wrappers so the message names the innermost key."""
    if error.context:
        return [e for c in error.context for e in _best_errors(c)]
    return [error]


def _describe(error: jsonschema.ValidationError) -> str:
    where = _path(error)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        extras = sorted(
            k for k in (error.instance if isinstance(error.instance, dict) else [])
            if k not in allowed and not any(re.search(p, str(k)) for p in patterns)
        )
        prefix = f"{where}." if where != "<top level>" else ""
        names = ", ".join(prefix + e + _did_you_mean(e, allowed) for e in extras)
        return f"unknown key {names}; allowed keys here: {', '.join(allowed)}"
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "propertyNames":
        return f"{where}: name {error.instance!r} must match {error.validator_value['pattern']}"
    if error.validator == "required":
        return f"{where}: {error.message}"
    return f"{where}: {error.message}"


def _did_you_mean(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _kindless_datasets(cfg: dict) -> set[str]:
    datasets = cfg.get("datasets")
    if not isinstance(datasets, dict):
        return set()
    return {name for name, spec in datasets.items() if isinstance(spec, dict) and "kind" not in spec}


def _non_finite(value: Any, path: str) -> list[str]:
    """.nan and .inf pass every minimum/maximum of the schema (comparisons with NaN are false)."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{path}: {value} is not a finite number"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, f"{path}.{i}")]
    return []


def validate_config(config: dict, configfiles: list[str] | tuple[str, ...] = ()) -> dict:
    """Return a default-filled copy of ``config`` in canonical form (sorted keys, numbers as
    floats where the schema says number); raise ConfigError naming every bad key."""
    for path in configfiles:
        check_duplicate_keys(path)
    root = load_schema()
    cfg = copy.deepcopy(dict(config))
    points = _expand_sweeps(cfg, root)
    _expand_rejection(cfg, root, {p for pts in points.values() for p in pts})
    # A dataset without `kind` matches every kind's `if` (an absent property passes `const`):
    # report the missing kind alone, not the defaults and key lists of every kind.
    kindless = _kindless_datasets(cfg)
    apply_loss_defaults(cfg)  # before the schema's: the loss decides what an unset key means
    fill_defaults(cfg, root)
    typed_numbers(cfg, root, ints=False)  # ints stay as written until the messages below are made
    for name in kindless:
        cfg["datasets"][name] = copy.deepcopy(config["datasets"][name])
    validator = _Validator(root)
    problems = _non_finite({k: v for k, v in cfg.items() if not str(k).startswith("x-")}, "")
    for error in sorted(validator.iter_errors(cfg), key=lambda e: list(map(str, e.absolute_path))):
        where = list(error.absolute_path)
        if where[:1] == ["datasets"] and len(where) >= 2 and where[1] in kindless and "then" in error.schema_path:
            continue
        if isinstance(error.instance, float) and not math.isfinite(error.instance):
            continue  # reported once above
        problems.extend(_describe(e) for e in _best_errors(error))
    problems.extend(_semantic_problems(cfg) if not problems else [])
    if problems:
        unique = list(dict.fromkeys(grid.rephrase(p, points) for p in problems))
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(unique))
    for name, pts in points.items():
        cfg["sweeps"][name]["points"] = pts
    return canonical(typed_numbers(cfg, root))


def _expand_sweeps(cfg: dict, root: dict) -> dict:
    """Check the `sweeps` section, then add its points to `experiments` (raw, before defaults),
    so each point is default-filled and validated like a hand-written experiment."""
    if not isinstance(cfg.get("sweeps"), dict):
        return {}
    # Validating a config this function returned (jobs do): expand again from the sweeps.
    for spec in cfg["sweeps"].values():
        if isinstance(spec, dict) and isinstance(cfg.get("experiments"), dict):
            for point in spec.pop("points", {}):
                cfg["experiments"].pop(point, None)
    schema = {"properties": {"sweeps": root["properties"]["sweeps"]}, "$defs": root["$defs"]}
    errors = sorted(_Validator(schema).iter_errors({"sweeps": cfg["sweeps"]}), key=lambda e: list(map(str, e.absolute_path)))
    problems = [_describe(e) for err in errors for e in _best_errors(err)]

    def value_problems(value, sub):
        found = [e.message for e in _Validator({**sub, "$defs": root["$defs"]}).iter_errors(value)]
        return found + [p.split(": ", 1)[1] for p in _non_finite(value, "value")]

    if not problems:
        points, problems = grid.expand(
            cfg, root["$defs"]["experiment"], lambda s: _resolve(s, root), value_problems
        )
    if problems:
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(dict.fromkeys(problems)))
    return points


def _expand_rejection(cfg: dict, root: dict, sweep_points: set[str]) -> None:
    """Check the `rejection` section, then add each row to `experiments` as a copy of the
    experiment it samples (raw, before defaults): its runs are that experiment's, sampled
    another way, and every stage after training treats the row as an experiment."""
    rows, experiments = cfg.get("rejection"), cfg.get("experiments")
    if not isinstance(rows, dict) or not isinstance(experiments, dict):
        return
    schema = {"properties": {"rejection": root["properties"]["rejection"]}, "$defs": root["$defs"]}
    errors = sorted(_Validator(schema).iter_errors({"rejection": rows}), key=lambda e: list(map(str, e.absolute_path)))
    problems = [_describe(e) for err in errors for e in _best_errors(err)]
    hand_written = [e for e in experiments if e not in sweep_points and e not in rows]
    for name, row in rows.items() if not problems else ():
        of = row["of"]
        if name in experiments and (of == name or experiments[name] != experiments.get(of)):
            # (an equal copy: a config this function returned, validated again by a job)
            problems.append(f"rejection.{name}: an experiment of that name exists; a rejection row needs a name of its own")
        elif of in rows:
            problems.append(f"rejection.{name}.of: {of!r} is a rejection row itself; name the experiment it samples")
        elif of in sweep_points:
            problems.append(f"rejection.{name}.of: {of!r} is a sweep point; rejection rows sample the "
                            f"experiments of `experiments`: {', '.join(hand_written)}")
        elif of not in experiments:
            problems.append(f"rejection.{name}.of: unknown experiment {of!r}; experiments: {', '.join(hand_written)}"
                            + _did_you_mean(of, hand_written))
    if problems:
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(dict.fromkeys(problems)))
    for name, row in rows.items():
        experiments[name] = copy.deepcopy(experiments[row["of"]])


def rejection_rows(cfg: dict) -> dict:
    """{row name: the name of the experiment it samples} of a validated config."""
    return {name: row["of"] for name, row in cfg["rejection"].items()}


def _semantic_problems(cfg: dict) -> list[str]:
    problems = []
    datasets = cfg["datasets"]
    for name, exp in cfg["experiments"].items():
        if exp["dataset"] not in datasets:
            problems.append(
                f"experiments.{name}.dataset: unknown dataset {exp['dataset']!r}; "
                f"defined datasets: {', '.join(sorted(datasets))}"
            )
        lat = exp["latent"]
        if lat["distribution"] == "uniform" and not lat["low"] < lat["high"]:
            problems.append(f"experiments.{name}.latent: low ({lat['low']}) must be below high ({lat['high']})")
        loss = exp["loss"]
        if loss["name"] == "bce_smoothed" and loss["real_label"] == loss["fake_label"]:
            problems.append(f"experiments.{name}.loss: real_label and fake_label must differ")
        if exp["discriminator"]["batch_norm"]:
            problems.append(f"experiments.{name}.discriminator.batch_norm: only the generator supports batch_norm")
        if exp["generator"]["layer"] == "maxout":
            problems.append(f"experiments.{name}.generator.layer: maxout is for the discriminator only; use dense")
        if exp["generator"]["spectral_norm"]:
            problems.append(f"experiments.{name}.generator.spectral_norm: only the discriminator supports "
                            "spectral normalisation")
        if exp["generator"]["fourier_features"]:
            problems.append(f"experiments.{name}.generator.fourier_features: only the discriminator supports "
                            "Fourier features; use 0")
        kernel = exp["loss"]["mmd"]
        if kernel["smallest"] > kernel["largest"]:
            problems.append(f"experiments.{name}.loss.mmd.smallest: {kernel['smallest']} is larger than "
                            f"loss.mmd.largest ({kernel['largest']}); no bandwidth lies between them")
        tr = exp["training"]
        if tr["batch_size"] is not None and tr["batch_size"] < tr["pack"]:
            problems.append(
                f"experiments.{name}.training.batch_size: {tr['batch_size']} is smaller than training.pack "
                f"({tr['pack']}); a batch must hold at least one pack of samples"
            )
        if tr["update"] == "simultaneous" and tr["n_critic"] > 1:
            problems.append(
                f"experiments.{name}.training.update: simultaneous updates take D's and G's gradients at the "
                f"same weights once per step, so they need training.n_critic: 1 (it is {tr['n_critic']})"
            )
        spec = datasets.get(exp["dataset"])
        if spec is not None and spec["kind"] != "file":  # file rows are known once read: the data rule checks
            need = min_training_rows(tr)
            if spec["n"] < need:
                how = (f"training.batch_size = {tr['batch_size']}" if tr["batch_size"]
                       else f"training.batches = {tr['batches']} x training.pack = {tr['pack']}")
                problems.append(
                    f"datasets.{exp['dataset']}.n: {spec['n']} rows are fewer than one training batch of "
                    f"experiments.{name} ({need} rows: {how}); raise n or lower the batch"
                )
    return problems


class _DuplicateKeyLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor`: merged keys may be overridden
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(
                f"{loader.name}: duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                f"(first at line {seen[key] + 1}); names must be unique"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_DuplicateKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def check_duplicate_keys(path: str | Path) -> None:
    """PyYAML keeps the last of two equal keys silently; we refuse them."""
    with open(path) as fh:
        loader = _DuplicateKeyLoader(fh)
        loader.name = str(path)
        try:
            loader.get_single_data()
        finally:
            loader.dispose()


def seed_groups(experiment: dict) -> list[list[int]]:
    """Split an experiment's seeds into the groups that train together in one job."""
    seeds = list(experiment["seeds"])
    size = experiment["training"]["seed_group_size"]
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]


def group_label(seeds: list[int]) -> str:
    return "seeds" + "_".join(str(s) for s in seeds)
