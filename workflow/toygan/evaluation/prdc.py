"""Precision, recall, density and coverage: sample-based quality and diversity for any data.

Improved precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et
al. 2020), with the k-nearest-neighbour balls of the ``prdc`` package (closed here, open there:
they differ only for a row exactly on a ball's edge): real row i has the ball
B(r_i, NND_k(r_i)), the distance to its k-th nearest other real row, and likewise each
generated row among the generated rows. With M generated and N real rows:

* precision: the fraction of generated rows inside at least one real ball (quality);
* recall: the fraction of real rows inside at least one generated ball (diversity);
* density: (1 / kM) times the number of (real ball, generated row) pairs with the row inside
  the ball; about 1 for a sample of the real distribution, above 1 where samples crowd;
* coverage: the fraction of real balls that hold at least one generated row.

``prdc`` computes every pairwise distance (N x M floats: 800 MB at 10,000 rows a side); the
data here has 1 or 2 columns, so k-d trees (scipy.spatial.cKDTree) answer the same questions
exactly in milliseconds and little memory.
"""

from __future__ import annotations

import numpy as np

NAMES = ("precision", "recall", "density", "coverage")
_CHUNK = 512  # balls queried at once while marking the rows they hold


def knn_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Distance of every row of ``x`` to its k-th nearest other row."""
    from scipy.spatial import cKDTree  # here, not at the top: train jobs import this module's package

    if len(x) <= k:
        raise ValueError(f"{len(x)} rows: k-nearest-neighbour balls need more than k = {k} rows")
    dist, _ = cKDTree(x).query(x, k=k + 1)
    return dist[:, -1]


def _inside_any(centres: np.ndarray, radii: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For every point, whether some ball (centre, radius) holds it (distance <= radius).

    Balls are taken a chunk at a time against a tree of the points not yet found inside one:
    a point is reported once, so work and memory stay bounded even when every ball holds
    every point (a generator collapsed onto one spot)."""
    from scipy.spatial import cKDTree

    inside = np.zeros(len(points), dtype=bool)
    order = np.argsort(-radii, kind="stable")  # large balls first: they settle most points
    for start in range(0, len(order), _CHUNK):
        todo = np.flatnonzero(~inside)
        if not len(todo):
            break
        idx = order[start : start + _CHUNK]
        hits = cKDTree(points[todo]).query_ball_point(centres[idx], r=radii[idx])
        found = {j for h in hits for j in h}
        if found:
            inside[todo[list(found)]] = True
    return inside


def prdc(real: np.ndarray, generated: np.ndarray, k: int) -> dict[str, float]:
    """The four metrics of ``generated`` (M, d) against ``real`` (N, d)."""
    from scipy.spatial import cKDTree

    real = np.asarray(real, dtype=float)
    generated = np.asarray(generated, dtype=float)
    real_r = knn_radii(real, k)
    gen_r = knn_radii(generated, k)
    # Rows a real ball holds, counted per ball: the density's pairs and the coverage.
    per_ball = cKDTree(generated).query_ball_point(real, r=real_r, return_length=True)
    return {
        "precision": float(np.mean(_inside_any(real, real_r, generated))),
        "recall": float(np.mean(_inside_any(generated, gen_r, real))),
        "density": float(np.sum(per_ball) / (k * len(generated))),
        "coverage": float(np.mean(per_ball > 0)),
    }
