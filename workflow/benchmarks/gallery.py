"""Run every example of workflow/examples/ and write docs/gallery.md with its dashboard.

    python workflow/benchmarks/gallery.py                     # all examples, 2 cores
    python workflow/benchmarks/gallery.py ring --reuse        # run ring if not done; rewrite the page
    python workflow/benchmarks/gallery.py ring --only         # rewrite only ring's section and images

Each example runs in its own directory under --workdir (kept, so --reuse can redraw the page
without training again). With --only, the named examples' sections and images are redrawn and
every other section of the existing page is kept as it is (its runs need not be in --workdir).
An example whose seeds miss its promise is listed and makes the exit status 1; the page is
written anyway so the failure can be seen.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from examples import REPO, TIMING_FILE, Example, check_example, check_run, example_paths, load_example, run_example, run_metrics  # noqa: E402, I001
from toygan.summary import tables  # noqa: E402

# (column, header, decimals, short label); a column no run has (file data) is left out.
COLUMNS = [
    ("modes_captured", "modes", 1, "modes"),
    ("high_quality_fraction", "high quality", 3, "HQ"),
    ("reverse_kl", "reverse KL", 3, "KL"),
    ("w1_ratio", "W1 / floor", 2, "W1/floor"),
    ("precision", "precision", 3, "P"),
    ("recall", "recall", 3, "R"),
    ("density", "density", 2, "D"),
    ("coverage", "coverage", 3, "C"),
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
           f"{timing['seconds'] / 60:.1f} min wall time on {timing['cores']} cores.", ""]
    if example.note:
        out += [example.note, ""]
    out.append("Promise, every seed: " + _promise(example) + ".")
    out.append("")
    by_exp = tables.by_experiment(tables.collect(_records(runs)))
    cols = [c for c in COLUMNS if f"{c[0]}_mean" in by_exp.columns and by_exp[f"{c[0]}_mean"].notna().any()]
    out.append("| experiment | seeds | " + " | ".join(h for _, h, _, _ in cols) + " |")
    out.append("| --- | --- | " + " | ".join("---" for _ in cols) + " |")
    for _, row in by_exp.iterrows():
        cells = [tables.format_mean_se(row[f"{c}_mean"], row[f"{c}_se"], d) for c, _, d, _ in cols]
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

HEADER = """# Gallery: the examples, run

Every config in `workflow/examples/` run as shipped, one at a time on a 2-core machine, by
`python workflow/benchmarks/gallery.py` (which wrote this page and the images in
`docs/gallery/`; rerun it to regenerate them). `pytest -m examples` runs the same configs and
checks the same promise per seed. Numbers are mean ± standard error over seeds; the modes,
high-quality fraction, reverse KL, precision, recall, density and coverage are defined in
[metrics.md](metrics.md), and W1 / floor is the exact W1 to held-out real data over the W1
between two held-out real samples. Wall times
include TensorFlow start-up, sampling, metrics, figures and the training animations.
"""


# The page's order: what a newcomer tries first comes first; any other example follows.
ORDER = ["ring", "ring_losses", "grid", "packing", "toy_suite", "own_data", "sweep_two_normals"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="examples to run (file stems); default all")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/toygan-gallery"))
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="use finished runs in --workdir; run only missing ones")
    ap.add_argument("--only", action="store_true", help="redraw only the named examples; keep the page's other sections")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "gallery.md")
    args = ap.parse_args(argv)
    if args.only and not args.names:
        ap.error("--only needs the examples to redraw")

    examples = [load_example(p) for p in example_paths()]
    examples.sort(key=lambda e: (ORDER.index(e.name) if e.name in ORDER else len(ORDER), e.name))
    todo = [e for e in examples if not args.names or e.name in args.names]
    failed = []
    for ex in todo:
        workdir = args.workdir / ex.name
        if not (args.reuse and (workdir / TIMING_FILE).exists()):
            # From scratch: Snakemake would reuse an earlier run's data and noise floor, and the
            # time printed on the page would leave them out.
            for leftover in (workdir / "results", workdir / ".snakemake", workdir / TIMING_FILE):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                elif leftover.exists():
                    leftover.unlink()
            print(f"{ex.name}: running", flush=True)
            print(f"{ex.name}: {run_example(ex, workdir, cores=args.cores):.0f} s", flush=True)
        problems = check_example(ex, workdir)
        failed += [f"{ex.name}: {p}" for p in problems]
    images = args.out.parent / "gallery"
    if args.only:
        kept = sections_by_title(args.out.read_text()) if args.out.exists() else {}
        for ex in todo:  # only the redrawn examples' images are replaced
            for old in [*images.glob(f"{ex.name}.png"), *images.glob(f"{ex.name}__*.png")]:
                old.unlink()
        sections = [section(ex, args.workdir / ex.name, images, "gallery/") if ex in todo else kept.get(ex.title)
                    for ex in examples]
        sections = [s for s in sections if s]
    else:
        # The page lists every example with a finished run in --workdir, not only those run now.
        done = [ex for ex in examples if (args.workdir / ex.name / TIMING_FILE).exists()]
        failed += [f"{ex.name}: not run (no {TIMING_FILE} in {args.workdir / ex.name})" for ex in examples if ex not in done]
        for old in images.glob("*.png"):  # an image of an example or experiment that is gone
            old.unlink()
        sections = [section(ex, args.workdir / ex.name, images, "gallery/") for ex in done]
    args.out.write_text(HEADER + "\n" + "\n".join(sections))
    print(f"wrote {args.out}")
    for line in failed:
        print("FAILED", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
