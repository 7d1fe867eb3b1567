"""Config fuzzing: generated mutations of a valid config are accepted, or refused with a
message that names the key (hypothesis).

Every mutation here is invalid by construction, from the schema itself: a value of a type the
key does not take, a number beyond its range, a key no level knows, a required key removed, a
misspelt name from a closed list, a sweep whose points collide. The property: validate_config
raises ConfigError (never another exception, never a silent acceptance) and the message names
the key's path. The default run tries a few hundred; `pytest -m fuzz` runs thousands and the
same mutations through the snakemake command line (tests/test_config_fuzz_cli.py).
"""

from __future__ import annotations

import copy
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toygan.config.schema import load_schema, resolve
from toygan.config.validate import ConfigError, validate_config

from conftest import REPO

SCHEMA = load_schema()
TINY = yaml.safe_load((REPO / "tests" / "config" / "tiny.yaml").read_text())
BASE = copy.deepcopy(TINY)
BASE["datasets"]["ring"] = {"kind": "ring", "n": 512}
BASE["experiments"]["ring_ns"] = {"dataset": "ring", "seeds": [0], "loss": {"name": "nonsaturating"},
                                  "training": {"epochs": 3, "batch_size": 64}}
BASE["sweeps"] = {"lr": {"base": "normal", "grid": {"generator.optimizer.learning_rate": [0.001, 0.002]}}}
EXAMPLES = int(os.environ.get("TOYGAN_FUZZ_EXAMPLES", "100"))  # per strategy; -m fuzz sets 400


def _branch(node: dict, value: dict) -> dict:
    """A dataset's schema: its kind's `then` branch merged over the shared properties."""
    props = dict(node.get("properties", {}))
    for case in node.get("allOf", []):
        if case["if"]["properties"]["kind"]["const"] == value.get("kind"):
            props.update({k: v for k, v in case["then"]["properties"].items() if isinstance(v, dict)})
    return {**node, "properties": props}


def schema_at(path: tuple) -> dict:
    """The schema node of a key path of BASE (dataset branches chosen by the kind in BASE)."""
    node, value = SCHEMA, BASE
    for part in path:
        node = resolve(node, SCHEMA)
        if "allOf" in node and isinstance(value, dict):
            node = _branch(node, value)
        if isinstance(part, int):
            node, value = node["items"], value[part]
        else:
            props = node.get("properties", {})
            node = props[part] if part in props else node["additionalProperties"]
            value = value[part]
    node = resolve(node, SCHEMA)
    return _branch(node, value) if "allOf" in node and isinstance(value, dict) else node


def leaves(value, path=()):
    """Key paths of every scalar and list in BASE (not sweeps: their lists are free-form)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if path == () and k == "sweeps":
                continue
            yield from leaves(v, (*path, k))
    elif isinstance(value, list) and not all(isinstance(v, dict) for v in value):
        yield path
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    else:
        yield path


def dicts(value, path=()):
    if isinstance(value, dict):
        yield path
        for k, v in value.items():
            yield from dicts(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from dicts(v, (*path, i))


LEAVES = sorted(leaves(BASE), key=str)
DICTS = sorted(dicts(BASE), key=str)


def dotted(path: tuple) -> str:
    """A key path as the messages write it: datasets.two_normals.components.0.mean."""
    return ".".join(map(str, path))


def put(cfg: dict, path: tuple, value) -> dict:
    cfg = copy.deepcopy(cfg)
    node = cfg
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[path[-1]] = value
    return cfg


def refused(cfg: dict) -> str:
    """The ConfigError message (any other exception, or acceptance, fails the test)."""
    try:
        validate_config(cfg)
    except ConfigError as err:
        return str(err)
    raise AssertionError("accepted an invalid config")


def names(message: str, path: tuple) -> bool:
    """The message names the key: its dotted path, or (for a list item) the list's."""
    while path:
        if dotted(path) in message:
            return True
        if not isinstance(path[-1], int):
            return False
        path = path[:-1]
    return False


_TYPED = {
    "integer": st.just(7),
    "number": st.just(2.5),
    "string": st.just("twelve"),
    "boolean": st.just(True),
    "array": st.just([1, 2]),
    "object": st.just({"a": 1}),
    "null": st.none(),
}


def _types(node: dict) -> set[str]:
    if "enum" in node:
        return {"enum"}
    kinds = node.get("type", [])
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    if "number" in kinds:
        kinds.add("integer")  # an integer is a number
    return kinds


@st.composite
def wrong_type(draw):
    path = draw(st.sampled_from(LEAVES))
    node = schema_at(path)
    allowed = _types(node)
    if "enum" in allowed:
        options = [k for k in _TYPED if k not in ("string",) and not any(
            isinstance(v, {"integer": int, "number": float, "boolean": bool, "null": type(None)}.get(k, ())) for v in
            node["enum"])]
    else:
        options = [k for k in _TYPED if k not in allowed]
    kind = draw(st.sampled_from(sorted(options)))
    return path, draw(_TYPED[kind])


