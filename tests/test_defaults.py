"""Defaults by loss and data dimension (toygan.config.loss_defaults), applied only to keys left unset."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from toygan.config.validate import validate_config
from toygan.config.loss_defaults import LATENT_BY_DIM, NETWORK_BY_DIM, OPTIMIZER_BY_LOSS, TRAINING_BY_LOSS, defaults_for

from conftest import REPO

SHIPPED = yaml.safe_load((REPO / "config.yaml").read_text())


def filled(loss=None, kind="ring", **experiment):
    exp = {"dataset": "d", **experiment}
    if loss:
        exp.setdefault("loss", {})["name"] = loss
    spec = {"kind": kind, **({"components": [{"mean": 0.0, "std": 1.0}]} if kind == "mixture" else {})}
    return validate_config({"datasets": {"d": spec}, "experiments": {"e": exp}})["experiments"]["e"]


def test_the_teaching_loss_keeps_the_schema_defaults():
    for exp in (filled(), filled("bce_smoothed")):
        assert exp["latent"] == {"dim": 16, "distribution": "uniform", "low": -1.0, "high": 1.0}
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
def test_unset_keys_follow_the_loss_and_the_dimension(loss, kind, dim):
    exp = filled(loss, kind)
    assert exp["latent"]["dim"] == LATENT_BY_DIM[dim]["dim"]
    assert exp["latent"]["distribution"] == LATENT_BY_DIM[dim]["distribution"]
    for net in ("generator", "discriminator"):
        assert exp[net]["hidden"] == NETWORK_BY_DIM[dim]["hidden"]
        opt = exp[net]["optimizer"]
        assert {k: opt[k] for k in OPTIMIZER_BY_LOSS[loss]} == OPTIMIZER_BY_LOSS[loss]
    assert exp["training"]["n_critic"] == TRAINING_BY_LOSS.get(loss, {}).get("n_critic", 1)


def test_wgan_gp_gets_the_published_adam_and_five_critic_updates():
    exp = filled("wgan_gp")
    opt = exp["discriminator"]["optimizer"]
    assert (opt["name"], opt["learning_rate"], opt["beta_1"], opt["beta_2"]) == ("adam", 1e-4, 0.5, 0.9)
    assert exp["training"]["n_critic"] == 5


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
    a["generator"]["hidden"].append(1)
    assert defaults_for("hinge", 2)["generator"]["hidden"] == [128, 128, 128]
    assert defaults_for("bce_smoothed", 2) == {}
