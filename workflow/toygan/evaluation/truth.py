"""W1 between a generated sample and a *known* Gaussian mixture (numpy, scipy; no TensorFlow).

1-D: W1(G, P) = ∫ |F_G(x) − F_P(x)| dx with F_G the empirical CDF of the generated rows and
F_P the exact mixture CDF, integrated in closed form between consecutive sorted rows. The
only sampling noise is the generator's own (about 0.002 for N(0, 1) and 100,000 rows).
2-D: sliced W1, the mean of that exact 1-D value over ``projections`` evenly spaced
directions on the half circle: projecting a Gaussian mixture with per-axis stds gives a
1-D Gaussian mixture, so the true side is exact here too. Documented in docs/metrics.md.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from scipy.special import ndtr

__all__ = ["w1_to_mixture_1d", "w1_truth", "directions_2d"]

_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / _SQRT_2PI


def _z(x: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    return (x[:, None] - mu[None, :]) / sd[None, :]


# Beyond this many stds Φ is 0 or 1 to double precision: those rows take a closed form.
_TAIL_Z = 10.0


def _cdf_and_lower(x: np.ndarray, mu, sd, w) -> tuple[np.ndarray, np.ndarray]:
    """F_P(x) and ∫_{-∞}^x F_P(t) dt at sorted ``x``; for one Gaussian the integral is
    sd · (z Φ(z) + φ(z)). Only rows within ±10 sd of a component are evaluated exactly
    (below: 0 and 0; above: 1 and x − μ), which keeps many narrow modes cheap."""
    F = np.zeros_like(x)
    G = np.zeros_like(x)
    for m, s, wk in zip(mu, sd, w):
        lo, hi = np.searchsorted(x, [m - _TAIL_Z * s, m + _TAIL_Z * s])
        z = (x[lo:hi] - m) / s
        phi = ndtr(z)
        F[lo:hi] += wk * phi
        G[lo:hi] += wk * s * (z * phi + _pdf(z))
        F[hi:] += wk
        G[hi:] += wk * (x[hi:] - m)
    return F, G


def _upper_integral(x, mu, sd, w):
    """∫_x^∞ (1 − F_P(t)) dt: for one Gaussian, sd · (φ(z) − z (1 − Φ(z)))."""
    z = _z(x, mu, sd)
    return (_pdf(z) - z * ndtr(-z)) @ (w * sd)


def w1_to_mixture_1d(x: Any, means: Any, stds: Any, weights: Any) -> float:
    """Exact ∫ |F_x − F_P| dx between the empirical CDF of ``x`` and a 1-D Gaussian mixture.

    Between consecutive sorted rows F_x is the constant i/n and ∫F_P has a closed form; where
    F_P crosses i/n inside a segment the crossing is placed by linear interpolation of F_P
    (segments are ~1/n wide, so the error is far below the sampling noise).
    """
    x = np.sort(np.asarray(x, dtype=float).ravel())
    mu, sd, w = (np.asarray(v, dtype=float).ravel() for v in (means, stds, weights))
    w = w / w.sum()
    n = x.size
    if n == 0:
        raise ValueError("w1_to_mixture_1d needs at least one row")
    F, G = _cdf_and_lower(x, mu, sd, w)
    total = G[0] + _upper_integral(x[-1:], mu, sd, w)[0]  # the two tails
    c = np.arange(1, n) / n
    x0, x1, F0, F1, G0, G1 = x[:-1], x[1:], F[:-1], F[1:], G[:-1], G[1:]
    seg = np.abs(c * (x1 - x0) - (G1 - G0))
    cross = (F0 < c) & (F1 > c)
    if cross.any():
        cc, a, b = c[cross], x0[cross], x1[cross]
        xs = a + (cc - F0[cross]) / (F1[cross] - F0[cross]) * (b - a)
        Gs = _cdf_and_lower(xs, mu, sd, w)[1]  # xs is sorted: one crossing per segment
        seg[cross] = np.abs(cc * (xs - a) - (Gs - G0[cross])) + np.abs((G1[cross] - Gs) - cc * (b - xs))
    return float(total + seg.sum())


def directions_2d(projections: int) -> np.ndarray:
    """(2, p) unit vectors at angles π(i + ½)/p: an even quadrature of the half circle
    (θ and −θ give the same 1-D W1)."""
    angles = np.pi * (np.arange(projections) + 0.5) / projections
    return np.stack([np.cos(angles), np.sin(angles)])


def w1_to_sample(generated: Any, reference: Any, *, projections: int) -> float:
    """W1 (1-D) or sliced W1 (2-D, the same directions as ``w1_truth``) between ``generated``
    and a large sample of a distribution known only through its generator (two samples of
    equal size: the mean gap between their sorted projections). Its own noise is what an
    exact sample scores (toygan.evaluation.reference.truth_noise)."""
    x, y = (np.asarray(v, dtype=float) for v in (generated, reference))
    x, y = (v[:, None] if v.ndim == 1 else v for v in (x, y))
    if len(x) != len(y):
        raise ValueError(f"w1_to_sample compares equal sizes: {len(x)} generated rows, {len(y)} reference rows")
    theta = np.ones((1, 1)) if x.shape[1] == 1 else directions_2d(projections)
    gaps = np.abs(np.sort(x @ theta, axis=0) - np.sort(y @ theta, axis=0))
    return float(gaps.mean())


def w1_truth(generated: Any, comps: Mapping[str, Any], *, projections: int) -> float:
    """W1 (1-D) or sliced W1 (2-D) between ``generated`` (n, d) and the mixture ``comps``
    ({"means": (k, d), "stds": (k, d) or (k,), "weights": (k,)})."""
    x = np.asarray(generated, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    d = x.shape[1]
    means = np.asarray(comps["means"], dtype=float).reshape(-1, d)
    stds = np.broadcast_to(np.asarray(comps["stds"], dtype=float).reshape(len(means), -1), means.shape)
    weights = np.asarray(comps["weights"], dtype=float)
    if d == 1:
        return w1_to_mixture_1d(x[:, 0], means[:, 0], stds[:, 0], weights)
    theta = directions_2d(projections)
    values = [
        w1_to_mixture_1d(x @ t, means @ t, np.sqrt((stds**2) @ (t**2)), weights) for t in theta.T
    ]
    return float(np.mean(values))
