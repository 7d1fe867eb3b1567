"""The 1-D recipe: docs/config.md recommends for own data exactly what config.yaml ships."""

from __future__ import annotations

import re

import yaml

from conftest import REPO
from toygan.config.validate import validate_config

SHIPPED = yaml.safe_load((REPO / "config.yaml").read_text())


def _doc_recipe() -> dict:
    doc = (REPO / "docs" / "config.md").read_text()
    section = doc[doc.index("### The 1-D recipe"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    return yaml.safe_load(block)["experiments"]["my_recipe"]


def test_the_documented_recipe_is_the_shipped_two_normals_recipe():
    doc = _doc_recipe()
    shipped = SHIPPED["experiments"]["two_normals_recipe"]
    for key in ("latent", "generator", "discriminator", "loss", "training"):
        assert doc[key] == shipped[key], key
    # and it validates on a file dataset, as a user would use it
    cfg = {"datasets": {"my_file": {"kind": "file", "path": "x.csv"}}, "experiments": {"my_recipe": doc}}
    assert validate_config(cfg)["experiments"]["my_recipe"]["loss"]["r1_gamma"] == 3.0


def test_the_recipe_keeps_the_teaching_loops_data_and_discriminator_and_shares_one_generator():
    exps = SHIPPED["experiments"]
    for seed, recipe in (("normal", "normal_recipe"), ("two_normals", "two_normals_recipe")):
        assert exps[recipe]["dataset"] == exps[seed]["dataset"]
        for key in ("hidden", "activation"):
            assert exps[recipe]["discriminator"][key] == exps[seed]["discriminator"][key], (recipe, key)
    # one generator and latent for every 1-D data set: what docs/config.md recommends
    assert exps["normal_recipe"]["latent"] == exps["two_normals_recipe"]["latent"]
    assert exps["normal_recipe"]["generator"] == exps["two_normals_recipe"]["generator"]
