"""The config schema (``workflow/schemas/config.schema.yaml``): the one home of every default
and allowed value. Read here; applied by ``toygan.config.validate``."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"


@functools.cache
def _schema() -> dict:
    return yaml.safe_load(SCHEMA_PATH.read_text())


def load_schema() -> dict:
    """The schema, a fresh copy each call (callers may fill or edit it)."""
    return copy.deepcopy(_schema())


def default_of(*path: str):
    """The schema's default at a path of property names from the top, ``"*"`` for any key of a
    map, e.g. ``default_of("experiments", "*", "loss", "name")``."""
    root = _schema()
    node = root
    for part in path:
        node = resolve(node, root)
        node = node["additionalProperties"] if part == "*" else node["properties"][part]
    return copy.deepcopy(resolve(node, root)["default"])


def resolve(schema: dict, root: dict) -> dict:
    """``schema``, or the definition its ``$ref`` points to."""
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


def section_defaults(name: str) -> dict:
    """The default-filled value of an empty ``$defs/<name>`` section (without jsonschema: figure
    jobs read the ``plots`` defaults and import no more than they need)."""
    root = _schema()
    return _filled({}, root["$defs"][name], root)


def _filled(value, node: dict, root: dict):
    node = resolve(node, root)
    if isinstance(value, dict):
        for key, sub in node.get("properties", {}).items():
            sub = resolve(sub, root)
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            if key in value:
                value[key] = _filled(value[key], sub, root)
    return value
