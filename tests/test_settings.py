"""Typed settings (toygan.config.settings) against the schema, the one home of every default."""

from __future__ import annotations

import dataclasses
import typing

import pytest
import yaml

from toygan import streams
from toygan.config import scalars
from toygan.config.schema import default_of, load_schema, resolve, section_defaults
from toygan.config.settings import Evaluation, Experiment, Rejection, Section
from toygan.config.loss_defaults import CHOICE_KEY
from toygan.config.validate import validate_config

from conftest import REPO

SCHEMA = load_schema()


def _object(node: dict) -> dict:
    """An object schema's properties (every branch of a conditional object, merged)."""
    node = resolve(node, SCHEMA)
    return node.get("properties", {})


def _check(cls: type, node: dict, where: str, consumed: frozenset = frozenset()) -> None:
    props = {k: v for k, v in _object(node).items() if k not in consumed}
    fields = {f.name for f in dataclasses.fields(cls)}
    assert fields == set(props), f"{where}: settings {sorted(fields)} vs schema {sorted(props)}"
    hints = typing.get_type_hints(cls)
    for name in fields:
        if isinstance(hints[name], type) and issubclass(hints[name], Section):
            _check(hints[name], props[name], f"{where}.{name}")


def test_every_settings_class_has_exactly_the_keys_of_its_schema_object():
    # the experiment's `defaults` choice is applied and removed by the config layer
    _check(Experiment, SCHEMA["$defs"]["experiment"], "experiment", frozenset({CHOICE_KEY}))
    _check(Evaluation, SCHEMA["$defs"]["evaluation"], "evaluation")
    _check(Rejection, SCHEMA["$defs"]["rejection"], "rejection")


def test_settings_carry_no_defaults_of_their_own():
    """Defaults live in the schema: no settings field may default to a value of its own."""
    def walk(cls):
        for f in dataclasses.fields(cls):
            assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, f"{cls.__name__}.{f.name}"
            hint = typing.get_type_hints(cls)[f.name]
            if isinstance(hint, type) and issubclass(hint, Section):
                walk(hint)
    walk(Experiment)
    walk(Evaluation)
    walk(Rejection)


def test_evaluation_defaults_are_the_schemas():
    assert Evaluation.parse({}).to_dict() == section_defaults("evaluation")
    assert Evaluation.parse({"n_samples": 7}).n_samples == 7
    assert set(Evaluation.REFERENCE_KEYS) < set(section_defaults("evaluation"))
    assert default_of("evaluation", "min_mode_rows") == Evaluation.parse({}).min_mode_rows


def test_a_validated_experiment_parses_and_round_trips():
    cfg = validate_config(yaml.safe_load((REPO / "config.yaml").read_text()))
    for raw in cfg["experiments"].values():
        exp = Experiment.parse(raw)
        assert exp.to_dict() == raw
        assert exp.training.epochs == raw["training"]["epochs"]
        assert exp.generator.hidden == tuple(raw["generator"]["hidden"])


def test_unknown_and_missing_keys_are_refused():
    raw = validate_config({"datasets": {"d": {"kind": "normal"}}, "experiments": {"e": {"dataset": "d"}}})["experiments"]["e"]
    with pytest.raises(ValueError, match=r"experiment.training: unknown keys \['epochz'\]"):
        Experiment.parse({**raw, "training": {**raw["training"], "epochz": 3}})
    broken = {**raw, "loss": {k: v for k, v in raw["loss"].items() if k != "r1_gamma"}}
    with pytest.raises(ValueError, match=r"experiment.loss: missing keys \['r1_gamma'\]"):
        Experiment.parse(broken)


def test_per_replica_keys_are_numbers_of_the_schema_and_switches_among_them():
    assert scalars.SCALAR_KEYS and set(scalars.SWITCHES) <= set(scalars.SCALAR_KEYS)
    for key in scalars.SCALAR_KEYS:
        node = SCHEMA["$defs"]["experiment"]
        for part in key.split("."):
            node = resolve(node, SCHEMA)["properties"][part]
        kinds = resolve(node, SCHEMA).get("type")
        assert kinds in ("number", "integer"), key


def test_the_draw_layout_keeps_every_critic_step_apart():
    """Critic step c draws its latent at purpose c and WGAN-GP's mix at GP_PURPOSE + c: the
    schema's most critic steps must fit below GP_PURPOSE, and the GP ids below PURPOSES."""
    n_critic = resolve(SCHEMA["$defs"]["experiment"], SCHEMA)["properties"]["training"]["properties"]["n_critic"]
    assert n_critic["maximum"] <= streams.max_critic_steps()
    assert streams.GP_PURPOSE + n_critic["maximum"] <= streams.PURPOSES
    salts = [streams.GENERATOR_INIT, streams.DISCRIMINATOR_INIT, streams.MONITOR_ROWS, streams.SAMPLE_LATENT]
    assert len(set(salts)) == len(salts)


@pytest.mark.parametrize("section", ["evaluation", "plots", "benchmark"])
def test_section_defaults_fill_as_the_validator_does(section):
    from toygan.config.validate import fill_defaults

    schema = load_schema()
    assert section_defaults(section) == fill_defaults({}, schema["$defs"][section], schema)


def test_figure_defaults_are_the_schemas():
    from toygan.plots.style import DEFAULTS

    assert DEFAULTS == section_defaults("plots")
