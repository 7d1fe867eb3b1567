"""The grid the figures show D on (the decision figure, the training animation).

Made where figures are made, from the real rows alone: the sample job evaluates the final D on
it, the animation job each snapshot's D, so a change of grid redraws figures and never
retrains. NumPy only.
"""

from __future__ import annotations

import numpy as np

POINTS_1D = 200
POINTS_2D = 60  # per axis


def figure_grid(real: np.ndarray) -> dict[str, np.ndarray]:
    """{"grid_x"} (1-D) or {"grid_x", "grid_y"} (2-D): the data's range padded by a quarter."""
    real = np.asarray(real, dtype=np.float32)
    lo, hi = real.min(axis=0), real.max(axis=0)
    pad = 0.25 * np.maximum(hi - lo, 1e-3)
    if real.shape[1] == 1:
        return {"grid_x": np.linspace(lo[0] - pad[0], hi[0] + pad[0], POINTS_1D)}
    return {
        "grid_x": np.linspace(lo[0] - pad[0], hi[0] + pad[0], POINTS_2D),
        "grid_y": np.linspace(lo[1] - pad[1], hi[1] + pad[1], POINTS_2D),
    }


def grid_points(grid: dict) -> np.ndarray:
    """The grid's points as rows (n, d), x varying fastest in 2-D."""
    if "grid_y" not in grid:
        return grid["grid_x"][:, None]
    xx, yy = np.meshgrid(grid["grid_x"], grid["grid_y"])
    return np.column_stack([xx.ravel(), yy.ravel()])


def on_grid(values: np.ndarray, grid: dict) -> np.ndarray:
    """Values at ``grid_points(grid)`` shaped as the grid: (nx,) or (ny, nx)."""
    if "grid_y" not in grid:
        return values
    return values.reshape(len(grid["grid_y"]), len(grid["grid_x"]))
