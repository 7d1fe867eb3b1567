"""Real data of the experiments: synthetic toy distributions and user data files (numpy only).

Synthetic kinds: the Gaussian ones (``normal``, ``mixture``, ``ring``, ``grid``: known
components, so mode metrics apply) and the standard 2-D toy suite of the generative-model
literature (``moons``, ``circles``, ``swissroll``, ``pinwheel``, ``spirals``, ``checkerboard``:
no Gaussian modes, but fresh samples of the true distribution can always be drawn).

Every function takes a dataset spec as validated and default-filled by ``toygan.config.validate``
(the ``dataset`` definition of ``workflow/schemas/config.schema.yaml``). All draws are
deterministic: the same spec gives byte-identical arrays, so a rerun of a rule never
changes the data a finished run was trained on.

Arrays are always float64 of shape ``(rows, dim)`` with ``dim`` 1 or 2, even for 1-D data,
so callers never branch on ``ndim``.
"""

from __future__ import annotations

import functools
import csv
import itertools
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import streams

GAUSSIAN_KINDS = ("normal", "mixture", "ring", "grid")
# The 2-D toy suite of FFJORD (Grathwohl et al. 2019, rtqichen/ffjord lib/toy_data.py:
# "moons", "circles", "swissroll", "pinwheel", "2spirals", "checkerboard"), with its constants.
TOY_KINDS = ("moons", "circles", "swissroll", "pinwheel", "spirals", "checkerboard")
SYNTHETIC_KINDS = GAUSSIAN_KINDS + TOY_KINDS
FILE_KINDS = ("file",)


class DataFileError(ValueError):
    """A user data file is unusable; the message names the file and, where it applies,
    the row (1-based line for CSV, 0-based row index for NPY) and the column."""


# ---------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------


def dim(spec: dict, *, unreadable: int | None = None) -> int:
    """Dimension of the data of ``spec``. A file's is the number of its chosen columns, or else
    read from the file. With ``unreadable``, a file that cannot be read gives that number
    instead of an error (the data rule then stops with the message naming the file and row)."""
    kind = _kind(spec)
    if kind in ("normal", "mixture"):
        return 1
    if kind in ("ring", "grid") or kind in TOY_KINDS:
        return 2
    if spec.get("columns"):
        return len(spec["columns"])
    try:
        path = Path(spec["path"])
        return _file_dim(path, path.stat().st_mtime_ns)
    except (DataFileError, OSError, KeyError, TypeError, ValueError):
        if unreadable is None:
            raise
        return unreadable


@functools.lru_cache(maxsize=64)
def _file_dim(path: Path, mtime_ns: int) -> int:
    """Read once per version of the file: the rules ask for every train job."""
    return int(load_file(path, None).shape[1])


def training_data(spec: dict) -> np.ndarray:
    """The real training rows, (n, d) float64, byte-identical for the same spec.

    normal: n draws of N(mean, std). mixture: stratified counts (largest remainder on the
    normalised weights), drawn component by component and stacked in component order
    without shuffling, as in the reference (N(0,1) block on top of N(5,2) block).
    ring/grid: i.i.d. uniform component labels, then the points, so rows are mixed.
    toy kinds: n i.i.d. draws (see ``fresh_sample``), from the plain data seed.
    file: the rows not held out, in their original file order.
    """
    kind = _kind(spec)
    if kind == "file":
        data = load_file(spec["path"], spec["columns"])
        train_idx, _ = _file_split(len(data), spec["holdout_fraction"], spec["seed"])
        return data[train_idx]
    rng = np.random.default_rng(spec["seed"])
    if kind == "normal":
        return rng.normal(spec["mean"], spec["std"], size=(spec["n"], 1))
    if kind == "mixture":
        return _stacked_mixture(spec, rng)
    return _draw(spec, spec["n"], rng)


