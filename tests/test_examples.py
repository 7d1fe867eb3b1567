"""The examples of workflow/examples/: each states its promise and keeps it.

The fast tests check the files (header, promise, README agreement) and the check itself; the
marked ones (`pytest -m examples`, a step of .ci/run) run every example as shipped."""

from __future__ import annotations

import re

import pytest
import yaml

from toygan.config.validate import validate_config
from examples import Example, check_example, check_run, example_paths, load_example, run_example

from conftest import REPO

EXAMPLES = example_paths()


def readme_example() -> str:
    """The README's YAML block marked as the copy of workflow/examples/ring.yaml."""
    text = (REPO / "README.md").read_text()
    match = re.search(r"<!-- example: workflow/examples/ring.yaml -->\n```yaml\n(.*?)```", text, re.S)
    assert match, "README: no yaml block after its <!-- example: workflow/examples/ring.yaml --> marker"
    return match.group(1)


def test_there_is_an_example_per_first_try():
    names = {p.stem for p in EXAMPLES}
    assert {"ring", "ring_losses", "grid", "packing", "own_data"} <= names
    losses = {load_example(p).config["experiments"][e]["loss"]["name"]
              for p in EXAMPLES for e in load_example(p).config.get("experiments", {}) if p.stem.startswith("ring")}
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    every = set(schema["$defs"]["experiment"]["properties"]["loss"]["properties"]["name"]["enum"])
    assert losses == every


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_says_what_it_shows_how_to_run_it_and_how_long(path):
    head = path.read_text().split("\n\n")[0]
    assert all(line.startswith("#") for line in head.splitlines()), head
    assert f"--configfile workflow/examples/{path.name}" in head
    assert re.search(r"\d+(\.\d+)? min .*2 cores", head), f"{path.name}: header lacks the measured wall time"
    example = load_example(path)
    assert validate_config(example.config, [str(path)])["experiments"]
    assert example.minimum or example.maximum


def test_the_readme_example_is_the_tested_example_verbatim():
    block = readme_example()
    shipped = (REPO / "workflow" / "examples" / "ring.yaml").read_text()
    assert block in shipped
    config = {k: v for k, v in yaml.safe_load(shipped).items() if not k.startswith("x-")}
    assert yaml.safe_load(block) == config


def test_the_readme_example_promises_every_ring_mode():
    example = load_example(REPO / "workflow" / "examples" / "ring.yaml")
    assert example.minimum["modes_captured"] == 8


RING = load_example(REPO / "workflow" / "examples" / "ring.yaml")
# A promise of its own, so these tests do not move with the shipped thresholds.
PROMISE = Example(name="ring", path=RING.path, config=RING.config, title="t",
                  minimum={"modes_captured": 8, "high_quality_fraction": 0.5}, maximum={"reverse_kl": 0.1})
GOOD = {"experiment": "ring_gan", "seed": 0, "status": "ok", "modes_captured": 8, "n_modes": 8,
        "high_quality_fraction": 0.97, "reverse_kl": 0.01, "w1_ratio": 1.5}


def test_the_check_passes_a_good_run_and_names_what_a_bad_one_misses():
    assert check_run(GOOD, PROMISE) == []
    bad = check_run({**GOOD, "modes_captured": 4, "seed": 3}, PROMISE)
    assert bad == ["ring_gan seed 3: modes_captured = 4, expected >= 8"]
    assert check_run({**GOOD, "reverse_kl": 0.2}, PROMISE) == ["ring_gan seed 0: reverse_kl = 0.2, expected <= 0.1"]
    assert check_run({**GOOD, "status": "diverged"}, PROMISE)[0].startswith("ring_gan seed 0: status diverged")
    assert check_run({**GOOD, "reverse_kl": None}, PROMISE)  # no high-quality sample at all


def test_the_check_uses_the_verdict_once_metrics_give_one():
    assert check_run({**GOOD, "verdict": "ok"}, PROMISE) == []
    bad = check_run({**GOOD, "verdict": "mode_collapse"}, PROMISE)
    assert bad == ["ring_gan seed 0: verdict 'mode_collapse', expected one of ['ok']"]


def test_a_missing_run_is_a_problem(tmp_path):
    problems = check_example(RING, tmp_path)
    assert len(problems) == len(RING.config["experiments"]["ring_gan"]["seeds"])
    assert all(p.endswith("no metrics.json") for p in problems)


@pytest.mark.examples
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_example_keeps_its_promise(path, tmp_path):
    example = load_example(path)
    seconds = run_example(example, tmp_path / example.name, cores=2)
    problems = check_example(example, tmp_path / example.name)
    assert not problems, f"{example.name} ({seconds:.0f} s):\n" + "\n".join(problems)


def test_the_gallery_section_shows_mean_se_per_seed_verdicts_and_a_small_image(tmp_path):
    import json

    from PIL import Image

    from examples import TIMING_FILE
    from gallery import section

    work = tmp_path / "ring"
    for seed, modes in [(0, 8), (1, 8), (2, 6)]:
        d = work / "results" / "metrics" / "ring_gan" / f"seed{seed}"
        d.mkdir(parents=True)
        (d / "metrics.json").write_text(json.dumps({**GOOD, "seed": seed, "modes_captured": modes}))
    fig = work / "results" / "figures" / "ring_gan"
    fig.mkdir(parents=True)
    Image.new("RGB", (1400, 900), "white").save(fig / "dashboard.png")
    (work / TIMING_FILE).write_text(json.dumps({"example": "ring", "cores": 2, "seconds": 150.0}))

    text = section(PROMISE, work, tmp_path / "img", "gallery/")
    assert "2.5 min wall time on 2 cores." in text and "load" not in text
    assert "| `ring_gan` | 3 | 7.3 ± 0.7 |" in text
    assert "seed 0: passes (modes 8/8, HQ 0.970, KL 0.010, W1/floor 1.50)" in text
    assert "seed 2: FAILS (modes 6/8," in text
    assert "![ring_gan" in text and "(gallery/ring.png)" in text
    with Image.open(tmp_path / "img" / "ring.png") as img:
        assert img.width == 560
    assert (tmp_path / "img" / "ring.png").stat().st_size < 60_000


def test_the_shipped_gallery_splits_into_one_section_per_example_and_back():
    """gallery.py --only replaces one example's section and keeps the others as written."""
    from gallery import sections_by_title

    page = (REPO / "docs" / "gallery.md").read_text()
    parts = sections_by_title(page)
    assert {load_example(p).title for p in EXAMPLES} >= set(parts)
    header = page.split("\n## ")[0] + "\n"
    assert header + "\n".join(parts.values()) == page


def test_the_timing_script_names_a_missing_config(tmp_path, capsys):
    import example_time

    missing = tmp_path / "nope.yaml"
    with pytest.raises(SystemExit) as exc:
        example_time.main([str(REPO / "workflow" / "examples" / "ring.yaml"), str(missing)])
    assert exc.value.code == 2
    assert f"no such config: {missing}" in capsys.readouterr().err


def test_the_timing_script_caps_both_code_generators_and_keeps_other_xla_flags(monkeypatch):
    import example_time

    assert example_time.isa_env(None) == {}
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    env = example_time.isa_env("AVX2")
    assert env == {"XLA_FLAGS": "--xla_dump_to=/tmp/x --xla_cpu_max_isa=AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
