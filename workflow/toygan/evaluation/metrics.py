"""Sample-based metrics for 1-D and 2-D toy distributions (numpy, scipy, POT; no TensorFlow).

Every function takes samples as float arrays of shape ``(n, d)`` with ``d`` = 1 or 2
(1-D arrays of shape ``(n,)`` are accepted and read as ``(n, 1)``). Every returned value is
a plain Python ``float``/``int``/``None`` so results can go straight into JSON.

Definitions, grids and defaults are documented for users in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
import os
from typing import Any, Mapping, Sequence

import numpy as np

from ..config.settings import Evaluation
from ..imports import unimportable
from . import prdc, truth, widths


def _stats():
    """``scipy.stats``, imported on first use: it costs 0.4 s, and a train job, which imports
    this module for ``training_w1`` alone, never needs it."""
    from scipy import stats

    return stats

__all__ = [
    "w1",
    "sliced_w1",
    "ks",
    "histogram_divergences",
    "moments",
    "mode_metrics",
    "mode_mass",
    "training_w1",
    "evaluate",
]

# Fixed seed of the random projections of training_w1 (the same directions every epoch,
# so the curve in history.csv is not jittered by re-drawn directions).
TRAINING_SEED = 0
TRAINING_PROJECTIONS = 128

# Rows of the std-normalised distance matrix computed at once in mode_metrics.
_CHUNK = 65536


# ---------------------------------------------------------------------------------------
# helpers


def _as_2d(x: Any, name: str = "samples") -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] not in (1, 2):
        raise ValueError(f"{name} must have shape (n, 1) or (n, 2), got {np.shape(x)}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    return arr


def _pair(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a = _as_2d(a, "first sample")
    b = _as_2d(b, "second sample")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"dimension mismatch: {a.shape[1]} vs {b.shape[1]}")
    return a, b


def _import_ot():
    """Import POT without letting it import TensorFlow/PyTorch/JAX/CuPy backends or scikit-learn.

    POT probes every installed array library at import time; in this environment that
    would load TensorFlow into every metrics job (seconds of start-up, log noise). It imports
    scikit-learn for a low-rank solver no metric uses (half of its import time).
    """
    for key in (
        "POT_BACKEND_DISABLE_TENSORFLOW",
        "POT_BACKEND_DISABLE_PYTORCH",
        "POT_BACKEND_DISABLE_JAX",
        "POT_BACKEND_DISABLE_CUPY",
    ):
        os.environ.setdefault(key, "1")
    with unimportable(["sklearn"]):
        import ot  # noqa: PLC0415  (deliberately lazy)

    return ot


def preload() -> None:
    """Import the libraries ``distances`` uses lazily, so that processes forked afterwards
    share them instead of importing each its own copy."""
    _stats()
    _import_ot()
    from scipy.spatial import cKDTree  # noqa: F401, PLC0415


def _w1_1d_columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact 1-D W1 between the columns of ``a`` (n, p) and ``b`` (m, p), uniform weights.

    W1 = integral over t in (0, 1] of |F_a^-1(t) - F_b^-1(t)| dt. Both quantile functions
    are step functions that change only at t = i/n and t = j/m; on the integer grid
    u = t * n * m these are multiples of m and of n, so the breakpoints are exact.
    """
    n, m = a.shape[0], b.shape[0]
    a = np.sort(a, axis=0)
    b = np.sort(b, axis=0)
    if n == m:
        return np.mean(np.abs(a - b), axis=0)
    u = np.union1d(np.arange(1, n + 1, dtype=np.int64) * m, np.arange(1, m + 1, dtype=np.int64) * n)
    width = np.diff(np.concatenate(([0], u))) / float(n * m)
    ia = (u + m - 1) // m - 1  # ceil(t * n) - 1
    ib = (u + n - 1) // n - 1  # ceil(t * m) - 1
    return width @ np.abs(a[ia] - b[ib])


def _directions(n_projections: int, d: int, seed: int) -> np.ndarray:
    theta = np.random.default_rng(seed).standard_normal((d, n_projections))
    return theta / np.linalg.norm(theta, axis=0, keepdims=True)


