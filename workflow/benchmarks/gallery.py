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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toygan.examples import REPO, TIMING_FILE, check_example, example_paths, load_example, run_example  # noqa: E402
from toygan.gallery import section, sections_by_title  # noqa: E402

HEADER = """# Gallery: the examples, run

Every config in `workflow/examples/` run as shipped, one at a time on a 2-core machine, by
`python workflow/benchmarks/gallery.py` (which wrote this page and the images in
`docs/gallery/`; rerun it to regenerate them). `pytest -m examples` runs the same configs and
checks the same promise per seed. Numbers are mean ± standard error over seeds; the modes,
high-quality fraction and reverse KL are defined in [metrics.md](metrics.md), and W1 / floor is
the exact W1 to held-out real data over the W1 between two held-out real samples. Wall times
include TensorFlow start-up, sampling, metrics, figures and the training animations.
"""


# The page's order: what a newcomer tries first comes first; any other example follows.
ORDER = ["ring", "ring_losses", "ring_wgan_gp", "grid", "packing", "own_data", "sweep_two_normals"]


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
