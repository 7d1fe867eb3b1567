"""docs/gallery.md from finished example runs: each example's dashboard and its numbers.

The numbers are mean ± s.e. over seeds (``summary.by_experiment``), the per-seed check of the
example's promise (``examples.check_run``) and the wall time ``examples.run_example`` recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from . import summary
from .examples import TIMING_FILE, Example, check_run, run_metrics

# (column, header, decimals, short label); a column no run has (file data) is left out.
COLUMNS = [
    ("modes_captured", "modes", 1, "modes"),
    ("high_quality_fraction", "high quality", 3, "HQ"),
    ("reverse_kl", "reverse KL", 3, "KL"),
    ("w1_ratio", "W1 / floor", 2, "W1/floor"),
]
IMAGE_WIDTH = 560  # pixels: the dashboards stay a few tens of KB each


def small_image(src: str | Path, dest: str | Path, width: int = IMAGE_WIDTH) -> Path:
    """A copy of ``src`` scaled to ``width`` pixels, as an optimised 8-bit PNG."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as img:
        img = img.convert("RGB")
        height = round(img.height * width / img.width)
        img = img.resize((width, height), Image.LANCZOS).quantize(colors=128)
        img.save(dest, optimize=True)
    return dest


def seed_line(m: dict, example: Example) -> str:
    """One seed's verdict (or check result) and key numbers, e.g. `seed 0: passes (modes 8/8, HQ 0.97, ...)`."""
    parts = []
    for c, _, d, label in COLUMNS:
        if m.get(c) is not None:
            value = f"{m[c]}/{m['n_modes']}" if c == "modes_captured" else f"{m[c]:.{d}f}"
            parts.append(f"{label} {value}")
    verdict = "passes" if not check_run(m, example) else "FAILS"
    if m.get("verdict"):
        verdict += f", verdict {m['verdict']}"
    return f"seed {m['seed']}: {verdict} ({', '.join(parts)})"


def section(example: Example, workdir: str | Path, image_dir: str | Path, link_prefix: str) -> str:
    """The markdown of one example: title, command, wall time, table, per-seed lines, images."""
    workdir = Path(workdir)
    runs = run_metrics(workdir, example)
    timing = json.loads((workdir / TIMING_FILE).read_text())
    rel = example.path.relative_to(example.path.parents[2])
    out = [f"## {example.title}", "",
           f"`{rel}` — `snakemake --cores {timing['cores']} --configfile {rel}`: "
           f"{timing['seconds'] / 60:.1f} min wall time on {timing['cores']} cores" + _load(timing) + ".", ""]
    if example.note:
        out += [example.note, ""]
    out.append("Promise, every seed: " + _promise(example) + ".")
    out.append("")
    by_exp = summary.by_experiment(summary.collect(_records(runs)))
    cols = [c for c in COLUMNS if f"{c[0]}_mean" in by_exp.columns and by_exp[f"{c[0]}_mean"].notna().any()]
    out.append("| experiment | seeds | " + " | ".join(h for _, h, _, _ in cols) + " |")
    out.append("| --- | --- | " + " | ".join("---" for _ in cols) + " |")
    for _, row in by_exp.iterrows():
        cells = [summary.format_mean_se(row[f"{c}_mean"], row[f"{c}_se"], d) for c, _, d, _ in cols]
        out.append(f"| `{row['experiment']}` | {row['n_seeds']} | " + " | ".join(cells) + " |")
    out.append("")
    for exp in by_exp["experiment"]:
        lines = [seed_line(m, example) for m in runs if m["experiment"] == exp]
        out.append(f"`{exp}`: " + "; ".join(lines) + ".")
        out.append("")
        name = f"{example.name}__{exp}.png" if len(by_exp) > 1 else f"{example.name}.png"
        small_image(workdir / "results" / "figures" / exp / "dashboard.png", Path(image_dir) / name)
        out.append(f"![{exp}: every seed's samples over the real density]({link_prefix}{name})")
        out.append("")
    return "\n".join(out)


def _load(timing: dict) -> str:
    if "load" not in timing:
        return ""
    return f" (on a shared machine: load average {timing['load']:.0f} at the end of the run)"


def _promise(example: Example) -> str:
    bounds = [f"{k} ≥ {v}" for k, v in example.minimum.items()]
    bounds += [f"{k} ≤ {v}" for k, v in example.maximum.items()]
    return ", ".join(bounds) + f"; verdict in {', '.join(example.verdicts)} once metrics give one"


def _records(runs: list[dict]) -> list[dict]:
    keep = ["experiment", "dataset", "seed", "status", "diverged_epoch", "n_modes"] + [c for c, *_ in COLUMNS]
    return [{k: m.get(k) for k in keep} for m in runs]


def sections_by_title(page: str) -> dict[str, str]:
    """The ``## title`` sections of a gallery page written by ``section`` (the header left out),
    each as written, keyed by its title, so that one example's section can be replaced alone."""
    parts = ("\n" + page).split("\n## ")[1:]
    return {part.split("\n", 1)[0]: "## " + part.rstrip("\n") + "\n" for part in parts}