def _py(value: Any) -> Any:
    """numpy scalar -> Python scalar; non-finite floats -> None (JSON has no NaN/inf)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------
# distances


def w1(a: Any, b: Any, *, ot_subsample: int, seed: int = 0) -> float:
    """Wasserstein-1 distance between two samples (uniform weights, Euclidean ground cost).

    d = 1: exact, ``scipy.stats.wasserstein_distance`` on all points.
    d = 2: exact optimal transport (POT ``ot.emd2``) between random subsamples of at most
    ``ot_subsample`` rows per side, drawn without replacement with ``default_rng(seed)``.
    """
    a, b = _pair(a, b)
    if a.shape[1] == 1:
        return float(_stats().wasserstein_distance(a[:, 0], b[:, 0]))
    ot = _import_ot()
    rng = np.random.default_rng(seed)
    if a.shape[0] > ot_subsample:
        a = a[rng.choice(a.shape[0], ot_subsample, replace=False)]
    if b.shape[0] > ot_subsample:
        b = b[rng.choice(b.shape[0], ot_subsample, replace=False)]
    wa = np.full(a.shape[0], 1.0 / a.shape[0])
    wb = np.full(b.shape[0], 1.0 / b.shape[0])
    cost = ot.dist(a, b, metric="euclidean")
    return float(ot.emd2(wa, wb, cost, numItermax=10_000_000))


def sliced_w1(a: Any, b: Any, *, n_projections: int = 128, seed: int = 0) -> float:
    """Sliced W1: mean over random unit directions theta of W1(<a, theta>, <b, theta>).

    The directions are ``n_projections`` standard-normal vectors drawn with
    ``default_rng(seed)`` and normalised to unit length; each 1-D W1 is exact.
    For d = 1 this equals ``w1`` (every direction is +-1).
    """
    a, b = _pair(a, b)
    theta = _directions(n_projections, a.shape[1], seed)
    return float(np.mean(_w1_1d_columns(a @ theta, b @ theta)))


def ks(real: Any, gen: Any) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov test (1-D): ``(statistic, p-value)``."""
    real, gen = _pair(real, gen)
    if real.shape[1] != 1:
        raise ValueError("ks is defined for 1-D samples only")
    res = _stats().ks_2samp(real[:, 0], gen[:, 0])
    return float(res.statistic), float(res.pvalue)


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sum(p * np.log(p / q)))


def histogram_divergences(
    real: Any, gen: Any, *, bins: int, epsilon: float
) -> dict[str, float]:
    """Histogram Jensen-Shannon and Kullback-Leibler divergences (1-D, nats).

    Grid: ``bins`` equal-width bins over [min(real U gen), max(real U gen)] (if all points
    are equal the range is widened by 0.5 on each side, as numpy does).
    p = (counts_real + epsilon) / sum, q = (counts_gen + epsilon) / sum, m = (p + q) / 2.
    ``js`` = 0.5 KL(p||m) + 0.5 KL(q||m) (<= log 2); ``kl`` = KL(p||q), real || generated.
    """
    real, gen = _pair(real, gen)
    if real.shape[1] != 1:
        raise ValueError("histogram_divergences is defined for 1-D samples only")
    r, g = real[:, 0], gen[:, 0]
    lo = float(min(r.min(), g.min()))
    hi = float(max(r.max(), g.max()))
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    p = np.histogram(r, bins=edges)[0] + epsilon
    q = np.histogram(g, bins=edges)[0] + epsilon
    p = p / p.sum()
    q = q / q.sum()
    m = 0.5 * (p + q)
    js = 0.5 * _kl(p, m) + 0.5 * _kl(q, m)
    return {"js": max(js, 0.0), "kl": max(_kl(p, q), 0.0)}


# ---------------------------------------------------------------------------------------
# shape and modes