@st.composite
def out_of_range(draw):
    ranged = [p for p in LEAVES if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & set(schema_at(p))]
    path = draw(st.sampled_from(ranged))
    node = schema_at(path)
    integer = "integer" in _types(node) and "number" not in _types(node)
    bounds = []
    if "minimum" in node:
        bounds.append(node["minimum"] - 1)
    if "exclusiveMinimum" in node:
        bounds.append(node["exclusiveMinimum"] if integer else node["exclusiveMinimum"] - draw(st.sampled_from([0, 0.5])))
    if "maximum" in node:
        bounds.append(node["maximum"] + 1)
    if "exclusiveMaximum" in node:
        bounds.append(node["exclusiveMaximum"] + draw(st.sampled_from([0, 1])))
    value = draw(st.sampled_from(bounds))
    return path, int(value) if integer else float(value)


@st.composite
def unknown_key(draw):
    path = draw(st.sampled_from([p for p in DICTS if p[:1] != ("sweeps",) or len(p) <= 2]))
    key = draw(st.sampled_from(["epochz", "learning_rat", "zz_extra", "Kind", "seeds_", "hiden"]))
    node = copy.deepcopy(BASE)
    for part in path:
        node = node[part]
    if key in node:
        key += "_x"
    return (*path, key), draw(st.sampled_from([1, "x", [1], {"a": 1}]))


def _value(path):
    node = BASE
    for part in path:
        node = node[part]
    return node


ENUMS = [p for p in LEAVES if "enum" in schema_at(p) and isinstance(_value(p), str)]
# keys whose dict form has defaults: an enum left unset in BASE can still be misspelt
ENUMS += [("experiments", "normal", "loss", "name"), ("experiments", "normal", "generator", "optimizer", "name"),
          ("experiments", "normal", "discriminator", "activation")]


@st.composite
def misspelt(draw):
    path = draw(st.sampled_from(ENUMS))
    node = schema_at(path) if path in LEAVES else None
    word = _value(path) if path in LEAVES else {"name": "bce_smoothed", "activation": "relu"}.get(path[-1], "rmsprop")
    i = draw(st.integers(0, len(word) - 1))
    edit = draw(st.sampled_from(["drop", "double", "swap", "upper"]))
    if edit == "drop":
        bad = word[:i] + word[i + 1:]
    elif edit == "double":
        bad = word[:i] + word[i] + word[i:]
    elif edit == "swap" and i + 1 < len(word):
        bad = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    else:
        bad = word.upper()
    allowed = node["enum"] if node else SCHEMA_ENUMS[path[-1]]
    if bad in allowed:
        bad += "_"
    return path, bad


SCHEMA_ENUMS = {"name": ["bce_smoothed", "minimax", "nonsaturating", "wgan_gp", "lsgan", "hinge", "rmsprop", "adam",
                         "sgd"], "activation": ["relu", "leaky_relu", "tanh", "elu", "selu", "sigmoid"]}

REQUIRED = [("datasets",), ("experiments",), ("experiments", "normal", "dataset"), ("datasets", "normal", "kind"),
            ("datasets", "two_normals", "components"), ("sweeps", "lr", "base"),
            ("datasets", "two_normals", "components", 0, "mean"), ("datasets", "two_normals", "components", 1, "std")]


def drop(cfg: dict, path: tuple) -> dict:
    cfg = copy.deepcopy(cfg)
    node = cfg
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return cfg


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(wrong_type())
def test_a_value_of_the_wrong_type_is_refused_naming_its_key(case):
    path, value = case
    message = refused(put(BASE, path, value))
    assert names(message, path), (dotted(path), value, message)


@FUZZ
@given(out_of_range())
def test_a_number_out_of_range_is_refused_naming_its_key(case):
    path, value = case
    message = refused(put(BASE, path, value))
    assert names(message, path), (dotted(path), value, message)


@FUZZ
@given(unknown_key())
def test_an_unknown_key_at_any_level_is_refused_naming_it(case):
    path, value = case
    message = refused(put(BASE, path, value))
    assert path[-1] in message and (len(path) == 1 or names(message, path[:-1])), (dotted(path), message)


@FUZZ
@given(misspelt())
def test_a_misspelt_name_is_refused_with_the_allowed_ones(case):
    path, bad = case
    message = refused(put(BASE, path, bad))
    assert names(message, path) and repr(bad) in message, (dotted(path), bad, message)


@pytest.mark.parametrize("path", REQUIRED, ids=dotted)
def test_a_missing_required_key_is_refused_naming_it(path):
    message = refused(drop(BASE, path))
    assert str(path[-1]) in message or names(message, path[:-1]), (dotted(path), message)


@FUZZ
@given(st.sampled_from([[0.001, 0.001], [0.5, 0.5, 0.2]]), st.sampled_from(["grid", "zip"]))
def test_a_sweep_whose_points_collide_is_refused(values, where):
    cfg = copy.deepcopy(BASE)
    cfg["sweeps"]["lr"] = {"base": "normal", where: {"generator.optimizer.learning_rate": values}}
    message = refused(cfg)
    assert "sweeps.lr" in message, message