def heldout_pair(spec: dict, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two independent real samples (a, b) of equal size for evaluation and the noise floor.

    Synthetic kinds: ``n`` i.i.d. rows each (mixture labels drawn with the normalised
    weights), from rngs seeded with SeedSequence([data seed, seed, 1]) and [..., 2], so
    they never reproduce the training draw (which uses the plain data seed).
    file: ``n`` is ignored; the held-out rows (the same permutation as ``training_data``)
    are split into two halves of equal size, one row dropped if their number is odd.
    """
    kind = _kind(spec)
    if kind == "file":
        return _file_heldout(spec)
    return fresh_sample(spec, n, seed, streams.HELDOUT_A), fresh_sample(spec, n, seed, streams.HELDOUT_B)


def floor_pairs(spec: dict, n: int, seed: int, k: int, heldout: np.ndarray | None = None):
    """``k`` independent real pairs (a, b) of the scored size, for the noise-floor distribution.

    Synthetic kinds: fresh i.i.d. draws of ``n`` rows per side, pair i from
    SeedSequence([data seed, seed, 3, i]) (never the training or held-out streams).
    file: ``heldout`` (all held-out rows) is resampled with replacement, ``len(heldout) // 2``
    rows per side (the size of the scored held-out half), pair i from the same seed sequence.
    """
    kind = _kind(spec)
    is_file = kind == "file"
    if is_file and (heldout is None or len(heldout) < 2):
        raise DataFileError(f"{spec.get('path')}: the noise floor needs at least 2 held-out rows")
    for i in range(k):
        rng = _stream_rng(spec, seed, streams.FLOOR_PAIRS, i)
        if is_file:
            m = len(heldout) // 2
            yield heldout[rng.integers(0, len(heldout), m)], heldout[rng.integers(0, len(heldout), m)]
        else:
            yield _draw(spec, n, rng), _draw(spec, n, rng)


def has_generator(spec: dict) -> bool:
    """True if fresh i.i.d. samples of the true distribution can be drawn (``fresh_sample``):
    every synthetic kind; False for ``file`` data, which has only its rows."""
    return _kind(spec) != "file"


def fresh_sample(spec: dict, n: int, seed: int, stream: int) -> np.ndarray:
    """``n`` i.i.d. rows (n, d) of the true distribution of a synthetic ``spec``, from
    ``np.random.default_rng(SeedSequence([data seed, seed, stream]))``; ``stream`` is one of
    the data ids of ``toygan.streams`` (HELDOUT_A/B, TRUTH_SAMPLE, TRUTH_NOISE), so draws for
    different purposes never coincide, nor with the training rows (plain data seed).

    Gaussian kinds draw labels with the normalised weights, then the points (mixture too:
    unlike ``training_data``, not stratified). ``file`` data has no generator: ValueError.
    """
    if not has_generator(spec):
        raise ValueError(f"dataset kind {spec['kind']!r} has no generator: it cannot draw fresh samples")
    return _draw(spec, int(n), _stream_rng(spec, seed, stream))


def components(spec: dict) -> dict[str, np.ndarray] | None:
    """Gaussian components {"means": (k,d), "stds": (k,d), "weights": (k,) summing to 1}.

    The metrics (mode counts, high-quality fraction) need the true modes; a file and the
    toy kinds (moons, circles, ...) have none, so they give None. None does not mean file
    data: ask ``has_generator`` or the kind.
    """
    kind = _kind(spec)
    if kind == "file" or kind in TOY_KINDS:
        return None
    if kind == "normal":
        means, stds, weights = [[spec["mean"]]], [[spec["std"]]], [1.0]
    elif kind == "mixture":
        means = [[c["mean"]] for c in spec["components"]]
        stds = [[c["std"]] for c in spec["components"]]
        weights = [c["weight"] for c in spec["components"]]
    elif kind == "ring":
        means = _ring_means(spec["modes"], spec["radius"])
        stds, weights = [[spec["std"]] * 2] * len(means), [1.0] * len(means)
    else:
        means = _grid_means(spec["modes_per_side"], spec["spacing"])
        stds, weights = [[spec["std"]] * 2] * len(means), [1.0] * len(means)
    w = np.asarray(weights, dtype=np.float64)
    return {
        "means": np.asarray(means, dtype=np.float64),
        "stds": np.asarray(stds, dtype=np.float64),
        "weights": w / w.sum(),
    }


def describe(spec: dict, data: np.ndarray) -> dict[str, Any]:
    """JSON-serialisable summary written beside the data file, so a reader of the results
    sees what was trained on without rerunning anything."""
    comp = components(spec)
    data = np.asarray(data, dtype=np.float64)
    return {
        "spec": _jsonable(spec),
        "dim": int(data.shape[1]),
        "n_rows": int(data.shape[0]),
        "min": [float(v) for v in data.min(axis=0)] if len(data) else None,
        "max": [float(v) for v in data.max(axis=0)] if len(data) else None,
        "columns": column_names(spec),
        "components": None if comp is None else {k: v.tolist() for k, v in comp.items()},
    }


def column_names(spec: dict) -> list[str]:
    """Names of the data's columns: for a ``file`` CSV with a header, the header names of the
    chosen columns (all of them without ``columns``); otherwise "x" (1-D) or "x", "y" (2-D).
    A blank header cell gets its positional name too."""
    positional = ["x", "y"]
    if _kind(spec) == "file":
        path = Path(spec["path"])
        header = _csv_header(path) if path.suffix.lower() != ".npy" else None
        if header is not None:
            picked = _pick_columns(path, spec.get("columns"), header, has_header=True, npy=False)
            return [header[i] or positional[pos] for pos, i in enumerate(picked)]
    return positional[: dim(spec)]


def min_training_rows(training: dict) -> int:
    """Rows of one training batch of an experiment's ``training`` section: ``batch_size``
    (at least ``pack``), or ``batches`` blocks of at least ``pack`` rows each."""
    pack = int(training.get("pack", 1))
    if training.get("batch_size"):
        return max(int(training["batch_size"]), pack)
    return int(training["batches"]) * pack


def check_batch_fits(data: np.ndarray, name: str, spec: dict, experiments: dict) -> None:
    """Refuse data smaller than one training batch of any experiment that uses dataset ``name``."""
    needs = {e: min_training_rows(x["training"]) for e, x in experiments.items() if x["dataset"] == name}
    if needs:
        exp = max(needs, key=needs.get)
        source = spec["path"] if spec["kind"] == "file" else f"datasets.{name}"
        check_min_rows(data, needs[exp], f"{source} (dataset {name}; experiments.{exp}.training)")


def check_min_rows(data: np.ndarray, min_rows: int, source: str) -> None:
    """Refuse training data smaller than one batch: the trainer would silently train on
    nothing or on a degenerate batch. The caller decides what one batch is."""
    rows = int(len(data))
    if rows < min_rows:
        raise DataFileError(
            f"{source}: training data has {rows} rows, fewer than one training batch ({min_rows}); "
            "add rows, lower holdout_fraction, or lower training.batch_size"
        )


def load_file(path: str | Path, columns: Sequence[str | int] | None = None) -> np.ndarray:
    """Load a CSV or NPY file as (rows, d) float64, d in {1, 2}, validating every cell.

    ``.npy`` files are read with numpy (no pickles); anything else is parsed as
    comma-separated text. A CSV whose first row has no numeric cell is a header.
    ``columns`` selects by header name or 0-based index (NPY: index only).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: data file not found (paths are relative to the working directory)")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path}: data file is empty")
    if path.suffix.lower() == ".npy":
        return _load_npy(path, columns)
    return _load_csv(path, columns)