def moments(x: Any) -> dict[str, float]:
    """Mean, std (ddof=1), skewness (biased, scipy default) and excess kurtosis.

    d = 1: keys ``mean, std, skewness, kurtosis``; d = 2: the same per axis with the
    suffixes ``_x`` and ``_y``. Skewness/kurtosis of a constant sample are None.
    """
    x = _as_2d(x)
    out: dict[str, float] = {}
    stats = _stats()
    suffixes = [""] if x.shape[1] == 1 else ["_x", "_y"]
    for j, sfx in enumerate(suffixes):
        col = x[:, j]
        std = float(np.std(col, ddof=1)) if col.size > 1 else None
        constant = bool(np.all(col == col[0]))
        out["mean" + sfx] = _py(np.mean(col))
        out["std" + sfx] = _py(std)
        out["skewness" + sfx] = None if constant else _py(stats.skew(col))
        out["kurtosis" + sfx] = None if constant else _py(stats.kurtosis(col, fisher=True))
    return out


def _components(comps: Mapping[str, Any], d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    means = np.asarray(comps["means"], dtype=float).reshape(-1, d)
    k = means.shape[0]
    stds = np.asarray(comps["stds"], dtype=float)
    if stds.size not in (k, k * d):
        raise ValueError("comps['stds'] must have shape (k,) or (k, d)")
    stds = np.broadcast_to(stds.reshape(k, -1), (k, d))
    weights = comps.get("weights")
    weights = np.ones(k) if weights is None else np.asarray(weights, dtype=float).reshape(k)
    if np.any(stds <= 0) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("component stds must be > 0 and weights >= 0 with a positive sum")
    return means, stds, weights / weights.sum()


def _assign(x: np.ndarray, means: np.ndarray, stds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest component of every row by std-normalised distance, and that distance."""
    nearest = np.empty(x.shape[0], dtype=np.int64)
    dist = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _CHUNK):
        chunk = x[start : start + _CHUNK]
        z = np.linalg.norm((chunk[:, None, :] - means[None]) / stds[None], axis=2)
        nearest[start : start + len(chunk)] = np.argmin(z, axis=1)
        dist[start : start + len(chunk)] = np.min(z, axis=1)
    return nearest, dist


def mode_mass(samples: Any, comps: Mapping[str, Any], *, threshold: float) -> list[float]:
    """Per mode, the fraction of *all* rows that are high quality and nearest to it.

    Real data puts about w_k there (a little less: the tails beyond ``threshold``); a
    generator that misses a mode, or smears its mass between modes, puts much less.
    """
    x = _as_2d(samples)
    means, stds, _ = _components(comps, x.shape[1])
    nearest, dist = _assign(x, means, stds)
    counts = np.bincount(nearest[dist < threshold], minlength=means.shape[0])
    return [float(c) / x.shape[0] for c in counts]


def mode_widths(samples: Any, comps: Mapping[str, Any], *, threshold: float) -> tuple[list, list[int]]:
    """Per mode, the median std-normalised distance of its high-quality rows to its centre
    (None with fewer than ``widths.MIN_ROWS`` of them) and the number of those rows."""
    x = _as_2d(samples)
    means, stds, _ = _components(comps, x.shape[1])
    nearest, dist = _assign(x, means, stds)
    k = means.shape[0]
    return widths.medians(nearest, dist, k, threshold), widths.counts(nearest, dist, k, threshold)


def mode_metrics(samples: Any, comps: Mapping[str, Any], *, threshold: float) -> dict:
    """Mode coverage as in VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).

    Each sample goes to the component k minimising ||(x - mu_k) / sigma_k||; it is *high
    quality* if that distance is < ``threshold``. A mode is captured if at least one
    high-quality sample is assigned to it. ``reverse_kl`` = KL(q || w) in nats, q = the
    normalised histogram of high-quality samples over modes, w = normalised mixture weights;
    terms with q_i = 0 contribute 0. With no high-quality sample ``reverse_kl`` is None.
    """
    x = _as_2d(samples)
    means, stds, w = _components(comps, x.shape[1])
    k = means.shape[0]
    nearest, dist = _assign(x, means, stds)
    good = dist < threshold
    counts = np.bincount(nearest[good], minlength=k)
    n_good = int(counts.sum())
    if n_good:
        q = counts / n_good
        nz = q > 0
        rkl = max(float(np.sum(q[nz] * np.log(q[nz] / w[nz]))), 0.0)  # >= 0 up to rounding
    else:
        rkl = None
    return {
        "modes_captured": int(np.count_nonzero(counts)),
        "n_modes": int(k),
        "high_quality_fraction": n_good / x.shape[0],
        "reverse_kl": rkl,
    }


# ---------------------------------------------------------------------------------------
# training-time and final evaluation


def training_w1(real_fixed: Any, gen: Any) -> float:
    """Cheap W1 recorded during training: exact 1-D W1, or 2-D sliced W1 with fixed directions.

    Takes well under a millisecond for 500 points per side (no OT solver involved).
    """
    a, b = _pair(real_fixed, gen)
    if a.shape[1] == 1:
        return float(_w1_1d_columns(a, b)[0])
    return sliced_w1(a, b, n_projections=TRAINING_PROJECTIONS, seed=TRAINING_SEED)


def distance_names(d: int) -> list[str]:
    """Every metric compared with its real-vs-real floor: distances (lower is better), then
    precision, recall, density and coverage (higher is better)."""
    return (["w1", "ks_stat", "js", "kl"] if d == 1 else ["w1", "sliced_w1"]) + list(prdc.NAMES)


def distances(gen: np.ndarray, real: np.ndarray, s: Evaluation) -> dict[str, float]:
    """Every distance of ``distance_names(d)`` (plus ``ks_pvalue`` in 1-D) from ``gen`` to ``real``."""
    out = {"w1": w1(real, gen, ot_subsample=s.ot_subsample, seed=s.seed)}
    if real.shape[1] == 1:
        out["ks_stat"], out["ks_pvalue"] = ks(real, gen)
        out.update(histogram_divergences(real, gen, bins=s.histogram_bins, epsilon=s.epsilon))
    else:
        out["sliced_w1"] = sliced_w1(real, gen, seed=s.seed)
    if min(len(real), len(gen)) > s.prdc_k:
        out.update(prdc.prdc(real, gen, s.prdc_k))
    return out


def _moment_keys(d: int) -> list[str]:
    base = ["mean", "std", "skewness", "kurtosis"]
    return base if d == 1 else [f"{b}{s}" for b in base for s in ("_x", "_y")]


_MODE_KEYS = ["modes_captured", "n_modes", "high_quality_fraction", "reverse_kl"]


def floor_stats(floor: Any, real: np.ndarray, s: Evaluation) -> tuple[dict, dict, int]:
    """(means, sds, pairs) of the noise floor: from a floor distribution (the mapping written
    by ``toygan.evaluation.reference.floor_distribution``) or, given an array B, from the one pair (B, A)
    with sd None."""
    if isinstance(floor, Mapping):
        stats_ = floor["metrics"]
        return ({k: v["mean"] for k, v in stats_.items()}, {k: v["sd"] for k, v in stats_.items()},
                int(floor["pairs"]))
    b = _as_2d(floor, "heldout_b")
    if b.shape[1] != real.shape[1]:
        raise ValueError(f"heldout_b has dimension {b.shape[1]}, heldout_a {real.shape[1]}")
    return distances(b, real, s), {}, 1


def _mode_reference(modes: Mapping[str, Any] | None) -> tuple[Mapping | None, bool, Mapping | None]:
    """(components, known, real_all) from plain components (the true ones) or modes.json."""
    if modes is None or "means" in modes:
        return modes, modes is not None, None
    if modes.get("components") is None:  # a distribution without modes (moons, circles, ...)
        return None, False, None
    return modes["components"], modes["source"] == "known", modes.get("real_all")


def _mass_ratio_min(gen: Sequence[float], ref: Sequence[float]) -> float | None:
    pairs = [(g, r) for g, r in zip(gen, ref) if r > 0]
    return min(g / r for g, r in pairs) if pairs else None


def _mode_results(gen: np.ndarray | None, real: np.ndarray, modes: Mapping, s: Evaluation) -> dict:
    """Mode metrics of the generated rows (no prefix), held-out A (``real_``) and, for
    fitted modes, all real rows (``real_all_``), with the per-mode masses the verdict uses."""
    comps, known, real_all = _mode_reference(modes)
    thr = s.mode_threshold
    out: dict[str, Any] = {}
    out.update(_width_results(gen, real, comps, known, real_all, thr))
    real_modes = mode_metrics(real, comps, threshold=thr)
    gm = mode_metrics(gen, comps, threshold=thr) if gen is not None else {
        **dict.fromkeys(_MODE_KEYS), "n_modes": real_modes["n_modes"]}
    out.update({k: _py(v) for k, v in gm.items()})
    out.update({f"real_{k}": _py(v) for k, v in real_modes.items()})
    real_mass = mode_mass(real, comps, threshold=thr)
    gen_mass = mode_mass(gen, comps, threshold=thr) if gen is not None else None
    out["mode_mass"], out["real_mode_mass"] = gen_mass, real_mass
    ref_mass, ref_rows = real_mass, real.shape[0]
    if real_all is not None:
        out.update({f"real_all_{k}": _py(real_all[k]) for k in _MODE_KEYS})
        out["real_all_mode_mass"] = list(real_all["mode_mass"])
        out["heldout_mode_mass_ratio_min"] = _py(_mass_ratio_min(gen_mass, real_mass)) if gen_mass else None
        ref_mass, ref_rows = real_all["mode_mass"], int(real_all["n_rows"])
    out["mode_reference"] = "all real rows" if real_all is not None else "held-out A"
    out["mode_mass_ratio_min"] = _py(_mass_ratio_min(gen_mass, ref_mass)) if gen_mass else None
    out["mode_rows_min"] = _py(min(ref_mass) * ref_rows)
    return out


def _width_results(gen, real, comps, known, real_all, thr) -> dict:
    """Each mode's width against the truth's: the generated rows', and held-out A's for scale."""
    d = real.shape[1]
    k = np.asarray(comps["means"]).reshape(-1, d).shape[0]
    reference = widths.reference_for("known" if known else "gmm", d, thr, k, real_all)
    real_medians, _ = mode_widths(real, comps, threshold=thr)
    out = {f"real_{key}": v for key, v in widths.summary(widths.ratios(real_medians, reference)).items()
           if key != "mode_width_ratio"}
    if gen is None:
        return {**out, **dict.fromkeys(["mode_width_ratio", "width_ratio_min", "width_ratio_max", "mode_width_rows"])}
    return {**out, **_widths_against(gen, comps, reference, thr)}


def _widths_against(x: np.ndarray, comps: Mapping[str, Any], reference: list, thr: float) -> dict:
    """``widths.summary`` of x's per-mode widths over ``reference``, with each mode's row count."""
    medians, rows = mode_widths(x, comps, threshold=thr)
    return {**widths.summary(widths.ratios(medians, reference)), "mode_width_rows": rows}


def known_mode_scores(samples: Any, comps: Mapping[str, Any], *, threshold: float) -> dict:
    """The mode metrics and widths a run reports (``mode_metrics``, ``width_ratio_min``, ...),
    of ``samples`` against known Gaussian components: how a sample of the truth itself scores."""
    x = _as_2d(samples)
    d = x.shape[1]
    k = np.asarray(comps["means"]).reshape(-1, d).shape[0]
    reference = widths.reference_for("known", d, threshold, k, None)
    return {**{key: _py(v) for key, v in mode_metrics(x, comps, threshold=threshold).items()},
            **_widths_against(x, comps, reference, threshold)}


def evaluate(
    generated: Any,
    heldout_a: Any,
    floor: Any,
    modes: Mapping[str, Any] | None,
    settings: Evaluation,
    truth_sample: np.ndarray | None = None,
) -> dict:
    """All final metrics of one run, JSON-safe (lists only for the per-mode masses and widths).

    ``settings`` is the ``evaluation`` config section. ``floor`` is the noise-floor
    distribution of the dataset (floor.json) or a second real sample B (a single pair).
    ``modes`` is None, the true components ({"means", "stds", "weights"}) or modes.json
    (``source`` "known", "gmm" or "none"). ``truth_sample`` is the large sample of the true
    distribution that ``w1_truth`` compares with when it has no closed form (the toy kinds).

    The first ``len(heldout_a)`` generated rows are scored against A: for each distance M
    (1-D: w1, ks_stat, js, kl; 2-D: w1, sliced_w1) the result holds M, ``M_floor`` (the
    floor mean), ``M_floor_sd``, ``M_ratio`` = M / M_floor (None if the floor is 0) and
    ``M_z`` = (M − M_floor) / M_floor_sd; precision, recall, density and coverage likewise.
    Mode metrics use the first ``n_samples`` rows; with a known truth ``w1_truth`` uses the
    first ``truth_samples`` rows. Generated rows with
    NaN/inf (or none) give ``status: "failed"`` and a ``reason``; their metrics are None while
    the real-data reference values (floors, ``real_*``) are still reported.
    """
    s = settings
    real = _as_2d(heldout_a, "heldout_a")
    d = real.shape[1]
    gen_all = np.asarray(generated, dtype=float)
    if gen_all.ndim == 1:
        gen_all = gen_all[:, None]
    if gen_all.ndim != 2 or gen_all.shape[1] != d:
        raise ValueError(f"generated has shape {np.shape(generated)}, expected (n, {d})")
    comps, known, _ = _mode_reference(modes)
    n_mode_rows = max(s.n_samples, real.shape[0])
    has_truth = known or truth_sample is not None
    used = gen_all[: max(n_mode_rows, s.truth_samples if has_truth else 0)]

    reason = None
    if used.shape[0] == 0:
        reason = "no generated samples"
    elif not np.all(np.isfinite(used)):
        bad = int(np.count_nonzero(~np.all(np.isfinite(used), axis=1)))
        reason = f"{bad} of {used.shape[0]} generated samples contain NaN or inf"
    gen = gen_all[: real.shape[0]]

    out: dict[str, Any] = {
        "status": "ok" if reason is None else "failed",
        "reason": reason,
        "dim": int(d),
        "n_generated": int(gen.shape[0]),
        "n_real": int(real.shape[0]),
    }
    f_mean, f_sd, pairs = floor_stats(floor, real, s)
    out["floor_pairs"] = pairs
    value = distances(gen, real, s) if reason is None else {}
    for name in distance_names(d):
        v, f, sd = value.get(name), f_mean.get(name), f_sd.get(name)
        out[name] = _py(v)
        out[f"{name}_floor"] = _py(f)
        out[f"{name}_floor_sd"] = _py(sd)
        out[f"{name}_ratio"] = _py(v / f) if (v is not None and f) else None
        out[f"{name}_z"] = _py((v - f) / sd) if (v is not None and f is not None and sd) else None
    if d == 1:
        out["ks_pvalue"] = _py(value.get("ks_pvalue"))

    gen_m = moments(gen) if reason is None else dict.fromkeys(_moment_keys(d))
    out.update({f"gen_{k}": v for k, v in gen_m.items()})
    out.update({f"real_{k}": v for k, v in moments(real).items()})

    if comps is not None:
        out.update(_mode_results(None if reason else gen_all[:n_mode_rows], real, modes, s))
        out["modes_source"] = "known" if known else "gmm"
    if has_truth:
        rows = gen_all[: s.truth_samples]
        if reason:
            out["w1_truth"] = None
        elif known:
            out["w1_truth"] = _py(truth.w1_truth(rows, comps, projections=s.truth_projections))
        else:
            out["w1_truth"] = _py(truth.w1_to_sample(rows, truth_sample[: len(rows)], projections=s.truth_projections))
        out["n_truth"] = int(rows.shape[0])
        noise = floor.get("w1_truth_noise") if isinstance(floor, Mapping) else None
        out["w1_truth_noise"] = _py(noise["mean"]) if noise else None
    return out
