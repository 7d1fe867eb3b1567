"""docs/img/metrics_examples.png: three samples of the grid scored as a run is, side by side.

    python workflow/benchmarks/metrics_figure.py [--out docs/img/metrics_examples.png]

A sample of the truth, a sample that drops half the modes, and one collapsed inside every
mode (each point within a tenth of a std of its centre), 2,500 rows each (PacGAN's protocol):
the panel titles give what the metrics and the verdict say of each. The numbers come from
this script's run (seeded: the same machine gives the same figure).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toygan.config.settings import Evaluation  # noqa: E402
from toygan.config.validate import validate_config  # noqa: E402
from toygan.data import datasets  # noqa: E402
from toygan.evaluation import metrics, reference, verdict  # noqa: E402
from toygan.plots.style import FAKE_COLOR, REAL_COLOR, apply_style  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
N = 2500


def samples(spec: dict) -> dict[str, np.ndarray]:
    comps = datasets.components(spec)
    means, std = comps["means"], comps["stds"][0, 0]
    rng = np.random.default_rng(7)
    good = datasets.heldout_pair(spec, N, 777)[0]
    kept = means[(np.arange(len(means)) % 2) == 0]  # every other mode
    dropping = kept[rng.integers(0, len(kept), N)] + rng.normal(size=(N, 2)) * std
    inside = means[rng.integers(0, len(means), N)] + rng.normal(size=(N, 2)) * std * 0.1
    return {"a sample of the truth": good, "half the modes dropped": dropping, "collapsed inside each mode": inside}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "metrics_examples.png")
    args = ap.parse_args(argv)
    import matplotlib.pyplot as plt

    apply_style()
    spec = validate_config({"datasets": {"grid": {"kind": "grid"}}, "experiments": {"e": {"dataset": "grid"}}})[
        "datasets"]["grid"]
    s = Evaluation.parse({"n_samples": N, "truth_samples": N})
    a, b = datasets.heldout_pair(spec, N, s.seed)
    floor, modes = reference.build(spec, a, b, s)
    fig, axes = plt.subplots(2, 3, figsize=(13.5, 9.6), layout="constrained",
                             gridspec_kw={"height_ratios": [1, 1]})
    zoom = 5 * spec["std"]  # the bottom row: the mode at the origin, 5 stds each way
    for col, (name, gen) in enumerate(samples(spec).items()):
        r = metrics.evaluate(gen, a, floor, modes, s)
        word, _ = verdict.decide(r, s)
        for row, ax in enumerate(axes[:, col]):
            ax.scatter(*a.T, s=4 if row else 3, color=REAL_COLOR, alpha=0.5, lw=0, label="held-out real")
            ax.scatter(*gen.T, s=4 if row else 3, color=FAKE_COLOR, alpha=0.6, lw=0, label="generated")
            ax.set_aspect("equal")
            ax.set_xlabel("x")
            if row:
                ax.set_xlim(-zoom, zoom)
                ax.set_ylim(-zoom, zoom)
        axes[0, col].set_title(
            f"{name}: {word}\nmodes {r['modes_captured']}/25 · HQ {100 * r['high_quality_fraction']:.1f} % · "
            f"KL {r['reverse_kl']:.3f}\nwidth {r['width_ratio_min']:.2f}–{r['width_ratio_max']:.2f}× real · "
            f"precision {r['precision']:.2f} · recall {r['recall']:.2f}", fontsize="small")
        axes[1, col].set_title("the mode at (0, 0), 5 stds each way", fontsize="small")
        print(f"{name}: modes {r['modes_captured']}, HQ {r['high_quality_fraction']:.4f}, KL {r['reverse_kl']:.4f}, "
              f"width {r['width_ratio_min']:.3f}-{r['width_ratio_max']:.3f}, precision {r['precision']:.3f} "
              f"(floor {r['precision_floor']:.3f}), recall {r['recall']:.3f} (floor {r['recall_floor']:.3f}), "
              f"density {r['density']:.3f}, coverage {r['coverage']:.3f}, verdict {word}")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    axes[0, 0].legend(loc="upper left", markerscale=4, fontsize="small")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
