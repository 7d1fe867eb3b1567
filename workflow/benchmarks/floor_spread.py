"""The real-vs-real floors of precision, recall, density and coverage on every synthetic kind,
and the verdict and w1_truth of a fresh sample of the truth: the numbers behind the precision
and recall thresholds of docs/metrics.md. Last, what the four metrics cost at each size.

    python workflow/benchmarks/floor_spread.py               # at 2,500 and 10,000 rows
    python workflow/benchmarks/floor_spread.py --rows 2500

Each line: a dataset's floors (mean ± sd over 20 real pairs, defaults otherwise), then what a
fresh sample of its true distribution scores (its verdict, w1_truth and the estimator's noise).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toygan.config.settings import Evaluation  # noqa: E402
from toygan.config.validate import validate_config  # noqa: E402
from toygan.data import datasets  # noqa: E402
from toygan.evaluation import metrics, prdc, reference, verdict  # noqa: E402

KINDS = ["ring", "grid", "moons", "circles", "swissroll", "pinwheel", "spirals", "checkerboard"]
TWO_NORMALS = {"kind": "mixture", "n": 2000, "components": [{"mean": 0.0, "std": 1.0}, {"mean": 5.0, "std": 2.0}]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[2500, 10_000], help="scored rows (n_samples)")
    args = ap.parse_args(argv)
    specs = validate_config({"datasets": {**{k: {"kind": k} for k in KINDS}, "two_normals": TWO_NORMALS},
                             "experiments": {"e": {"dataset": "ring"}}})["datasets"]
    for n in args.rows:
        # ot_subsample only speeds up the exact W1, which this script does not report
        s = Evaluation.parse({"n_samples": n, "truth_samples": n, "ot_subsample": 500})
        for name, spec in specs.items():
            start = time.perf_counter()
            a, b = datasets.heldout_pair(spec, n, s.seed)
            floor, modes = reference.build(spec, a, b, s)
            fm = floor["metrics"]
            gen = datasets.fresh_sample(spec, n, 4242, 9)  # a sample of the truth, drawn apart from all others
            r = metrics.evaluate(gen, a, floor, modes, s, truth_sample=reference.truth_sample(spec, s))
            word, _ = verdict.decide(r, s)
            cells = "  ".join(f"{m} {fm[m]['mean']:.4f} ± {fm[m]['sd']:.4f}"
                              for m in ("precision", "recall", "density", "coverage"))
            print(f"{n:6d} rows  {name:13s} {cells}  | truth: {word}, w1_truth {r['w1_truth']:.4f} "
                  f"(noise {r['w1_truth_noise']:.4f})  [{time.perf_counter() - start:.1f} s]", flush=True)
        a, b = datasets.heldout_pair(specs["ring"], n, 0)
        start = time.perf_counter()
        for _ in range(5):
            prdc.prdc(a, b, s.prdc_k)
        print(f"{n:6d} rows  precision, recall, density and coverage of {n:,} against {n:,} rows: "
              f"{(time.perf_counter() - start) / 5:.3f} s", flush=True)


if __name__ == "__main__":
    main()
