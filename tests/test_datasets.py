"""toygan.data.datasets: synthetic draws, file loading/validation, splits (fast, numpy only)."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from toygan import streams
from toygan.data import datasets as ds
from toygan.config.validate import fill_defaults, load_schema, validate_config

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
POINTS2D = DATA / "points2d.csv"


def spec(**kw):
    """A dataset spec default-filled by the schema, as the workflow passes it."""
    root = load_schema()
    return fill_defaults(dict(kw), root["$defs"]["dataset"], root)


TWO_NORMALS = dict(
    kind="mixture",
    n=2000,
    components=[{"mean": 0.0, "std": 1.0, "weight": 1.0}, {"mean": 5.0, "std": 2.0, "weight": 1.0}],
)
SYNTHETIC = {
    "normal": spec(kind="normal"),
    "mixture": spec(**TWO_NORMALS),
    "ring": spec(kind="ring", n=4000),
    "grid": spec(kind="grid", n=5000),
}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# ----------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize("kind,d", [("normal", 1), ("mixture", 1), ("ring", 2), ("grid", 2)])
def test_shapes_and_dims(kind, d):
    s = SYNTHETIC[kind]
    x = ds.training_data(s)
    assert x.shape == (s["n"], d) and x.dtype == np.float64
    assert ds.dim(s) == d
    a, b = ds.heldout_pair(s, 300, 12345)
    assert a.shape == b.shape == (300, d)
    comp = ds.components(s)
    k = len(comp["weights"])
    assert comp["means"].shape == comp["stds"].shape == (k, d)
    assert comp["weights"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("kind", list(SYNTHETIC))
def test_repeat_is_byte_identical_and_seed_matters(kind):
    s = SYNTHETIC[kind]
    assert ds.training_data(s).tobytes() == ds.training_data(dict(s)).tobytes()
    a1, b1 = ds.heldout_pair(s, 200, 7)
    a2, b2 = ds.heldout_pair(s, 200, 7)
    assert a1.tobytes() == a2.tobytes() and b1.tobytes() == b2.tobytes()
    assert not np.array_equal(ds.training_data(s), ds.training_data({**s, "seed": 1}))


@pytest.mark.parametrize("kind", list(SYNTHETIC))
def test_heldout_differs_from_training_and_halves_differ(kind):
    s = SYNTHETIC[kind]
    x = ds.training_data(s)
    a, b = ds.heldout_pair(s, s["n"], s["seed"])  # even the same seed never replays training
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, x) and not np.array_equal(b, x)
    assert not np.array_equal(ds.heldout_pair(s, 100, 1)[0], ds.heldout_pair(s, 100, 2)[0])


def test_normal_moments():
    x = ds.training_data(spec(kind="normal", n=5000, mean=3.0, std=2.0))
    assert x.mean() == pytest.approx(3.0, abs=0.1) and x.std() == pytest.approx(2.0, abs=0.1)


def test_mixture_is_stacked_in_component_order():
    x = ds.training_data(SYNTHETIC["mixture"])[:, 0]
    first, second = x[:1000], x[1000:]
    assert len(second) == 1000
    assert first.mean() == pytest.approx(0.0, abs=0.15) and first.std() == pytest.approx(1.0, abs=0.1)
    assert second.mean() == pytest.approx(5.0, abs=0.3) and second.std() == pytest.approx(2.0, abs=0.15)


def test_stratified_counts_largest_remainder():
    assert ds.stratified_counts([1, 1], 2000) == [1000, 1000]
    assert ds.stratified_counts([1, 1, 1], 10) == [4, 3, 3]
    assert ds.stratified_counts([0.5, 0.3, 0.2], 7) == [4, 2, 1]
    assert sum(ds.stratified_counts([0.13, 2.7, 1.1, 0.01], 997)) == 997


def test_mixture_unequal_weights_counts_and_heldout_weights():
    s = spec(kind="mixture", n=1000, components=[{"mean": -10.0, "std": 1.0, "weight": 3.0}, {"mean": 10.0, "std": 1.0}])
    x = ds.training_data(s)[:, 0]
    assert (x[:750] < 0).all() and (x[750:] > 0).all()
    a, _ = ds.heldout_pair(s, 4000, 1)
    assert (a[:, 0] < 0).mean() == pytest.approx(0.75, abs=0.03)
    assert ds.components(s)["weights"].tolist() == [0.75, 0.25]


def nearest_mode(x, means):
    dist = np.linalg.norm(x[:, None, :] - means[None, :, :], axis=2)
    return dist.argmin(axis=1), dist.min(axis=1)


def test_ring_literature_values():
    s = SYNTHETIC["ring"]
    comp = ds.components(s)
    angles = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_allclose(comp["means"], np.c_[np.cos(angles), np.sin(angles)], atol=1e-12)
    np.testing.assert_allclose(comp["stds"], 0.01)
    x = ds.training_data(s)
    assert np.abs(np.linalg.norm(x, axis=1) - 1.0).max() < 0.06
    labels, dist = nearest_mode(x, comp["means"])
    assert dist.max() < 0.06
    counts = np.bincount(labels, minlength=8)
    assert counts.min() > 0.8 * 4000 / 8 and counts.max() < 1.2 * 4000 / 8
    assert len(set(labels[:50].tolist())) > 4  # rows are mixed, not blocks
    resid = x - comp["means"][labels]
    assert resid.std() == pytest.approx(0.01, rel=0.1)


def test_grid_literature_values():
    s = SYNTHETIC["grid"]
    comp = ds.components(s)
    axis = [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert sorted(map(tuple, comp["means"].tolist())) == sorted((a, b) for a in axis for b in axis)
    np.testing.assert_allclose(comp["stds"], 0.05)
    x = ds.training_data(s)
    labels, dist = nearest_mode(x, comp["means"])
    assert dist.max() < 0.3
    counts = np.bincount(labels, minlength=25)
    assert counts.min() > 0.7 * 200 and counts.max() < 1.3 * 200
    assert (x - comp["means"][labels]).std() == pytest.approx(0.05, rel=0.1)
    custom = ds.components(spec(kind="grid", modes_per_side=2, spacing=1.0))
    assert sorted(map(tuple, custom["means"].tolist())) == [(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)]


def test_describe_is_json_serialisable():
    s = SYNTHETIC["ring"]
    x = ds.training_data(s)
    desc = json.loads(json.dumps(ds.describe(s, x)))
    assert desc["spec"] == s and desc["dim"] == 2 and desc["n_rows"] == 4000
    assert desc["min"] == x.min(axis=0).tolist() and desc["max"] == x.max(axis=0).tolist()
    assert len(desc["components"]["means"]) == 8
    assert desc["columns"] == ["x", "y"]
    f = spec(kind="file", path=str(POINTS2D))
    desc = json.loads(json.dumps(ds.describe(f, ds.training_data(f))))
    assert desc["components"] is None and desc["columns"] == ["x", "y"]


def test_column_names(tmp_path):
    assert ds.column_names(SYNTHETIC["normal"]) == ds.column_names(SYNTHETIC["mixture"]) == ["x"]
    assert ds.column_names(SYNTHETIC["ring"]) == ds.column_names(SYNTHETIC["grid"]) == ["x", "y"]
    headed = write(tmp_path, "h.csv", "time, speed ,label\n1,2,3\n4,5,6\n")
    assert ds.column_names(spec(kind="file", path=str(headed), columns=["label", 0])) == ["label", "time"]
    assert ds.column_names(spec(kind="file", path=str(headed), columns=[1])) == ["speed"]
    two = write(tmp_path, "two.csv", "\ufeff\nu,\n1,2\n")  # a BOM, a blank first line, a blank name
    assert ds.column_names(spec(kind="file", path=str(two))) == ["u", "y"]
    desc = ds.describe(spec(kind="file", path=str(headed), columns=["speed"]), np.zeros((2, 1)))
    assert desc["columns"] == ["speed"]
    bare = write(tmp_path, "bare.csv", "1,2,3\n4,5,6\n")
    assert ds.column_names(spec(kind="file", path=str(bare), columns=[2])) == ["x"]
    assert ds.column_names(spec(kind="file", path=str(bare), columns=[2, 0])) == ["x", "y"]
    np.save(tmp_path / "v.npy", np.arange(4.0))
    assert ds.column_names(spec(kind="file", path=str(tmp_path / "v.npy"))) == ["x"]
    np.save(tmp_path / "m.npy", np.arange(8.0).reshape(4, 2))
    assert ds.column_names(spec(kind="file", path=str(tmp_path / "m.npy"))) == ["x", "y"]
    with pytest.raises(ds.DataFileError, match="unknown column name 'speedy'"):
        ds.column_names(spec(kind="file", path=str(headed), columns=["speedy"]))


@pytest.mark.parametrize("kind", list(SYNTHETIC))
def test_fresh_sample_is_the_heldout_stream_and_streams_differ(kind):
    s = SYNTHETIC[kind]
    assert ds.has_generator(s)
    a, b = ds.heldout_pair(s, 300, 12)
    assert ds.fresh_sample(s, 300, 12, streams.HELDOUT_A).tobytes() == a.tobytes()
    assert ds.fresh_sample(s, 300, 12, streams.HELDOUT_B).tobytes() == b.tobytes()
    truth, noise = (ds.fresh_sample(s, 300, 12, k) for k in (streams.TRUTH_SAMPLE, streams.TRUTH_NOISE))
    assert truth.shape == noise.shape == (300, ds.dim(s))
    assert ds.fresh_sample(s, 300, 12, streams.TRUTH_SAMPLE).tobytes() == truth.tobytes()
    for other in (a, b, noise, ds.training_data(s)[:300], *next(ds.floor_pairs(s, 300, 12, 1))):
        assert not np.array_equal(truth, other)


def test_data_stream_ids_are_distinct():
    ids = [streams.HELDOUT_A, streams.HELDOUT_B, streams.FLOOR_PAIRS, streams.TRUTH_SAMPLE, streams.TRUTH_NOISE]
    assert ids == [1, 2, 3, 4, 5]


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown dataset kind 'spiral'"):
        ds.training_data({"kind": "spiral"})


# ----------------------------------------------------------------------------- files


def test_csv_with_header_all_columns():
    x = ds.load_file(POINTS2D)
    assert x.shape == (300, 2) and x.dtype == np.float64
    assert x[0].tolist() == [float(v) for v in POINTS2D.read_text().splitlines()[1].split(",")]
    assert ds.dim(spec(kind="file", path=str(POINTS2D))) == 2


def test_csv_column_selection_by_name_and_index(tmp_path):
    path = write(tmp_path, "three.csv", "x,label,y\n1.0,a,10\n2.0,b,20\n3.0,c,30\n")
    np.testing.assert_array_equal(ds.load_file(path, ["y", "x"]), [[10, 1], [20, 2], [30, 3]])
    np.testing.assert_array_equal(ds.load_file(path, [2]), [[10], [20], [30]])
    np.testing.assert_array_equal(ds.load_file(path, ["x", 2]), [[1, 10], [2, 20], [3, 30]])
    assert ds.dim(spec(kind="file", path=str(path), columns=["x"])) == 1


def test_csv_without_header_blank_lines_and_quotes(tmp_path):
    path = write(tmp_path, "plain.csv", '1.5, 2\n\n"3",4e0\n  \n5,6\n')
    np.testing.assert_array_equal(ds.load_file(path), [[1.5, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(ds.load_file(path, [1]), [[2], [4], [6]])


def test_npy_1d_and_2d(tmp_path):
    np.save(tmp_path / "one.npy", np.arange(5, dtype=np.int32))
    x = ds.load_file(tmp_path / "one.npy")
    assert x.shape == (5, 1) and x.dtype == np.float64
    two = np.arange(12.0).reshape(6, 2)
    np.save(tmp_path / "two.npy", two)
    np.testing.assert_array_equal(ds.load_file(tmp_path / "two.npy"), two)
    np.testing.assert_array_equal(ds.load_file(tmp_path / "two.npy", [1]), two[:, [1]])
    np.save(tmp_path / "three.npy", np.arange(12.0).reshape(4, 3))
    np.testing.assert_array_equal(ds.load_file(tmp_path / "three.npy", [2, 0]), [[2, 0], [5, 3], [8, 6], [11, 9]])


def test_file_split_disjoint_sizes_and_order():
    s = spec(kind="file", path=str(POINTS2D), holdout_fraction=0.2, seed=3)
    full = ds.load_file(POINTS2D)
    train = ds.training_data(s)
    a, b = ds.heldout_pair(s, 999999, 0)  # n is ignored for files
    assert train.shape == (240, 2) and a.shape == b.shape == (30, 2)
    rows = lambda arr: {tuple(r) for r in arr.tolist()}  # noqa: E731
    assert not rows(train) & rows(a) and not rows(train) & rows(b) and not rows(a) & rows(b)
    assert rows(train) | rows(a) | rows(b) == rows(full)
    idx = [int(np.flatnonzero((full == r).all(axis=1))[0]) for r in train]
    assert idx == sorted(idx)  # training rows keep the file order
    assert ds.training_data(s).tobytes() == train.tobytes()
    assert not np.array_equal(ds.training_data({**s, "seed": 4}), train)


def test_file_odd_holdout_drops_one_row(tmp_path):
    path = write(tmp_path, "odd.csv", "".join(f"{i}\n" for i in range(15)))
    s = spec(kind="file", path=str(path), holdout_fraction=0.2)  # 3 held out
    a, b = ds.heldout_pair(s, 10, 0)
    assert len(ds.training_data(s)) == 12 and a.shape == b.shape == (1, 1)


def test_file_too_few_holdout_rows(tmp_path):
    path = write(tmp_path, "few.csv", "1\n2\n3\n")
    with pytest.raises(ds.DataFileError, match=r"few\.csv: only 1 of 3 rows are held out"):
        ds.heldout_pair(spec(kind="file", path=str(path), holdout_fraction=0.2), 10, 0)


def test_file_has_no_generator():
    f = spec(kind="file", path=str(POINTS2D))
    assert not ds.has_generator(f)
    with pytest.raises(ValueError, match="kind 'file' has no generator"):
        ds.fresh_sample(f, 10, 0, streams.TRUTH_SAMPLE)


def test_file_components_none():
    assert ds.components(spec(kind="file", path=str(POINTS2D))) is None


# ----------------------------------------------------------------------------- file errors


def raises(path, columns=None):
    with pytest.raises(ds.DataFileError) as info:
        ds.load_file(path, columns)
    msg = str(info.value)
    assert str(path) in msg
    return msg


def test_error_missing_file(tmp_path):
    assert "not found" in raises(tmp_path / "nope.csv")


def test_error_empty_files(tmp_path):
    assert "is empty" in raises(write(tmp_path, "empty.csv", ""))
    assert "is empty" in raises(write(tmp_path, "blank.csv", "\n  \n"))
    assert "header (line 1) but no data rows" in raises(write(tmp_path, "head.csv", "x,y\n"))
    np.save(tmp_path / "empty.npy", np.zeros((0, 2)))
    assert "is empty" in raises(tmp_path / "empty.npy")


def test_error_non_numeric_cell(tmp_path):
    path = write(tmp_path, "bad.csv", "x,y\n1,2\n3,4\n\n5,abc\n")
    assert "line 5, column 'y' (index 1): 'abc' is not a number" in raises(path)
    path = write(tmp_path, "hole.csv", "1,2\n3,\n")
    assert "line 2, column index 1: empty cell" in raises(path)
    path = write(tmp_path, "mixed_first.csv", "1,oops\n3,4\n")  # not a header: has a number
    assert "line 1, column index 1: 'oops' is not a number" in raises(path)


def test_non_numeric_unselected_column_is_fine(tmp_path):
    path = write(tmp_path, "labels.csv", "x,kind\n1,a\n2,b\n")
    np.testing.assert_array_equal(ds.load_file(path, ["x"]), [[1], [2]])


def test_error_nan_and_inf(tmp_path):
    path = write(tmp_path, "nan.csv", "x,y\n1,2\n3,nan\n4,inf\n")
    msg = raises(path)
    assert "line 3, column 'y' (index 1): value nan is not finite" in msg and "2 row(s)" in msg
    arr = np.ones((5, 2))
    arr[3, 0] = np.inf
    np.save(tmp_path / "inf.npy", arr)
    assert "row index 3 (0-based), column index 0: value inf is not finite" in raises(tmp_path / "inf.npy")


def test_error_too_many_columns(tmp_path):
    path = write(tmp_path, "wide.csv", "a,b,c\n1,2,3\n")
    msg = raises(path)
    assert "has 3 columns" in msg and "0: 'a', 1: 'b', 2: 'c'" in msg
    assert "3 columns selected" in raises(path, ["a", "b", "c"])
    np.save(tmp_path / "wide.npy", np.ones((4, 3)))
    assert "has 3 columns" in raises(tmp_path / "wide.npy")
    np.save(tmp_path / "cube.npy", np.ones((2, 2, 2)))
    assert "shape (2, 2, 2)" in raises(tmp_path / "cube.npy")


def test_error_ragged_rows(tmp_path):
    path = write(tmp_path, "ragged.csv", "x,y\n1,2\n3,4,5\n6,7\n")
    assert "line 3 has 3 columns, but line 1 has 2" in raises(path)


def test_error_unknown_columns(tmp_path):
    path = write(tmp_path, "named.csv", "x,y\n1,2\n")
    assert "unknown column name 'z'; available columns: 0: 'x', 1: 'y'" in raises(path, ["z"])
    assert "unknown column index 2; available columns: 0: 'x', 1: 'y'" in raises(path, [0, 2])
    assert "unknown column index -1" in raises(path, [-1])
    assert "same column twice" in raises(path, ["x", 0])
    plain = write(tmp_path, "plain.csv", "1,2\n")
    assert "no header row, so select by 0-based index; available columns: 0, 1" in raises(plain, ["x"])
    np.save(tmp_path / "a.npy", np.ones((3, 2)))
    assert "an NPY array, so select by 0-based index" in raises(tmp_path / "a.npy", ["x"])


def test_error_unreadable_files(tmp_path):
    (tmp_path / "junk.npy").write_bytes(b"not an npy file at all")
    assert "not a readable NPY file" in raises(tmp_path / "junk.npy")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x00")
    assert "not a UTF-8 text CSV file" in raises(tmp_path / "binary.csv")
    np.save(tmp_path / "text.npy", np.array(["a", "b"]))
    assert "non-numeric dtype" in raises(tmp_path / "text.npy")


def test_check_min_rows():
    ds.check_min_rows(np.zeros((100, 2)), 100, "data.csv")
    with pytest.raises(ds.DataFileError, match=r"data\.csv: training data has 40 rows, fewer than one training batch \(100\)"):
        ds.check_min_rows(np.zeros((40, 2)), 100, "data.csv")


# ----------------------------------------------------------------------------- example


def test_example_own_data_config(monkeypatch):
    path = REPO / "workflow" / "examples" / "own_data.yaml"
    cfg = validate_config(yaml.safe_load(path.read_text()), [str(path)])
    (exp,) = cfg["experiments"].values()
    assert exp["generator"]["hidden"] == [64, 64] and exp["training"]["batch_size"] == 100
    assert len(exp["seeds"]) == 2
    s = cfg["datasets"][exp["dataset"]]
    monkeypatch.chdir(REPO)  # data paths are relative to the working directory
    x = ds.training_data(s)
    assert x.shape[1] == 2 and 1500 <= len(x) <= 2000
    ds.check_min_rows(x, exp["training"]["batch_size"], s["path"])
    a, b = ds.heldout_pair(s, 0, 0)
    assert len(a) == len(b) > 100
