"""Defaults by loss and data dimension (toygan.config.loss_defaults), applied only to keys left unset."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from conftest import REPO
from toygan.config.loss_defaults import (
    LATENT_BY_DIM,
    NETWORK_BY_DIM,
    OPTIMIZER_BY_LOSS,
    ROBUST_BY_LOSS,
    ROBUST_LEARNING_RATE,
    TRAINING_BY_LOSS,
    defaults_for,
)
from toygan.config.validate import validate_config

SHIPPED = yaml.safe_load((REPO / "config.yaml").read_text())


def filled(loss=None, kind="ring", **experiment):
    exp = {"dataset": "d", **experiment}
    if loss:
        exp.setdefault("loss", {})["name"] = loss
    spec = {"kind": kind, **({"components": [{"mean": 0.0, "std": 1.0}]} if kind == "mixture" else {})}
    return validate_config({"datasets": {"d": spec}, "experiments": {"e": exp}})["experiments"]["e"]


def test_the_teaching_loss_keeps_the_schema_defaults():
    for exp in (filled(), filled("bce_smoothed")):
        assert exp["latent"] == {"dim": 16, "distribution": "uniform", "low": -1.0, "high": 1.0, "categories": 0}
        for net in ("generator", "discriminator"):
            assert exp[net]["hidden"] == [32]
            assert exp[net]["optimizer"]["name"] == "rmsprop"
            assert exp[net]["optimizer"]["learning_rate"] == 0.001
        assert exp["training"]["n_critic"] == 1


def test_the_shipped_experiments_are_unchanged_whatever_their_loss():
    """They spell out every value the loss defaults touch: another loss changes only the loss."""
    base = validate_config(SHIPPED)
    for loss in OPTIMIZER_BY_LOSS:
        cfg = copy.deepcopy(SHIPPED)
        for exp in cfg["experiments"].values():
            exp["loss"] = {"name": loss}
            exp["training"]["n_critic"] = 1
        out = validate_config(cfg)
        for name, exp in out["experiments"].items():
            for key in ("latent", "generator", "discriminator"):
                assert exp[key] == base["experiments"][name][key], (loss, name, key)


@pytest.mark.parametrize("loss", sorted(OPTIMIZER_BY_LOSS))
@pytest.mark.parametrize("kind,dim", [("ring", 2), ("grid", 2), ("normal", 1), ("mixture", 1)])
def test_published_defaults_follow_the_loss_and_the_dimension(loss, kind, dim):
    exp = filled(loss, kind, defaults="published")
    assert exp["latent"]["dim"] == LATENT_BY_DIM[dim]["dim"]
    assert exp["latent"]["distribution"] == LATENT_BY_DIM[dim]["distribution"]
    for net in ("generator", "discriminator"):
        assert exp[net]["hidden"] == NETWORK_BY_DIM[dim]["hidden"]
        opt = exp[net]["optimizer"]
        assert {k: opt[k] for k in OPTIMIZER_BY_LOSS[loss]} == OPTIMIZER_BY_LOSS[loss]
        assert opt["schedule"]["name"] == "constant"
    assert exp["training"]["n_critic"] == TRAINING_BY_LOSS.get(loss, {}).get("n_critic", 1)
    assert exp["loss"]["r1_gamma"] == 0.0 and exp["training"]["shuffle"] is False
    assert "defaults" not in exp  # never part of a job's params


@pytest.mark.parametrize("loss", sorted(OPTIMIZER_BY_LOSS))
def test_robust_defaults_on_2d_data_add_the_stabilisers(loss):
    exp = filled(loss, "ring")
    assert exp == filled(loss, "ring", defaults="robust")
    for net in ("generator", "discriminator"):
        opt = exp[net]["optimizer"]
        assert (opt["name"], opt["learning_rate"], opt["schedule"]["name"]) == ("adam", ROBUST_LEARNING_RATE, "cosine")
        assert opt["schedule"]["warmup_steps"] > 0
        assert (opt["beta_1"], opt["beta_2"]) == (OPTIMIZER_BY_LOSS[loss]["beta_1"], OPTIMIZER_BY_LOSS[loss]["beta_2"])
    for section in ("loss", "training"):
        for key, value in ROBUST_BY_LOSS[loss].get(section, {}).items():
            assert exp[section][key] == value, (section, key)
    assert exp["training"]["shuffle"] is True
    assert "defaults" not in exp


@pytest.mark.parametrize("loss", sorted(OPTIMIZER_BY_LOSS))
def test_robust_defaults_on_1d_data_are_the_published_ones(loss):
    assert filled(loss, "normal") == filled(loss, "normal", defaults="published")


def test_an_unknown_defaults_choice_is_refused_with_its_key():
    from toygan.config.validate import ConfigError

    with pytest.raises(ConfigError, match=r"experiments\.e\.defaults: 'fast' is not one of robust, published"):
        filled("hinge", defaults="fast")


def test_wgan_gp_gets_the_published_adam_and_five_critic_updates():
    exp = filled("wgan_gp", defaults="published")
    opt = exp["discriminator"]["optimizer"]
    assert (opt["name"], opt["learning_rate"], opt["beta_1"], opt["beta_2"]) == ("adam", 1e-4, 0.5, 0.9)
    assert exp["training"]["n_critic"] == 5 and exp["loss"]["gp_weight"] == 10.0


def test_wgan_gp_robust_is_one_critic_step_and_a_light_penalty():
    exp = filled("wgan_gp")
    assert exp["training"]["n_critic"] == 1 and exp["loss"]["gp_weight"] == ROBUST_BY_LOSS["wgan_gp"]["loss"]["gp_weight"]
    assert exp["discriminator"]["optimizer"]["beta_2"] == 0.9


def test_a_set_key_always_wins():
    exp = filled("hinge", latent={"distribution": "uniform"}, training={"n_critic": 2},
                 generator={"hidden": [16], "optimizer": {"learning_rate": 0.01}})
    assert exp["latent"]["distribution"] == "uniform" and exp["latent"]["dim"] == 2
    assert exp["generator"]["hidden"] == [16]
    assert exp["generator"]["optimizer"]["learning_rate"] == 0.01
    assert exp["generator"]["optimizer"]["beta_1"] == 0.5  # the rest of the loss's Adam
    assert exp["discriminator"]["hidden"] == [128, 128, 128]
    assert exp["training"]["n_critic"] == 2


def test_another_optimizer_than_the_loss_default_keeps_its_own_constants():
    exp = filled("wgan_gp", generator={"optimizer": {"name": "rmsprop"}})
    assert exp["generator"]["optimizer"]["learning_rate"] == 0.001  # the schema's, not Adam's 1e-4
    assert exp["discriminator"]["optimizer"]["name"] == "adam"


def test_a_file_dataset_is_read_for_its_dimension(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("x\n" + "\n".join(str(i / 10) for i in range(50)))
    cfg = {"datasets": {"f": {"kind": "file", "path": str(one)}}, "experiments": {"e": {"dataset": "f", "loss": {"name": "lsgan"}}}}
    exp = validate_config(cfg)["experiments"]["e"]
    assert exp["generator"]["hidden"] == NETWORK_BY_DIM[1]["hidden"]
    moons = REPO / "workflow" / "examples" / "data" / "two_moons.csv"
    cfg["datasets"]["f"] = {"kind": "file", "path": str(moons), "columns": ["x"]}
    assert validate_config(cfg)["experiments"]["e"]["latent"]["dim"] == 1
    cfg["datasets"]["f"]["columns"] = None
    assert validate_config(cfg)["experiments"]["e"]["latent"]["dim"] == 2


def test_a_missing_file_is_left_for_the_data_rule(tmp_path):
    cfg = {"datasets": {"f": {"kind": "file", "path": str(tmp_path / "nope.csv")}},
           "experiments": {"e": {"dataset": "f", "loss": {"name": "hinge"}}}}
    assert validate_config(cfg)["experiments"]["e"]["latent"]["dim"] == 2


def test_docs_table_states_the_defaults():
    """docs/config.md's table of loss defaults has one row per loss with its Adam constants."""
    doc = (REPO / "docs" / "config.md").read_text()
    for loss, opt in OPTIMIZER_BY_LOSS.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{loss}`")), None)
        assert row is not None, loss
        numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?:e-?\d+)?", row)]
        for key in ("learning_rate", "beta_1", "beta_2"):
            assert opt[key] in numbers, (loss, key, row)
    for dim, net in NETWORK_BY_DIM.items():
        assert f"| {dim}-D | {net['hidden']} | {LATENT_BY_DIM[dim]['dim']}-dimensional {LATENT_BY_DIM[dim]['distribution']} |" in doc


def test_defaults_for_returns_copies():
    a = defaults_for("hinge", 2)
    a["loss"]["r1_gamma"] = 5.0
    assert defaults_for("hinge", 2)["loss"]["r1_gamma"] == ROBUST_BY_LOSS["hinge"]["loss"]["r1_gamma"]
    a["generator"]["hidden"].append(1)
    assert defaults_for("hinge", 2)["generator"]["hidden"] == [128, 128, 128]
    assert defaults_for("bce_smoothed", 2) == {}


def _force_published(cfg):
    cfg = copy.deepcopy(cfg)
    for exp in (cfg.get("experiments") or {}).values():
        exp["defaults"] = "published"
    for spec in (cfg.get("sweeps") or {}).values():
        spec["base"]["defaults"] = "published"
    return cfg


def test_only_the_examples_of_the_robust_defaults_use_them():
    """Every other preset keeps the settings its documented numbers were measured with."""
    presets = sorted([*(REPO / "workflow" / "benchmarks").glob("*.yaml"), *(REPO / "workflow" / "examples").glob("*.yaml"),
                      REPO / "config.yaml"])
    robust = set()
    for path in presets:
        cfg = yaml.safe_load(path.read_text())
        if validate_config(cfg)["experiments"] != validate_config(_force_published(cfg))["experiments"]:
            robust.add(str(path.relative_to(REPO)))
    assert robust == {"workflow/examples/ring.yaml", "workflow/examples/ring_losses.yaml", "workflow/examples/toy_suite.yaml",
                      "workflow/examples/grid.yaml", "workflow/benchmarks/ring_defaults.yaml",
                      "workflow/benchmarks/grid_defaults.yaml", "workflow/benchmarks/toy_suite.yaml",
                      "workflow/benchmarks/mmd_defaults.yaml", "workflow/benchmarks/grid_mmd.yaml",
                      "workflow/benchmarks/readme_example.yaml", "workflow/benchmarks/grid_small_nets.yaml",
                      "workflow/benchmarks/own_data_check.yaml", "workflow/benchmarks/mmd_small_nets.yaml",
                      "workflow/benchmarks/grid_latent_dim.yaml", "workflow/benchmarks/recipe_2d.yaml",
                      "workflow/benchmarks/rejection_steps.yaml", "workflow/benchmarks/recipe_2d_ablation.yaml"}
