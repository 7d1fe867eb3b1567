"""The one 1-D kernel density estimate of the figures, and its curve as ``seaborn.kdeplot(x=...)``
draws it, with NumPy and matplotlib only.

Importing seaborn imports scipy.stats (about half of a figure job's start-up); the 1-D figures
only need its univariate KDE line, which is reproduced here step for step: scipy's
``gaussian_kde`` with Scott's factor times ``bw_adjust``, evaluated on seaborn's support grid
(``cut`` bandwidths past the data, clipped, ``gridsize`` points), drawn as one line whose
sticky y edges keep autoscaling from padding below zero. tests/test_plots.py checks the
curve, its style and its sticky edges against seaborn's.

The 2-D figures draw the real data as its density: scipy's ``gaussian_kde`` (full covariance,
Scott's factor) on a grid, and the thresholds of its highest-density regions (``mass_levels``);
tests/test_plots.py checks the density against scipy's.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import to_rgba

GRIDSIZE = 200  # seaborn.kdeplot's defaults
CUT = 3


def kde_bandwidth(x: np.ndarray, bw_adjust: float) -> float:
    """The kernel's standard deviation: scipy's weighted sample covariance (weights 1/n) times
    Scott's factor n_eff ** (-1/5), times ``bw_adjust``, as seaborn sets it."""
    weights = np.ones(len(x)) / len(x)
    neff = 1 / np.vecdot(weights, weights)
    factor = np.power(neff, -1.0 / 5) * bw_adjust
    variance = np.cov(x[None, :], rowvar=1, bias=False, aweights=weights)
    return float(np.sqrt(variance) * factor)


def density(x: np.ndarray, grid: np.ndarray, bw: float) -> np.ndarray:
    """The Gaussian KDE of ``x`` with kernel standard deviation ``bw`` at ``grid``."""
    # scipy's gaussian_kernel_estimate: scale by the bandwidth, sum the weighted kernels over
    # the data points in order (a reduction over axis 0 adds row after row), then normalise.
    z = x[:, None] / bw - grid[None, :] / bw
    kernels = np.exp(-(z * z) / 2) * (1.0 / len(x))
    return kernels.sum(axis=0) * (math.pow(2 * math.pi, -0.5) / bw)


