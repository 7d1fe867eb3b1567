"""Load, default-fill and validate the workflow config (no Snakemake, no TensorFlow).

The JSON schema in ``workflow/schemas/config.schema.yaml`` is the single source of the
defaults and of the allowed values; this module applies it and adds the checks a schema
cannot express (cross references, duplicate keys in the YAML file).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """A config value is wrong; the message names the key path."""


def load_schema() -> dict:
    with open(SCHEMA_PATH) as fh:
        return yaml.safe_load(fh)


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
        # Keys beside a $ref (e.g. a local default) win over the referenced schema.
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**node, **extra}
    return schema


def _matches(instance: Any, schema: dict, root: dict) -> bool:
    validator = jsonschema.Draft202012Validator({**schema, "$defs": root.get("$defs", {})})
    return validator.is_valid(instance)


def fill_defaults(instance: Any, schema: dict, root: dict | None = None) -> Any:
    """Insert schema defaults into ``instance`` in place, depth first, and return it."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if isinstance(instance, dict):
        for key, sub in schema.get("properties", {}).items():
            sub = _resolve(sub, root) if isinstance(sub, dict) else sub
            if isinstance(sub, dict) and key not in instance and "default" in sub:
                instance[key] = copy.deepcopy(sub["default"])
            if key in instance and isinstance(sub, dict):
                fill_defaults(instance[key], sub, root)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in instance:
                if key not in schema.get("properties", {}):
                    fill_defaults(instance[key], extra, root)
        for part in schema.get("allOf", []):
            part = _resolve(part, root)
            if "if" in part and _matches(instance, part["if"], root):
                fill_defaults(instance, part.get("then", {}), root)
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for item in instance:
            fill_defaults(item, schema["items"], root)
    return instance


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
        extras = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        prefix = f"{where}." if where != "<top level>" else ""
        names = ", ".join(prefix + e for e in extras)
        return f"unknown key {names}; allowed keys here: {', '.join(allowed)}"
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "propertyNames":
        return f"{where}: name {error.instance!r} must match {error.validator_value['pattern']}"
    if error.validator == "required":
        return f"{where}: {error.message}"
    return f"{where}: {error.message}"


def validate_config(config: dict, configfiles: list[str] | tuple[str, ...] = ()) -> dict:
    """Return a default-filled copy of ``config``; raise ConfigError naming every bad key."""
    for path in configfiles:
        check_duplicate_keys(path)
    root = load_schema()
    cfg = copy.deepcopy(dict(config))
    fill_defaults(cfg, root)
    validator = jsonschema.Draft202012Validator(root)
    problems = []
    for error in sorted(validator.iter_errors(cfg), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_describe(e) for e in _best_errors(error))
    problems.extend(_semantic_problems(cfg) if not problems else [])
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ConfigError("invalid config:\n  - " + "\n  - ".join(unique))
    return cfg


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
    return problems


class _DuplicateKeyLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
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
