"""How close to the truth can a generator trained on a 1-D dataset's rows be expected to get?

For each 1-D dataset of a config (default: the shipped config.yaml) this prints the W1 to the
true distribution (toygan.evaluation.truth, exact mixture CDF) of
  - the training rows themselves: a generator that reproduced them exactly would score this;
  - the maximum-likelihood fit to those rows (each component's sample mean and std, the
    components' true weights): the best a learner that sees only these rows can be expected
    to do without luck or outside knowledge of the truth;
  - the rows smoothed by a Gaussian kernel (bandwidth by 5-fold cross-validated likelihood):
    a generator that learnt a smooth density of the rows, without their parametric form,
    would score about this;
  - fresh samples of the same size (mean ± sd over --draws draws): what another draw of the
    training data would have given.
Run: python workflow/benchmarks/data_limit.py [--config config.yaml] [--draws 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toygan.data import datasets  # noqa: E402
from toygan.config.validate import validate_config  # noqa: E402
from toygan.evaluation.truth import w1_to_mixture_1d  # noqa: E402

FIT_ROWS = 400_000  # rows drawn from the fitted mixture (its own sampling noise is ~0.002)


def _fitted_rows(rows: np.ndarray, spec: dict, comps: dict, rng: np.random.Generator) -> np.ndarray:
    """Draws from the mixture fitted to ``rows``: a mixture's rows are stacked by component."""
    counts = (datasets.stratified_counts(comps["weights"], len(rows)) if spec["kind"] == "mixture"
              else [len(rows)])
    blocks = np.split(rows[:, 0], np.cumsum(counts)[:-1])
    weights = np.asarray(comps["weights"], float)
    labels = rng.choice(len(blocks), size=FIT_ROWS, p=weights / weights.sum())
    return np.concatenate([rng.normal(b.mean(), b.std(ddof=1), (labels == k).sum()) for k, b in enumerate(blocks)])


def _smoothed_rows(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draws from a Gaussian kernel density estimate of ``rows``, its bandwidth chosen by
    5-fold cross-validated log-likelihood."""
    x = rows[:, 0]
    grid = x.std(ddof=1) * np.geomspace(0.01, 1.0, 41)
    search = GridSearchCV(KernelDensity(kernel="gaussian"), {"bandwidth": grid}, cv=5).fit(x[:, None])
    h = search.best_params_["bandwidth"]
    return rng.choice(x, FIT_ROWS) + rng.normal(0.0, h, FIT_ROWS)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="config.yaml")
    ap.add_argument("--draws", type=int, default=20)
    args = ap.parse_args(argv)
    cfg = validate_config(yaml.safe_load(Path(args.config).read_text()))
    rng = np.random.default_rng(0)
    kde_rng = np.random.default_rng(1)
    print(f"{'dataset':14s} {'rows':>6s} {'training rows':>14s} {'ML fit':>8s} {'smoothed':>9s} {'fresh draws (mean ± sd)':>24s}")
    for name, spec in cfg["datasets"].items():
        if spec["kind"] not in ("normal", "mixture"):
            continue
        comps = datasets.components(spec)
        truth = (comps["means"], comps["stds"], comps["weights"])
        rows = datasets.training_data(spec)
        fresh = [w1_to_mixture_1d(datasets.training_data({**spec, "seed": 1000 + i}), *truth)
                 for i in range(args.draws)]
        print(f"{name:14s} {len(rows):6d} {w1_to_mixture_1d(rows, *truth):14.4f} "
              f"{w1_to_mixture_1d(_fitted_rows(rows, spec, comps, rng), *truth):8.4f} "
              f"{w1_to_mixture_1d(_smoothed_rows(rows, kde_rng), *truth):9.4f} "
              f"{np.mean(fresh):15.4f} ± {np.std(fresh, ddof=1):.4f}")


if __name__ == "__main__":
    main()
