"""The validated config is canonical: job params (compared by repr) do not depend on key order
or on how a number is spelled in YAML."""

import pytest
import yaml

from conftest import REPO
from toygan.config.validate import ConfigError, validate_config

SHIPPED = (REPO / "config.yaml").read_text()


def canon(text: str) -> str:
    return repr(validate_config(yaml.safe_load(text)))


def test_sorted_keys_give_the_same_config():
    assert canon(yaml.safe_dump(yaml.safe_load(SHIPPED), sort_keys=True)) == canon(SHIPPED)


def test_block_style_gives_the_same_config():
    block = yaml.safe_dump(yaml.safe_load(SHIPPED), sort_keys=False, default_flow_style=False)
    assert "{" not in block and "{" in SHIPPED
    assert canon(block) == canon(SHIPPED)


@pytest.mark.parametrize("spelling", ["1e-3", "1.0e-3", "0.1e-2", "+1E-3"])
def test_number_spellings_give_the_same_config(spelling):
    edited = SHIPPED.replace("optimizer: {name: rmsprop, learning_rate: 0.001}",
                             f"optimizer: {{name: rmsprop, learning_rate: {spelling}}}")
    assert edited != SHIPPED
    assert canon(edited) == canon(SHIPPED)


def test_an_int_where_the_schema_says_number_is_a_float():
    edited = SHIPPED.replace("figsize: [7.0, 4.5]", "figsize: [7, 4.5]").replace("mean: 0.0", "mean: 0")
    assert edited != SHIPPED
    assert canon(edited) == canon(SHIPPED)
    cfg = validate_config(yaml.safe_load(edited))
    assert cfg["plots"]["figsize"] == [7.0, 4.5] and isinstance(cfg["plots"]["figsize"][0], float)
    assert isinstance(cfg["plots"]["dpi"], int) and isinstance(cfg["datasets"]["normal"]["n"], int)


def test_a_real_change_still_differs():
    edited = SHIPPED.replace("learning_rate: 0.001}", "learning_rate: 0.002}")
    assert canon(edited) != canon(SHIPPED)


def test_a_word_where_a_number_belongs_is_still_an_error():
    bad = SHIPPED.replace("learning_rate: 0.001}", "learning_rate: fast}")
    with pytest.raises(ConfigError, match="learning_rate: 'fast' is not of type 'number'"):
        validate_config(yaml.safe_load(bad))
