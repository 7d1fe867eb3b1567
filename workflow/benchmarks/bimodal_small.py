"""A small 1-D file with two well-separated clusters, the case where held-out rows alone
cannot see mode collapse. 150 rows: 50 in a tight cluster N(-3, 0.3), 100 in a
broad one N(4, 1.5), shuffled. Regenerate with

    python workflow/benchmarks/bimodal_small.py data/bimodal_small.csv

and run it (3 seeds, default experiment) with workflow/benchmarks/bimodal_small.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

TIGHT = (-3.0, 0.3, 50)  # mean, std, rows
BROAD = (4.0, 1.5, 100)


def rows(seed: int = 0) -> np.ndarray:
    """(150, 1) float64: the tight block and the broad block, shuffled."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(m, s, n) for m, s, n in (TIGHT, BROAD)])
    return rng.permutation(x)[:, None]


def write(path: str | Path, seed: int = 0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(path, rows(seed), fmt="%.6f", header="x", comments="", delimiter=",")
    return path


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else "data/bimodal_small.csv"))
