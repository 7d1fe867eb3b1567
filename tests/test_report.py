"""The Snakemake report (``snakemake --report report.html``).

* Fast tests render every caption template and the workflow description the way Snakemake
  does (Jinja2 with ``snakemake`` in scope, then docutils) for several configs: no rst
  errors, no unrendered template code, the experiment's settings filled in.
* ``slow`` tests run the tiny workflow once for the module (1-2 min on 2 cores) in a scratch
  directory, build report.html and check what Snakemake embedded: every figure and summary
  table on disk is in the report, in the right category, subcategory and with labels.
* The ``browser`` test opens the report in headless Chromium (``apt-get install -y chromium``;
  skipped if none is found), clicks through every category like a reader and saves
  screenshots to $TOYGAN_ARTIFACTS (default: a pytest temporary directory).

$TOYGAN_REPORT_WORKDIR, if set, is used (and kept) as the scratch directory, so a second
session (e.g. ``-m slow`` then ``-m browser``) finds the workflow done and only rebuilds
the report.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from browser_check import check_report, find_chromium, report_data
from conftest import REPO

from toygan.config.validate import validate_config

REPORT_DIR = REPO / "workflow" / "report"
RULES_DIR = REPO / "workflow" / "rules"
TINY = REPO / "tests" / "config" / "tiny.yaml"

RUN_CAPTIONS = ["density", "d_output", "decision", "losses", "animation"]  # {experiment, seed}
EXPERIMENT_CAPTIONS = ["dashboard"]  # {experiment}
SUMMARY_CAPTIONS = ["comparison", "metrics_table", "metrics_by_experiment", "benchmark_table"]
SWEEP_CAPTIONS = ["sweep_table", "sweep_figure"]  # {sweep}
RUN_FIGURES = {"density.png": "Samples", "d_output.png": "Samples", "decision.png": "Samples",
               "losses.png": "Training", "training.html": "Training"}
LABELS = ["experiment", "dataset", "seed", "figure"]


# ----------------------------------------------------------------------------- captions (fast)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _variants() -> dict[str, dict]:
    """Configs whose captions must render: the shipped ones plus 2-D and critic-loss cases."""
    variants = {
        "config.yaml": _load(REPO / "config.yaml"),
        "tiny.yaml": _load(TINY),
        "own_data.yaml": _load(REPO / "workflow" / "examples" / "own_data.yaml"),
        "sweep_two_normals.yaml": _load(REPO / "workflow" / "examples" / "sweep_two_normals.yaml"),
    }
    odd = copy.deepcopy(variants["tiny.yaml"])
    odd["datasets"] = {
        "ring": {"kind": "ring", "modes": 8},
        "grid": {"kind": "grid"},
        "normal": {"kind": "normal"},
    }
    odd["experiments"] = {
        "ring_wgan": {"dataset": "ring", "loss": {"name": "wgan_gp", "gp_weight": 5.0}, "defaults": "published",
                      "training": {"epochs": 7, "n_critic": 5, "pack": 2, "batch_size": 64}},
        "grid_hinge": {"dataset": "grid", "loss": {"name": "hinge"}, "defaults": "published",
                       "generator": {"optimizer": {"name": "adam", "learning_rate": 0.0002}}},
        "normal_minimax": {"dataset": "normal", "loss": {"name": "minimax"},
                           "latent": {"dim": 3, "distribution": "normal"}},
        "ring_stabilised": {
            "dataset": "ring", "defaults": "published", "loss": {"name": "nonsaturating", "r1_gamma": 0.5, "r2_gamma": 2.0},
            "generator": {"optimizer": {"schedule": {"name": "cosine", "final_fraction": 0.1, "warmup_steps": 50}},
                          "init": {"name": "normal", "std": 0.05}},
            "discriminator": {"layer": "maxout", "spectral_norm": True,
                              "optimizer": {"schedule": {"warmup_steps": 20}}},
            "training": {"update": "simultaneous", "batch_sampling": "with_replacement",
                         "ema": {"decay": 0.999, "start_epoch": 3}}},
    }
    odd["benchmark"] = {"table": True, "title": "Odd table", "reference": [
        {"dataset": "ring", "model": "GAN", "modes": "1.0", "high_quality": "90", "reverse_kl": "2.0"}]}
    odd["sweeps"] = {"packs": {"base": "ring_wgan", "grid": {"training.pack": [1, 2]}, "metric": "reverse_kl"}}
    variants["odd"] = odd
    return {name: validate_config(cfg) for name, cfg in variants.items()}


VARIANTS = _variants()


def render_rst(source: str, snakemake) -> str:
    """Jinja2 + docutils exactly as snakemake.report renders captions (no rst_links here)."""
    from docutils.core import publish_parts
    from jinja2 import Environment

    env = Environment(trim_blocks=True, lstrip_blocks=True)
    text = env.from_string(source).render(snakemake=snakemake, categories={}, files=[])
    return publish_parts(text, writer="html")["html_body"]


def _assert_clean(html: str, where: str) -> None:
    assert "system-message" not in html, f"{where}: docutils complained:\n{html}"
    assert "{{" not in html and "{%" not in html, f"{where}: unrendered template code:\n{html}"
    assert len(re.sub(r"<[^>]+>", "", html).split()) > 15, f"{where}: caption is (nearly) empty"


def _caption_source(name: str) -> str:
    return (REPORT_DIR / f"{name}.rst").read_text()


def test_every_caption_is_used_and_exists():
    used = set()
    for smk in RULES_DIR.glob("*.smk"):
        used |= set(re.findall(r'caption="\.\./report/([A-Za-z_]+)\.rst"', smk.read_text()))
    on_disk = {p.stem for p in REPORT_DIR.glob("*.rst")} - {"workflow"}
    assert used == on_disk, f"captions used by rules {sorted(used)} vs files {sorted(on_disk)}"
    assert used == set(RUN_CAPTIONS + EXPERIMENT_CAPTIONS + SUMMARY_CAPTIONS + SWEEP_CAPTIONS)
    for name in on_disk | {"workflow"}:
        assert "placeholder" not in _caption_source(name)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("caption", RUN_CAPTIONS + EXPERIMENT_CAPTIONS)
def test_per_experiment_captions_render_with_settings(caption, variant):
    cfg = VARIANTS[variant]
    for name, exp in cfg["experiments"].items():
        seed = exp["seeds"][-1]
        wildcards = SimpleNamespace(experiment=name, seed=str(seed))
        html = render_rst(_caption_source(caption), SimpleNamespace(config=cfg, wildcards=wildcards,
                                                                    params=SimpleNamespace()))
        where = f"{caption}.rst with {variant}, experiment {name}"
        _assert_clean(html, where)
        text = " ".join(re.sub(r"<[^>]+>", "", html).split())
        assert name in text, where
        assert exp["loss"]["name"] in text, where
        assert str(exp["training"]["epochs"]) in text, where
        if caption in RUN_CAPTIONS:
            assert f"seed {seed}" in text, where
            assert f"latent dim {exp['latent']['dim']}" in text, where
            for net in ("generator", "discriminator"):
                assert f"lr {exp[net]['optimizer']['learning_rate']}" in text, where
            recipe = name.endswith("_recipe")  # the shipped 1-D recipe experiments
            stabilised = name == "ring_stabilised" or recipe
            assert ("stabilisers: none" in text) != stabilised, where
            if recipe:
                r1 = f"R1 gamma {exp['loss']['r1_gamma']}"
                for shown in ("G lr cosine to x0.0", "D lr cosine to x0.0", r1, "EMA of G (decay 0.999"):
                    assert shown in text, f"{where}: {shown!r} missing from {text}"
            if name == "ring_stabilised":
                for shown in ("G lr cosine to x0.1, 50 warm-up steps", "D lr constant, 20 warm-up steps",
                              "G init normal (std 0.05)", "D maxout (5 pieces)", "D spectral norm",
                              "R1 gamma 0.5", "R2 gamma 2.0", "simultaneous D/G updates",
                              "batches drawn with replacement", "EMA of G (decay 0.999, from epoch 3"):
                    assert shown in text, f"{where}: {shown!r} missing from {text}"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("caption", SUMMARY_CAPTIONS)
def test_summary_captions_render(caption, variant):
    cfg = VARIANTS[variant]
    params = SimpleNamespace(benchmark=cfg["benchmark"])
    html = render_rst(_caption_source(caption), SimpleNamespace(config=cfg, wildcards=SimpleNamespace(),
                                                                params=params))
    _assert_clean(html, f"{caption}.rst with {variant}")
    if caption == "benchmark_table":
        assert cfg["benchmark"]["title"] in html
        assert ("†" in html) == bool(cfg["benchmark"]["reference"])


@pytest.mark.parametrize("variant", [v for v in sorted(VARIANTS) if VARIANTS[v]["sweeps"]])
@pytest.mark.parametrize("caption", SWEEP_CAPTIONS)
def test_sweep_captions_render(caption, variant):
    cfg = VARIANTS[variant]
    for name, sweep in cfg["sweeps"].items():
        html = render_rst(_caption_source(caption), SimpleNamespace(config=cfg, wildcards=SimpleNamespace(sweep=name),
                                                                    params=SimpleNamespace()))
        _assert_clean(html, f"{caption}.rst with {variant}, sweep {name}")
        assert name in html and sweep["metric"] in html


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_workflow_description_renders(variant):
    cfg = VARIANTS[variant]
    html = render_rst((REPORT_DIR / "workflow.rst").read_text(), SimpleNamespace(config=cfg))
    _assert_clean(html, f"workflow.rst with {variant}")
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    for stage in ("data", "train", "sample", "evaluate", "plots", "summary"):
        assert stage in text
    assert "noise floor" in text and "1×" in text
    for name in cfg["experiments"]:
        assert name in text
    assert "http" not in html, "the description is meant to be link-free"


def _block(source: str, tag: str) -> str:
    m = re.search(r"\{# %s.*?\{# /%s #\}" % (tag, tag), source, re.S)
    assert m, f"no {tag} block"
    return m.group(0)


@pytest.mark.parametrize("tag", ["run-vars", "run-settings"])
def test_run_captions_share_one_settings_block(tag):
    """Jinja here has no includes: the block is copied, and the copies must not drift apart."""
    blocks = {name: _block(_caption_source(name), tag) for name in RUN_CAPTIONS}
    first = blocks[RUN_CAPTIONS[0]]
    assert all(b == first for b in blocks.values()), f"{tag} differs between {sorted(blocks)}"


# ----------------------------------------------------------------------------- the real report (slow)


def _artifacts(tmp_path_factory) -> Path:
    path = Path(os.environ.get("TOYGAN_ARTIFACTS") or tmp_path_factory.mktemp("report-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _snakemake(workdir: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--configfile", "tests/config/tiny.yaml", *args]
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow")}
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                             f"{proc.stderr[-6000:]}")
    return proc


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    """The tiny workflow run in a scratch dir (symlinks to this repo) and its report.html."""
    workdir = Path(os.environ.get("TOYGAN_REPORT_WORKDIR") or tmp_path_factory.mktemp("report-run"))
    (workdir / "tests" / "config").mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "workflow"):
        link = workdir / name
        if not link.is_symlink():
            link.symlink_to(REPO / name)
    shutil.copy(TINY, workdir / "tests" / "config" / "tiny.yaml")

    t0 = time.monotonic()
    _snakemake(workdir, "--cores", "2")
    t1 = time.monotonic()
    report = workdir / "report.html"
    report.unlink(missing_ok=True)
    _snakemake(workdir, "--report", str(report))
    t2 = time.monotonic()
    assert report.stat().st_size > 100_000
    return SimpleNamespace(workdir=workdir, report=report, config=validate_config(_load(TINY)),
                           data=report_data(report), seconds={"workflow": t1 - t0, "report": t2 - t1})


@pytest.fixture(scope="module")
def chromium():
    """The browser binary; requested before tiny_report so that a skip costs no workflow run."""
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium binary (chromium, chromium-browser, google-chrome) on PATH or in "
                    "$TOYGAN_CHROMIUM; install it with `apt-get install -y chromium`")
    return path


def _on_disk(workdir: Path) -> set[str]:
    """Every figure and summary table the workflow wrote; a training.gif counts as its
    training.html, the page that carries it into the report."""
    files = [p for d in ("results/figures", "results/summary") for p in (workdir / d).rglob("*") if p.is_file()]
    for gif in [p for p in files if p.name == "training.gif"]:
        page = gif.with_suffix(".html")
        assert page in files and gif.read_bytes() and page.read_text().count("data:image/gif;base64,") == 1, page
        files.remove(gif)
    return {str(p.relative_to(workdir)) for p in files}


@pytest.mark.slow
def test_report_has_every_figure_and_table(tiny_report):
    results = tiny_report.data["results"]
    on_disk = _on_disk(tiny_report.workdir)
    assert set(results) == on_disk, (f"missing from report: {sorted(on_disk - set(results))}; "
                                     f"not on disk: {sorted(set(results) - on_disk)}")
    cfg = tiny_report.config
    expected = {"results/summary/comparison.png", "results/summary/metrics.tsv",
                "results/summary/metrics_by_experiment.tsv"}
    for exp, e in cfg["experiments"].items():
        expected.add(f"results/figures/{exp}/dashboard.png")
        for seed in e["seeds"]:
            expected |= {f"results/figures/{exp}/seed{seed}/{name}" for name in RUN_FIGURES}
    assert expected <= set(results), sorted(expected - set(results))


@pytest.mark.slow
def test_report_categories_subcategories_labels(tiny_report):
    cats = tiny_report.data["categories"]
    results = tiny_report.data["results"]
    experiments = sorted(tiny_report.config["experiments"])
    assert set(cats) == {"Samples", "Training", "Summary"}
    assert sorted(cats["Samples"]) == experiments
    assert sorted(cats["Training"]) == experiments
    assert sorted(cats["Summary"]) == sorted(experiments + ["all experiments"])

    where = {path: (cat, sub) for cat, subs in cats.items() for sub, paths in subs.items() for path in paths}
    for path, res in results.items():
        assert list(res["labels"]) == LABELS, (path, res["labels"])
        name = Path(path).name
        m = re.match(r"results/figures/([^/]+)/seed(\d+)/", path)
        if m:
            exp, seed = m.groups()
            assert where[path] == (RUN_FIGURES[name], exp), path
            assert res["labels"]["experiment"] == exp and res["labels"]["seed"] == seed
            assert res["labels"]["dataset"] == tiny_report.config["experiments"][exp]["dataset"]
        elif name == "dashboard.png":
            exp = Path(path).parent.name
            assert where[path] == ("Summary", exp) and res["labels"]["seed"] == "all"
        else:
            assert where[path] == ("Summary", "all experiments"), path
            assert res["labels"]["experiment"] == "all"
    # The animation is an HTML page embedding the GIF: the viewer shows HTML inline, GIFs not.
    assert results["results/figures/normal/seed0/training.html"]["mime_type"] == "text/html"
    assert not any(path.endswith(".gif") for path in results)


@pytest.mark.slow
def test_report_captions_and_description(tiny_report):
    cfg = tiny_report.config
    for path, res in tiny_report.data["results"].items():
        _assert_clean(res["caption"], path)
        m = re.match(r"results/figures/([^/]+)/", path)
        if m:
            exp = cfg["experiments"][m.group(1)]
            assert m.group(1) in res["caption"] and exp["loss"]["name"] in res["caption"], path
    desc = tiny_report.data["workflow_desc"]
    _assert_clean(desc, "workflow description")
    assert "noise floor" in desc and all(name in desc for name in cfg["experiments"])


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.browser  # not also `slow`: CI runs the two markers as separate steps
def test_report_in_headless_chromium(chromium, tiny_report, tmp_path_factory):
    artifacts = _artifacts(tmp_path_factory)
    t0 = time.monotonic()
    seen = check_report(tiny_report.report, artifacts, chromium)
    seconds = {**tiny_report.seconds, "browser": time.monotonic() - t0}
    shutil.copy(tiny_report.report, artifacts / "report.html")
    gifs = sorted(tiny_report.workdir.glob("results/figures/*/seed*/training.gif"))
    (artifacts / "report_stats.json").write_text(json.dumps({
        "report_bytes": tiny_report.report.stat().st_size,
        "gif_bytes": {str(g.relative_to(tiny_report.workdir)): g.stat().st_size for g in gifs},
        "seconds": seconds,
    }, indent=1))

    # 1. the report as shipped loads without JavaScript errors and shows the description
    assert seen["console_errors"] == [], seen["console_errors"]
    rendered = re.sub(r"<script.*?</script>", "", seen["dom"], flags=re.S)  # what JS put on the page
    assert "Reading W1 / noise floor" in rendered and "Samples" in rendered, rendered[:2000]
    probe = seen["probe"]
    assert "toygan" in probe["workflow_text"]
    assert probe["errors"] == [] and seen["probe_console_errors"] == [], (probe["errors"],
                                                                          seen["probe_console_errors"])
    box = probe["workflow_box"]
    assert box["top"] >= 0, f"the workflow description is taller than the window and cut off at the top: {box}"
    for item in ("Workflow", "Statistics", "Samples", "Training", "Summary"):
        assert item in probe["menu"]

    # 2. clicking through every category lists every figure and table, each with its caption
    assert sorted(set(probe["listed"])) == sorted(tiny_report.data["results"]), "results missing from the views"
    for cat, subs in probe["tour"].items():
        for sub, entry in subs.items():
            assert entry["rows"], f"{cat}/{sub}: empty table"
            if entry["first_view"]["kind"] == "img":
                assert entry["first_view"]["width"] > 50, f"{cat}/{sub}: image did not load"
            for state in entry["states"]:
                for cap in state["captions"]:
                    assert len(cap["text"]) > 100, f"{cat}/{sub}: no description for {cap['path']}"
            for row in entry["rows"]:
                if row["view_download"]:  # GIFs and tables: the eye icon is a data: link
                    assert row["view_href"].startswith("data:"), row
                    assert row["view_download"] in ("metrics.tsv", "metrics_by_experiment.tsv",
                                                    "benchmark_table.md"), row
    # 3. the seed label works as a toggle where an experiment has exactly two seeds
    samples = probe["tour"]["Samples"]["normal"]
    assert samples["toggles"] == [{"label": "seed", "values": ["0", "1"]}]
    paths = [[c["path"] for c in s["captions"]] for s in samples["states"]]
    assert all("/seed0/" in p for p in paths[0]) and all("/seed1/" in p for p in paths[1]), paths
    assert {Path(p).name for p in paths[0]} == {"density.png", "d_output.png", "decision.png"}
    training = probe["tour"]["Training"]["normal"]
    assert sorted(Path(c["path"]).name for c in training["states"][0]["captions"]) == [
        "losses.png", "losses.png", "training.html", "training.html"]

    # 4. screenshots, for a person to look at
    for shot in seen["screenshots"]:
        assert _png_size(shot) == (1400, 1000) and shot.stat().st_size > 20_000, shot
