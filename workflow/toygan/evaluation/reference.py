"""Per-dataset reference values, computed once per dataset (rule ``reference``; no TensorFlow).

* ``floor_distribution``: every distance over K independent real pairs of the scored size,
  with mean and sd (floor.json). Each run's ``M_floor`` is that mean.
* ``truth_noise``: what ``w1_truth`` gives for exact draws of the known distribution, i.e.
  the estimator's own noise (stored in floor.json).
* ``true_sample_modes``: the mode metrics and widths of exact draws of the truth at the scored
  size (floor.json), where the modes are known: what a perfect generator scores, noise and all.
* ``modes``: the modes each run is scored against (modes.json): the true components for
  synthetic kinds; for ``file`` data a Gaussian mixture fitted to all real rows, its number
  of components chosen by BIC, plus the mode metrics of all real rows.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..config.settings import Evaluation
from .. import streams
from ..data import datasets
from . import metrics, truth

__all__ = ["floor_distribution", "truth_noise", "true_sample_modes", "fit_modes", "modes", "build",
           "TRUTH_NOISE_DRAWS"]

# Exact draws of the truth scored by truth_noise: enough for a mean and an sd.
TRUTH_NOISE_DRAWS = 5


def _mean_sd(values: list[float]) -> dict[str, Any]:
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if v.size > 1 else None, "values": v.tolist()}


def _pool_map(fn: Callable, items: Iterable, workers: int) -> Iterable:
    """``map(fn, items)``, in order, on ``workers`` processes when there is more than one.

    Exact 2-D W1 holds the GIL, so threads would not overlap; forked workers share the
    imported modules and start in milliseconds (this process never loads TensorFlow)."""
    if workers <= 1:
        return map(fn, items)
    items = list(items)
    metrics.preload()
    with ProcessPoolExecutor(min(workers, len(items)), mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(fn, items))


def _pair_distances(pair: tuple[np.ndarray, np.ndarray], settings: Evaluation) -> tuple[int, dict[str, float]]:
    """(rows, floor distances) of one real pair; precision and the like are left out where
    the pair has too few rows for their k."""
    a, b = pair
    d = metrics.distances(b, a, settings)
    return len(a), {name: d[name] for name in metrics.distance_names(a.shape[1]) if name in d}


def floor_distribution(pairs: Iterable[tuple[np.ndarray, np.ndarray]], settings: Evaluation, source: str,
                       workers: int = 1) -> dict:
    """{"pairs", "n_rows", "source", "metrics": {M: {"mean", "sd", "values"}}} of the noise floor:
    M(b, a) for every pair, with the same settings (subsample, bins, seed) as the runs; the
    pairs are scored on ``workers`` processes, with the same values as on one."""
    s = settings
    values: dict[str, list[float]] = {}
    n_rows = None
    for n_rows, d in _pool_map(partial(_pair_distances, settings=s), pairs, workers):
        for name, value in d.items():
            values.setdefault(name, []).append(value)
    if not values:
        raise ValueError("floor_distribution needs at least one pair")
    return {"pairs": len(values["w1"]), "n_rows": n_rows, "source": source,
            "metrics": {k: _mean_sd(v) for k, v in values.items()}}


def truth_sample(spec: dict, settings: Evaluation) -> np.ndarray | None:
    """The large sample ``w1_truth`` compares with where the truth has no closed form (the toy
    kinds: moons, circles, ...); None for Gaussian kinds (exact) and file data (no truth)."""
    if datasets.components(spec) is not None or not datasets.has_generator(spec):
        return None
    return datasets.fresh_sample(spec, settings.truth_samples, settings.seed, streams.TRUTH_SAMPLE)


def w1_truth(rows: np.ndarray, spec: dict, settings: Evaluation, reference: np.ndarray | None) -> float | None:
    """W1 of ``rows`` to the dataset's true distribution: exact for Gaussian kinds, against
    ``reference`` (``truth_sample``) for the others; None for file data."""
    comps = datasets.components(spec)
    if comps is not None:
        return truth.w1_truth(rows, comps, projections=settings.truth_projections)
    if reference is None:
        return None
    return truth.w1_to_sample(rows, reference, projections=settings.truth_projections)


def truth_noise(spec: dict, settings: Evaluation, workers: int = 1) -> dict | None:
    """``w1_truth`` of ``TRUTH_NOISE_DRAWS`` exact draws of ``truth_samples`` rows from the
    true distribution (mean, sd, values): the estimator's own noise, what a perfect generator
    scores; None for file data. The draws are scored on ``workers`` processes."""
    if not datasets.has_generator(spec):
        return None
    s = settings
    n = s.truth_samples
    reference = truth_sample(spec, s)
    if reference is None:  # closed form: the draws as before
        draws = [a for a, _ in datasets.floor_pairs(spec, n, s.seed + 1, TRUTH_NOISE_DRAWS)]  # +1: not the floor's
    else:
        rows = datasets.fresh_sample(spec, n * TRUTH_NOISE_DRAWS, s.seed, streams.TRUTH_NOISE)
        draws = np.split(rows, TRUTH_NOISE_DRAWS)
    values = list(_pool_map(partial(w1_truth, spec=spec, settings=s, reference=reference), draws, workers))
    return {**_mean_sd(values), "n_rows": n}


def true_sample_modes(draws: Sequence[np.ndarray], modes: dict, settings: Evaluation) -> dict | None:
    """{"n_rows", "draws": [per draw: modes_captured, high_quality_fraction, reverse_kl,
    width_ratio_min, width_ratio_max, ...]} of exact draws of the truth scored as a run is;
    None unless the modes are the known components (a fitted mixture is no truth to draw from)."""
    if modes.get("source") != "known":
        return None
    scores = [metrics.known_mode_scores(x, modes["components"], threshold=settings.mode_threshold) for x in draws]
    n_rows = {len(x) for x in draws}
    return {"n_rows": n_rows.pop() if len(n_rows) == 1 else None, "draws": scores}


def fit_modes(rows: np.ndarray, max_modes: int, seed: int) -> dict:
    """Gaussian mixture (diagonal covariances, so per-axis stds as for the synthetic kinds)
    fitted to ``rows`` for 1..max_modes components; the lowest BIC wins. Components are
    sorted by their first coordinate so the output does not depend on the fit's order."""
    from sklearn.mixture import GaussianMixture  # noqa: PLC0415  (only the reference rule needs it)

    rows = np.asarray(rows, dtype=float)
    best, bics = None, {}
    for k in range(1, min(int(max_modes), len(rows)) + 1):
        gm = GaussianMixture(k, covariance_type="diag", random_state=seed, n_init=2).fit(rows)
        bics[k] = float(gm.bic(rows))
        if best is None or bics[k] < bics[best.n_components]:
            best = gm
    order = np.argsort(best.means_[:, 0], kind="stable")
    return {
        "means": best.means_[order].tolist(),
        "stds": np.sqrt(best.covariances_[order]).tolist(),
        "weights": best.weights_[order].tolist(),
        "bic": {str(k): v for k, v in bics.items()},
    }