# ---------------------------------------------------------------------------------------
# synthetic data
# ---------------------------------------------------------------------------------------


def _kind(spec: dict) -> str:
    kind = spec.get("kind")
    if kind not in SYNTHETIC_KINDS + FILE_KINDS:
        raise ValueError(f"unknown dataset kind {kind!r}; known: {', '.join(SYNTHETIC_KINDS + FILE_KINDS)}")
    return kind


def _stream_rng(spec: dict, seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([spec["seed"], seed, *stream]))


def _draw(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` i.i.d. rows of a synthetic kind from ``rng`` (Gaussian kinds via their components)."""
    kind = spec["kind"]
    if kind in TOY_KINDS:
        return _TOY_DRAWS[kind](spec, n, rng)
    return _sample_components(components(spec), n, rng)


# The toy suite. Our own NumPy re-implementations of FFJORD's generators (rtqichen/ffjord,
# lib/toy_data.py, inf_train_gen), which call scikit-learn's make_moons / make_circles /
# make_swiss_roll for three of them; same formulas, constants and scaling, but every draw
# comes from our Generator. Where scikit-learn places the points of a moon or circle evenly
# along the arc (np.linspace) and splits the rows n//2 : n - n//2, we draw the arc parameter
# and the label i.i.d. uniform: the same distribution in the limit, and i.i.d. rows, which
# the held-out and noise-floor samples need. Likewise pinwheel's arms and the two spirals get
# i.i.d. uniform labels instead of equal blocks. The noise of moons, circles and swissroll is
# added before the scaling, as there (so the effective std is noise * 2, * 3 and / 5).


def _moons(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """make_moons(noise) * 2 + (-1, -0.2): upper arc (cos t, sin t), lower arc
    (1 - cos t, 0.5 - sin t), t uniform on [0, pi]."""
    lower = rng.integers(0, 2, size=n).astype(bool)
    t = rng.uniform(0.0, np.pi, size=n)
    x = np.where(lower, 1.0 - np.cos(t), np.cos(t))
    y = np.where(lower, 0.5 - np.sin(t), np.sin(t))
    points = np.stack([x, y], axis=1) + spec["noise"] * rng.standard_normal(size=(n, 2))
    return points * 2.0 + np.array([-1.0, -0.2])


def _circles(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """make_circles(factor, noise) * 3: the unit circle and one of radius ``factor``."""
    inner = rng.integers(0, 2, size=n).astype(bool)
    t = rng.uniform(0.0, 2.0 * np.pi, size=n)
    r = np.where(inner, spec["factor"], 1.0)
    points = np.stack([r * np.cos(t), r * np.sin(t)], axis=1) + spec["noise"] * rng.standard_normal(size=(n, 2))
    return points * 3.0


def _swissroll(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """make_swiss_roll(noise) columns [0, 2] / 5: (t cos t, t sin t), t = 1.5 pi (1 + 2u).
    The roll's height (column 1) is dropped, so it is not drawn."""
    t = 1.5 * np.pi * (1.0 + 2.0 * rng.uniform(size=n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) + spec["noise"] * rng.standard_normal(size=(n, 2))
    return points / 5.0


def _pinwheel(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """FFJORD's pinwheel: arm k at angle 2 pi k / arms; a point (1 + radial_std e1,
    tangential_std e2) turned clockwise by that angle plus rate * exp(radius), then * 2."""
    arms = int(spec["arms"])
    labels = rng.integers(0, arms, size=n)
    f = rng.standard_normal(size=(n, 2)) * np.array([spec["radial_std"], spec["tangential_std"]])
    f[:, 0] += 1.0
    angle = 2.0 * np.pi * labels / arms + spec["rate"] * np.exp(f[:, 0])
    cos, sin = np.cos(angle), np.sin(angle)
    return 2.0 * np.stack([f[:, 0] * cos + f[:, 1] * sin, f[:, 1] * cos - f[:, 0] * sin], axis=1)


def _spirals(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """FFJORD's 2spirals: s = sqrt(u) * turns * 2 pi (540 degrees for 1.5 turns), the arm
    (-s cos s, s sin s) plus uniform [0, 0.5) jitter per axis; the second arm is the first
    mirrored through the origin; then / 3 and N(0, noise) per axis."""
    second = rng.integers(0, 2, size=n).astype(bool)
    s = np.sqrt(rng.uniform(size=n)) * spec["turns"] * 2.0 * np.pi
    jitter = rng.uniform(size=(n, 2)) * 0.5
    arm = np.stack([-np.cos(s) * s, np.sin(s) * s], axis=1) + jitter
    arm[second] *= -1.0
    return arm / 3.0 + spec["noise"] * rng.standard_normal(size=(n, 2))


def _checkerboard(spec: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """FFJORD's checkerboard: uniform on 8 of the 16 squares of side 2 tiling [-4, 4]^2,
    those whose column and row indices have the same parity (a chessboard's dark squares)."""
    x1 = rng.uniform(size=n) * 4.0 - 2.0
    x2 = rng.uniform(size=n) - 2.0 * rng.integers(0, 2, size=n) + np.floor(x1) % 2
    return np.stack([x1, x2], axis=1) * 2.0


_TOY_DRAWS = {
    "moons": _moons,
    "circles": _circles,
    "swissroll": _swissroll,
    "pinwheel": _pinwheel,
    "spirals": _spirals,
    "checkerboard": _checkerboard,
}


def _ring_means(modes: int, radius: float) -> list[list[float]]:
    """Means at (r cos 2πi/k, r sin 2πi/k), the ring of the mode-collapse literature."""
    angles = 2.0 * np.pi * np.arange(modes) / modes
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1).tolist()


def _grid_means(per_side: int, spacing: float) -> list[list[float]]:
    """Means at ((i-(k-1)/2)*spacing, (j-(k-1)/2)*spacing): {-4,...,4}^2 for 5 and 2."""
    axis = [(i - (per_side - 1) / 2.0) * spacing for i in range(per_side)]
    return [[x, y] for x, y in itertools.product(axis, axis)]


def stratified_counts(weights: Sequence[float], n: int) -> list[int]:
    """Counts proportional to ``weights`` summing to ``n`` (largest remainder, ties to the
    lower index), so equal weights split n exactly as the reference did."""
    w = np.asarray(weights, dtype=np.float64)
    quotas = n * w / w.sum()
    counts = np.floor(quotas).astype(np.int64)
    order = np.argsort(-(quotas - counts), kind="stable")
    counts[order[: n - int(counts.sum())]] += 1
    return [int(c) for c in counts]


def _stacked_mixture(spec: dict, rng: np.random.Generator) -> np.ndarray:
    comps = spec["components"]
    counts = stratified_counts([c["weight"] for c in comps], spec["n"])
    blocks = [rng.normal(c["mean"], c["std"], size=count) for c, count in zip(comps, counts)]
    return np.concatenate(blocks).reshape(-1, 1)


def _sample_components(comp: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """i.i.d. draws of the Gaussian mixture ``comp``: labels first, then the points."""
    k = len(comp["weights"])
    if np.allclose(comp["weights"], 1.0 / k):
        labels = rng.integers(0, k, size=n)
    else:
        labels = rng.choice(k, size=n, p=comp["weights"])
    noise = rng.standard_normal(size=(n, comp["means"].shape[1]))
    return comp["means"][labels] + comp["stds"][labels] * noise


# ---------------------------------------------------------------------------------------
# file data: split
# ---------------------------------------------------------------------------------------


def _file_split(rows: int, holdout_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training indices in file order, held-out indices in permutation order)."""
    perm = np.random.default_rng(seed).permutation(rows)
    n_hold = int(round(holdout_fraction * rows))
    return np.sort(perm[n_hold:]), perm[:n_hold]


def _file_heldout(spec: dict) -> tuple[np.ndarray, np.ndarray]:
    data = load_file(spec["path"], spec["columns"])
    _, hold_idx = _file_split(len(data), spec["holdout_fraction"], spec["seed"])
    half = len(hold_idx) // 2
    if half < 1:
        raise DataFileError(
            f"{spec['path']}: only {len(hold_idx)} of {len(data)} rows are held out "
            f"(holdout_fraction {spec['holdout_fraction']}); evaluation needs at least 2; "
            "add rows or raise holdout_fraction"
        )
    return data[hold_idx[:half]], data[hold_idx[half : 2 * half]]


# ---------------------------------------------------------------------------------------
# file data: loading and validation
# ---------------------------------------------------------------------------------------


def _load_npy(path: Path, columns: Sequence[str | int] | None) -> np.ndarray:
    try:
        raw = np.load(path, allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError/OSError/EOFError for bad files
        raise DataFileError(f"{path}: not a readable NPY file ({exc})") from exc
    if not isinstance(raw, np.ndarray) or raw.ndim not in (1, 2):
        shape = getattr(raw, "shape", None)
        raise DataFileError(f"{path}: NPY array has shape {shape}; expected (rows,) or (rows, columns)")
    if raw.dtype.kind not in "iuf":
        raise DataFileError(f"{path}: NPY array has non-numeric dtype {raw.dtype}; expected integers or floats")
    if raw.size == 0:
        raise DataFileError(f"{path}: data file is empty (NPY array of shape {raw.shape})")
    table = raw.reshape(-1, 1) if raw.ndim == 1 else raw
    names = [str(i) for i in range(table.shape[1])]
    picked = _pick_columns(path, columns, names, has_header=False, npy=True)
    data = np.asarray(table[:, picked], dtype=np.float64)
    labels = [_column_label(names, i, has_header=False) for i in picked]
    _check_values(path, data, labels, row_label=lambda i: f"row index {i} (0-based)")
    return data


def _load_csv(path: Path, columns: Sequence[str | int] | None) -> np.ndarray:
    rows, lines = _read_csv_rows(path)
    if not rows:
        raise DataFileError(f"{path}: data file is empty (no non-blank lines)")
    has_header = _is_header(rows[0])
    header = [c.strip() for c in rows[0]] if has_header else [str(i) for i in range(len(rows[0]))]
    body, body_lines = (rows[1:], lines[1:]) if has_header else (rows, lines)
    if not body:
        raise DataFileError(f"{path}: data file has a header (line {lines[0]}) but no data rows")
    _check_separator(path, rows, lines)
    _check_ragged(path, rows, lines, len(header))
    picked = _pick_columns(path, columns, header, has_header=has_header, npy=False)
    labels = [_column_label(header, i, has_header) for i in picked]
    data = np.empty((len(body), len(picked)), dtype=np.float64)
    for r, (row, line) in enumerate(zip(body, body_lines)):
        for c, (col, label) in enumerate(zip(picked, labels)):
            data[r, c] = _parse_cell(path, row[col], line, label)
    _check_values(path, data, labels, row_label=lambda i: f"line {body_lines[i]}")
    return data


def _check_separator(path: Path, rows: list[list[str]], lines: list[int]) -> None:
    """One column whose cells hold another separator: a file saved with ';' or tabs."""
    if len(rows[0]) != 1:
        return
    for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
        if all(sep in row[0] for row in rows[:20]):
            raise DataFileError(f"{path}: line {lines[0]} is one column that holds {name}: toygan reads "
                                "comma-separated values; save the file with commas between the columns")


def _csv_header(path: Path) -> list[str] | None:
    """The stripped header cells of a CSV file (first non-blank row, if no cell is numeric),
    else None; read like ``_read_csv_rows``, but only up to that row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.reader(fh):
                if row and any(cell.strip() for cell in row):
                    return [c.strip() for c in row] if _is_header(row) else None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not a UTF-8 text CSV file ({exc}); NPY files must end in .npy") from exc
    except csv.Error as exc:
        raise DataFileError(f"{path}: CSV syntax error in its first rows: {exc}") from exc
    except OSError as exc:
        raise DataFileError(f"{path}: data file not readable ({exc})") from exc
    return None


def _read_csv_rows(path: Path) -> tuple[list[list[str]], list[int]]:
    """Non-blank CSV rows and the 1-based line on which each ends (csv.reader.line_num)."""
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    rows.append(row)
                    lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not a UTF-8 text CSV file ({exc}); NPY files must end in .npy") from exc
    except csv.Error as exc:
        raise DataFileError(f"{path}: CSV syntax error near line {reader.line_num}: {exc}") from exc
    return rows, lines


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_header(row: list[str]) -> bool:
    """A first row with no numeric cell is a header; a mixed row is data with a bad cell,
    which the cell check then reports with its line and column."""
    return not any(_is_number(cell.strip()) for cell in row)


def _check_ragged(path: Path, rows: list[list[str]], lines: list[int], width: int) -> None:
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise DataFileError(
                f"{path}: line {line} has {len(row)} columns, but line {lines[0]} has {width}; "
                "every row needs the same number of comma-separated cells"
            )


def _column_label(header: list[str], index: int, has_header: bool) -> str:
    return f"column {header[index]!r} (index {index})" if has_header else f"column index {index}"


def _parse_cell(path: Path, text: str, line: int, label: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        what = "empty cell" if not text.strip() else f"{text.strip()!r} is not a number"
        raise DataFileError(f"{path}: line {line}, {label}: {what}") from None


def _available(names: list[str], has_header: bool) -> str:
    if has_header:
        return ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    return ", ".join(str(i) for i in range(len(names)))


def _pick_columns(
    path: Path, columns: Sequence[str | int] | None, names: list[str], *, has_header: bool, npy: bool
) -> list[int]:
    """Indices of the selected columns; at most two remain because toygan is 1-D/2-D."""
    avail = _available(names, has_header)
    if columns is None:
        picked = list(range(len(names)))
        if len(picked) > 2:
            raise DataFileError(
                f"{path}: has {len(picked)} columns, but toygan handles 1-D or 2-D data; "
                f"choose one or two with `columns` (available: {avail})"
            )
        return picked
    if not 1 <= len(columns) <= 2:
        raise DataFileError(f"{path}: {len(columns)} columns selected ({list(columns)}); select 1 or 2")
    picked = [_one_column(path, col, names, has_header=has_header, npy=npy, avail=avail) for col in columns]
    if len(set(picked)) != len(picked):
        raise DataFileError(f"{path}: column selection {list(columns)} names the same column twice")
    return picked


def _one_column(path: Path, col: str | int, names: list[str], *, has_header: bool, npy: bool, avail: str) -> int:
    if isinstance(col, bool) or not isinstance(col, (int, str)):
        raise DataFileError(f"{path}: column {col!r} must be a header name or a 0-based index")
    if isinstance(col, int):
        if 0 <= col < len(names):
            return col
        raise DataFileError(f"{path}: unknown column index {col}; available columns: {avail}")
    if not has_header:
        source = "an NPY array" if npy else "this CSV file has no header row"
        raise DataFileError(
            f"{path}: unknown column name {col!r}: {source}, so select by 0-based index; available columns: {avail}"
        )
    hits = [i for i, name in enumerate(names) if name == col]
    if not hits:
        raise DataFileError(f"{path}: unknown column name {col!r}; available columns: {avail}")
    if len(hits) > 1:
        raise DataFileError(f"{path}: column name {col!r} appears {len(hits)} times in the header; select by index")
    return hits[0]


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_values(path: Path, data: np.ndarray, labels: list[str], row_label) -> None:
    """NaN or inf would poison every loss and metric, and so would a value that float32 (what
    training computes in) cannot hold; a column with one value has nothing to learn. Name the
    first offending cell, or the column."""
    bad = ~np.isfinite(data)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        n_bad = int(bad.any(axis=1).sum())
        raise DataFileError(
            f"{path}: {row_label(r)}, {labels[c]}: value {data[r, c]} is not finite "
            f"({n_bad} row(s) with NaN or inf in all); remove or fix them"
        )
    huge = np.abs(data) > _FLOAT32_MAX
    if huge.any():
        r, c = (int(v) for v in np.argwhere(huge)[0])
        raise DataFileError(f"{path}: {row_label(r)}, {labels[c]}: value {data[r, c]:g} is beyond float32's range "
                            f"(±{_FLOAT32_MAX:.3g}), in which training computes; rescale the column")
    if len(data) > 1:
        for c in range(data.shape[1]):
            if np.all(data[:, c] == data[0, c]):
                raise DataFileError(f"{path}: {labels[c]} has the same value ({data[0, c]:g}) in every row: there is "
                                    "nothing to learn in it; leave it out with the dataset's `columns`")


def _jsonable(value: Any) -> Any:
    """Plain Python copy of a spec (numpy scalars or tuples would break json.dump)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