def kde_curve(x: np.ndarray, *, bw_adjust: float, clip: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(support, density) of ``x`` as seaborn computes them for ``kdeplot(x=x, clip=clip)``."""
    x = np.asarray(x, dtype=float)
    bw = kde_bandwidth(x, bw_adjust)
    support = np.linspace(max(x.min() - bw * CUT, clip[0]), min(x.max() + bw * CUT, clip[1]), GRIDSIZE)
    return support, density(x, support, bw)


def density_on(x: np.ndarray, grid: np.ndarray, *, bw_adjust: float, bw_floor: float) -> np.ndarray:
    """The same estimate on a fixed grid (the animation's frames share one), its bandwidth at
    least ``bw_floor`` so that a generator collapsed to a point still draws a finite curve."""
    x = np.asarray(x, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if not len(x):
        return np.zeros_like(grid, dtype=float)
    bw = kde_bandwidth(x, bw_adjust) if len(x) > 1 else 0.0
    return density(x, grid, max(bw if np.isfinite(bw) else 0.0, bw_floor, 1e-12))


def kde_line(ax, x: np.ndarray, *, color, bw_adjust: float, clip: tuple[float, float], alpha=None, **line_kws):
    """Draw ``x``'s density on ``ax`` like ``seaborn.kdeplot(x=x, color=..., clip=...)`` (one
    line; seaborn sets the y label only when it is empty, every caller sets its own)."""
    support, density = kde_curve(x, bw_adjust=bw_adjust, clip=clip)
    (line,) = ax.plot(support, density, color=to_rgba(color, alpha), **line_kws)
    line.sticky_edges.x[:] = []
    line.sticky_edges.y[:] = (0, np.inf)
    return line


# ----------------------------------------------------------------------------- 2-D


def _kernel_2d(points: np.ndarray, bw_adjust: float):
    """(finite points whitened by the kernel's covariance, the whitening, the kernel's
    normalising constant) of the 2-D KDE; None where the points are too few or on a line."""
    pts = np.asarray(points, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) < 3:
        return None
    cov = np.cov(pts.T) * (len(pts) ** (-1.0 / 6) * bw_adjust) ** 2
    try:
        whiten = np.linalg.cholesky(np.linalg.inv(cov))  # |L^T d|^2 = d^T cov^-1 d
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(whiten)) or np.linalg.det(cov) <= 0:
        return None
    return pts @ whiten, whiten, 2 * math.pi * math.sqrt(np.linalg.det(cov))


def _kernel_sums(z: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Sum over the whitened points ``z`` of exp(-|a - z|^2 / 2) for each whitened row of ``at``."""
    zz = np.sum(z * z, axis=1)
    out = np.empty(len(at))
    for start in range(0, len(at), 1024):  # bounded memory: 1024 rows at a time
        g = at[start:start + 1024]
        d2 = np.sum(g * g, axis=1)[:, None] + zz[None, :] - 2 * g @ z.T
        out[start:start + 1024] = np.exp(-0.5 * np.maximum(d2, 0)).sum(axis=1)
    return out


def density_2d(points: np.ndarray, grid_x: np.ndarray, grid_y: np.ndarray, *, bw_adjust: float) -> np.ndarray | None:
    """Gaussian KDE of 2-D ``points`` (Scott's factor times ``bw_adjust``, full covariance, as
    scipy's ``gaussian_kde``) on the grid, shape (len(grid_y), len(grid_x)); None where the
    points are too few or lie on a line (no density to draw)."""
    kernel = _kernel_2d(points, bw_adjust)
    if kernel is None:
        return None
    z, whiten, norm = kernel
    xx, yy = np.meshgrid(np.asarray(grid_x, float), np.asarray(grid_y, float))
    out = _kernel_sums(z, np.column_stack([xx.ravel(), yy.ravel()]) @ whiten) / (len(z) * norm)
    return out.reshape(xx.shape)


def loo_log_likelihood(points: np.ndarray, bw_adjust: float, n_eval: int = 1000) -> float:
    """Mean leave-one-out log density of the first ``n_eval`` points under the 2-D KDE of all
    the others (density_2d's kernel): how well that bandwidth predicts points it has not seen."""
    kernel = _kernel_2d(points, bw_adjust)
    if kernel is None:
        return -math.inf
    z, _, norm = kernel
    others = (_kernel_sums(z, z[:n_eval]) - 1.0) / (len(z) - 1)  # each point's own kernel is 1
    return float(np.mean(np.log(np.maximum(others, 1e-300)) - math.log(norm)))


BW_STEPS = (1.0, 0.5, 0.25)


def best_bw_adjust(points: np.ndarray, bw_adjust: float, steps=BW_STEPS) -> float:
    """``bw_adjust`` times the step of ``steps`` with the highest leave-one-out likelihood.
    Scott's factor suits a single blob; data on thin curves (circles, spirals) need less
    smoothing, or their density regions fill the gaps between the curves."""
    return bw_adjust * max(steps, key=lambda s: loo_log_likelihood(points, bw_adjust * s))


def mass_levels(dens: np.ndarray, masses) -> np.ndarray:
    """Density thresholds whose regions above hold ``masses`` (e.g. 0.5, 0.95) of the grid's
    total, in increasing order of density (highest-density regions)."""
    d = np.sort(np.asarray(dens, dtype=float).ravel())[::-1]
    cum = np.cumsum(d)
    if not len(d) or cum[-1] <= 0:
        return np.array([])
    cum /= cum[-1]
    levels = [d[min(np.searchsorted(cum, m), len(d) - 1)] for m in sorted(masses, reverse=True)]
    return np.unique(np.asarray(levels, dtype=float))