def modes(spec: dict, all_rows: np.ndarray | None, settings: Evaluation) -> dict:
    """modes.json: {"source": "known", "components"} for synthetic kinds; for file data
    {"source": "gmm", "components" (with "bic"), "real_all": mode metrics, ``mode_mass`` and
    ``n_rows`` of all real rows (training and held-out)}."""
    comps = datasets.components(spec)
    if comps is not None:
        return {"source": "known", "components": {k: v.tolist() for k, v in comps.items()}}
    if datasets.has_generator(spec):  # moons, circles, ...: no modes; precision and recall judge
        return {"source": "none", "components": None}
    s = settings
    fit = fit_modes(all_rows, s.max_modes, s.seed)
    thr = s.mode_threshold
    real_all = {**metrics.mode_metrics(all_rows, fit, threshold=thr),
                "mode_mass": metrics.mode_mass(all_rows, fit, threshold=thr), "n_rows": int(len(all_rows)),
                "mode_width": metrics.mode_widths(all_rows, fit, threshold=thr)[0]}
    return {"source": "gmm", "components": fit, "real_all": real_all}


def describe(floor: dict, modes: dict) -> str:
    """One log line on a dataset's reference: its W1 floor and its modes (or that it has none)."""
    w1 = floor["metrics"]["w1"]
    comps = modes["components"]
    found = f"{len(comps['weights'])} ({modes['source']})" if comps is not None else "none, judged by precision and recall"
    return (f"W1 floor over {floor['pairs']} pairs of {floor['n_rows']} rows: {w1['mean']:.4g} ± {w1['sd']:.4g} (sd); "
            f"modes: {found}")


def build(spec: dict, heldout_a: np.ndarray, heldout_b: np.ndarray, settings: Evaluation,
          workers: int = 1) -> tuple[dict, dict]:
    """(floor.json, modes.json) of one dataset. Synthetic kinds draw fresh floor pairs of
    ``n_samples`` rows; file data bootstraps its held-out rows and fits modes to all rows.
    The floor's pairs are scored on ``workers`` processes."""
    s = settings
    is_file = not datasets.has_generator(spec)
    heldout = np.vstack([heldout_a, heldout_b])
    pairs = list(datasets.floor_pairs(spec, s.n_samples, s.seed, s.floor_pairs,
                                      heldout=heldout if is_file else None))
    source = (f"bootstrap resamples of the {len(heldout)} held-out rows" if is_file
              else "independent draws of the known distribution")
    floor = floor_distribution(pairs, s, source, workers)
    floor["w1_truth_noise"] = truth_noise(spec, s, workers)
    all_rows = datasets.load_file(spec["path"], spec["columns"]) if is_file else None
    found = modes(spec, all_rows, s)
    floor["true_sample_modes"] = true_sample_modes([b for _, b in pairs], found, s)
    return floor, found
