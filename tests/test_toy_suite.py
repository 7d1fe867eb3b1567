"""The 2-D toy suite of toygan.data.datasets (moons, circles, swissroll, pinwheel, spirals,
checkerboard): the constants and scaling of FFJORD's lib/toy_data.py (rtqichen/ffjord), checked
against scikit-learn's generators, against independent re-derivations of the FFJORD formulas
(complex-number form, legacy RandomState) and against analytic facts of each shape."""

import copy
import json

import numpy as np
import pytest
import sklearn.datasets
import yaml

from toygan import streams
from toygan.config.validate import fill_defaults, load_schema, validate_config
from toygan.config.settings import Evaluation
from toygan.data import datasets as ds
from toygan.evaluation import reference

from conftest import REPO

TOYS = ["moons", "circles", "swissroll", "pinwheel", "spirals", "checkerboard"]
N = 20000
KS_MAX = 0.02  # two samples of N rows: the 99.9% point of the KS distance is about 0.0195


def spec(**kw):
    root = load_schema()
    return fill_defaults(dict(kw), root["$defs"]["dataset"], root)


def ks(u, v):
    """Two-sample Kolmogorov-Smirnov distance."""
    grid = np.sort(np.concatenate([u, v]))
    cdf = lambda w: np.searchsorted(np.sort(w), grid, side="right") / len(w)  # noqa: E731
    return float(np.abs(cdf(u) - cdf(v)).max())


def same_distribution(x, ref):
    """x and ref agree in their projections on 12 directions (every 15 degrees, so a mirror
    image fails too) and in their radius: the largest KS distance is below KS_MAX."""
    angles = np.arange(12) * np.pi / 12
    dirs = np.c_[np.cos(angles), np.sin(angles)].T
    worst = max([ks(a, b) for a, b in zip((x @ dirs).T, (ref @ dirs).T)]
                + [ks(np.linalg.norm(x, axis=1), np.linalg.norm(ref, axis=1))])
    return worst < KS_MAX


def test_kinds_and_schema_defaults():
    assert ds.TOY_KINDS == tuple(TOYS)
    root = load_schema()
    assert set(TOYS) <= set(root["$defs"]["dataset"]["properties"]["kind"]["enum"])
    assert spec(kind="moons") == {"kind": "moons", "seed": 0, "n": 10000, "noise": 0.1}
    assert spec(kind="circles") == {"kind": "circles", "seed": 0, "n": 10000, "noise": 0.08, "factor": 0.5}
    assert spec(kind="swissroll") == {"kind": "swissroll", "seed": 0, "n": 10000, "noise": 1.0}
    assert spec(kind="pinwheel") == {"kind": "pinwheel", "seed": 0, "n": 10000, "arms": 5, "radial_std": 0.3,
                                     "tangential_std": 0.1, "rate": 0.25}
    assert spec(kind="spirals") == {"kind": "spirals", "seed": 0, "n": 10000, "noise": 0.1, "turns": 1.5}
    assert spec(kind="checkerboard") == {"kind": "checkerboard", "seed": 0, "n": 10000}
    branches = {b["if"]["properties"]["kind"]["const"]: b["then"] for b in root["$defs"]["dataset"]["allOf"]}
    for kind in TOYS:  # every published parameter says what it is
        for key, prop in branches[kind]["properties"].items():
            assert key in ("kind", "seed", "n") or prop.get("description"), (kind, key)


@pytest.mark.parametrize("kind", TOYS)
def test_config_validates_by_name_with_defaults(kind):
    cfg = yaml.safe_load((REPO / "tests" / "config" / "tiny.yaml").read_text())
    cfg["datasets"]["normal"] = {"kind": kind}
    out = validate_config(copy.deepcopy(cfg))
    assert out["datasets"]["normal"] == spec(kind=kind)


@pytest.mark.parametrize("kind", TOYS)
def test_shape_determinism_and_generator(kind):
    s = spec(kind=kind, n=3000)
    x = ds.training_data(s)
    assert x.shape == (3000, 2) and x.dtype == np.float64 and np.isfinite(x).all()
    assert ds.training_data(dict(s)).tobytes() == x.tobytes()
    assert not np.array_equal(ds.training_data({**s, "seed": 1}), x)
    assert ds.dim(s) == 2
    assert ds.components(s) is None and ds.has_generator(s)
    assert ds.column_names(s) == ["x", "y"]
    desc = json.loads(json.dumps(ds.describe(s, x)))
    assert desc["components"] is None and desc["columns"] == ["x", "y"] and desc["dim"] == 2
    assert len(set(map(tuple, x.tolist()))) == 3000  # continuous draws: no repeated rows


@pytest.mark.parametrize("kind", TOYS)
def test_heldout_floor_and_truth_draws_are_fresh(kind):
    s = spec(kind=kind, n=500)
    x = ds.training_data(s)
    a, b = ds.heldout_pair(s, 500, s["seed"])  # even the same seed never replays training
    a2, b2 = ds.heldout_pair(s, 500, s["seed"])
    assert a.tobytes() == a2.tobytes() and b.tobytes() == b2.tobytes()
    assert a.shape == b.shape == (500, 2)
    assert ds.fresh_sample(s, 500, s["seed"], streams.HELDOUT_A).tobytes() == a.tobytes()
    assert ds.fresh_sample(s, 500, s["seed"], streams.HELDOUT_B).tobytes() == b.tobytes()
    truth = ds.fresh_sample(s, 500, 0, streams.TRUTH_SAMPLE)
    noise = ds.fresh_sample(s, 500, 0, streams.TRUTH_NOISE)
    pairs = [p for pair in ds.floor_pairs(s, 500, 0, 2) for p in pair]
    assert [p.shape for p in pairs] == [(500, 2)] * 4
    samples = [x, a, b, truth, noise, *pairs]
    for i, u in enumerate(samples):
        for v in samples[i + 1:]:
            assert not np.isin(u, v).any()  # no shared value at all, let alone rows


# ----------------------------------------------------------------------------- against scikit-learn


def test_moons_match_scikit_learn_scaled_as_ffjord():
    x = ds.training_data(spec(kind="moons", n=N))
    ref = sklearn.datasets.make_moons(n_samples=N, noise=0.1, random_state=np.random.RandomState(1))[0] * 2
    ref += np.array([-1.0, -0.2])
    assert same_distribution(x, ref)
    assert -4 < x[:, 0].min() < -2.8 and 2.8 < x[:, 0].max() < 4  # [-3, 3] plus the noise (0.2 after the * 2)


def test_circles_match_scikit_learn_scaled_as_ffjord():
    x = ds.training_data(spec(kind="circles", n=N))
    ref = sklearn.datasets.make_circles(n_samples=N, factor=0.5, noise=0.08, random_state=np.random.RandomState(1))[0]
    assert same_distribution(x, ref * 3)


def test_swissroll_matches_scikit_learn_scaled_as_ffjord():
    x = ds.training_data(spec(kind="swissroll", n=N))
    ref = sklearn.datasets.make_swiss_roll(n_samples=N, noise=1.0, random_state=np.random.RandomState(1))[0]
    assert same_distribution(x, ref[:, [0, 2]] / 5)


# ----------------------------------------------------------------------------- analytic shapes


def test_moons_without_noise_lie_on_two_half_circles_of_radius_2():
    x = ds.training_data(spec(kind="moons", n=N, noise=0.0))
    d_upper = np.abs(np.linalg.norm(x - [-1.0, -0.2], axis=1) - 2.0)
    d_lower = np.abs(np.linalg.norm(x - [1.0, 0.8], axis=1) - 2.0)
    on_upper = (d_upper < 1e-9) & (x[:, 1] >= -0.2 - 1e-9)
    on_lower = (d_lower < 1e-9) & (x[:, 1] <= 0.8 + 1e-9)
    assert (on_upper | on_lower).all()
    assert on_upper.mean() == pytest.approx(0.5, abs=0.02)
    assert x[:, 0].min() >= -3 - 1e-9 and x[:, 0].max() <= 3 + 1e-9


def test_circles_radii_3_and_1_5_plus_noise():
    x = ds.training_data(spec(kind="circles", n=N))
    r = np.linalg.norm(x, axis=1)
    outer = r > 2.25
    assert outer.mean() == pytest.approx(0.5, abs=0.02)
    assert np.median(r[outer]) == pytest.approx(3.0, abs=0.02)
    assert np.median(r[~outer]) == pytest.approx(1.5, abs=0.03)  # 2-D noise pushes out by ~ 0.24^2 / 3
    # noise 0.08 before the *3: radial spread about 0.24 on both circles
    assert (r[outer] - 3.0).std() == pytest.approx(0.24, rel=0.1)
    assert (r[~outer] - 1.5).std() == pytest.approx(0.24, rel=0.15)
    exact = np.linalg.norm(ds.training_data(spec(kind="circles", n=1000, noise=0.0, factor=0.25)), axis=1)
    assert np.isin(np.round(exact, 12), [3.0, 0.75]).all()


def test_swissroll_range_and_spiral_without_noise():
    x = ds.training_data(spec(kind="swissroll", n=N, noise=0.0))
    t = 5 * np.linalg.norm(x, axis=1)  # the roll's parameter: radius t, angle t
    assert t.min() >= 1.5 * np.pi - 1e-9 and t.max() <= 4.5 * np.pi + 1e-9
    assert t.min() < 1.5 * np.pi + 0.01 and t.max() > 4.5 * np.pi - 0.01
    np.testing.assert_allclose(np.cos(t) * t / 5, x[:, 0], atol=1e-9)
    np.testing.assert_allclose(np.sin(t) * t / 5, x[:, 1], atol=1e-9)
    noisy = ds.training_data(spec(kind="swissroll", n=N))
    assert -3.5 < noisy.min() and noisy.max() < 3.5  # radius <= 0.9 pi plus noise 0.2


def pinwheel_reference(n, arms=5, radial_std=0.3, tangential_std=0.1, rate=0.25, seed=1):
    """FFJORD's pinwheel re-derived in complex form: 2 (r + i tau) exp(-i theta)."""
    rs = np.random.RandomState(seed)
    k = rs.randint(arms, size=n)
    r = 1 + radial_std * rs.randn(n)
    tau = tangential_std * rs.randn(n)
    z = 2 * (r + 1j * tau) * np.exp(-1j * (2 * np.pi * k / arms + rate * np.exp(r)))
    return np.c_[z.real, z.imag]


def test_pinwheel_matches_the_ffjord_formula():
    assert same_distribution(ds.training_data(spec(kind="pinwheel", n=N)), pinwheel_reference(N))
    s = dict(arms=3, radial_std=0.2, tangential_std=0.05, rate=0.5)
    assert same_distribution(ds.training_data(spec(kind="pinwheel", n=N, **s)), pinwheel_reference(N, **s))


def test_pinwheel_five_arms_without_tangential_spread():
    x = ds.training_data(spec(kind="pinwheel", n=N, radial_std=0.2, tangential_std=0.0))
    r = np.linalg.norm(x, axis=1) / 2  # 1 + radial noise (> 0 unless a 5 sd draw)
    theta = -np.arctan2(x[:, 1], x[:, 0]) - 0.25 * np.exp(r)  # the arm's base angle
    arm = np.round(theta / (2 * np.pi / 5))
    np.testing.assert_allclose(theta, arm * 2 * np.pi / 5, atol=1e-9)
    counts = np.bincount(arm.astype(int) % 5, minlength=5)
    assert counts.min() > 0.9 * N / 5 and counts.max() < 1.1 * N / 5
    # the default pinwheel is 5-fold symmetric: rotating by 72 degrees changes nothing
    y = ds.training_data(spec(kind="pinwheel", n=N))
    other = ds.training_data(spec(kind="pinwheel", n=N, seed=1))  # an independent sample, turned
    c, s_ = np.cos(2 * np.pi / 5), np.sin(2 * np.pi / 5)
    assert same_distribution(y, other @ np.array([[c, s_], [-s_, c]]))


def spirals_reference(n, noise=0.1, turns=1.5, seed=1):
    """FFJORD's 2spirals re-derived: -s exp(-i s) plus [0, 0.5)^2 jitter, mirrored for arm 2."""
    rs = np.random.RandomState(seed)
    s = np.sqrt(rs.rand(n)) * turns * 2 * np.pi
    z = -s * np.exp(-1j * s) + rs.rand(n) * 0.5 + 1j * rs.rand(n) * 0.5
    z *= np.where(rs.rand(n) < 0.5, 1, -1)
    return np.c_[z.real, z.imag] / 3 + noise * rs.randn(n, 2)


def test_spirals_match_the_ffjord_formula_and_are_point_symmetric():
    x = ds.training_data(spec(kind="spirals", n=N))
    assert same_distribution(x, spirals_reference(N))
    mirrored = -ds.training_data(spec(kind="spirals", n=N, seed=1))  # an independent sample, mirrored
    assert same_distribution(x, mirrored)  # arm 2 is arm 1 mirrored through the origin
    assert np.abs(x).max() < (3 * np.pi + 0.5) / 3 + 0.6
    two = ds.training_data(spec(kind="spirals", n=N, turns=2.0, noise=0.02))
    assert same_distribution(two, spirals_reference(N, turns=2.0, noise=0.02))


def test_spirals_without_noise_lie_on_two_arms():
    x = 3 * ds.training_data(spec(kind="spirals", n=2000, noise=0.0))  # undo the / 3
    s = np.linspace(0, 3 * np.pi, 2001)  # 1.5 turns = 540 degrees
    centre = np.c_[-np.cos(s) * s, np.sin(s) * s] + 0.25  # the curve plus the centre of the [0, 0.5)^2 jitter
    d1, d2 = (np.linalg.norm(sign * x[:, None, :] - centre[None], axis=2).min(axis=1) for sign in (1, -1))
    assert (np.minimum(d1, d2) < 0.5 * np.sqrt(0.5) + 0.025).all()  # the jitter box's half-diagonal
    assert (d1 < d2).mean() == pytest.approx(0.5, abs=0.05)


def test_checkerboard_occupies_the_8_same_parity_cells_uniformly():
    x = ds.training_data(spec(kind="checkerboard", n=N))
    assert x.min() >= -4 and x.max() < 4
    ix, iy = np.floor(x[:, 0] / 2).astype(int) + 2, np.floor(x[:, 1] / 2).astype(int) + 2
    cells = np.zeros((4, 4), dtype=int)
    np.add.at(cells, (ix, iy), 1)
    filled = (np.add.outer(np.arange(4), np.arange(4)) % 2) == 0
    assert (cells[~filled] == 0).all()
    assert cells[filled].min() > 0.9 * N / 8 and cells[filled].max() < 1.1 * N / 8
    frac = x / 2 - np.floor(x / 2)  # position inside its cell: uniform
    np.testing.assert_allclose(frac.mean(axis=0), 0.5, atol=0.01)
    np.testing.assert_allclose(frac.var(axis=0), 1 / 12, atol=0.003)


@pytest.mark.parametrize("kind", TOYS)
def test_a_dataset_without_modes_has_a_reference_and_says_so(kind):
    s = spec(kind=kind, n=600)
    floor, modes = reference.build(s, *ds.heldout_pair(s, 300, 1),
                                   Evaluation.parse({"n_samples": 300, "floor_pairs": 2, "truth_samples": 2_000}))
    if modes["source"] == "known":  # pinwheel's arms are Gaussians
        assert reference.describe(floor, modes).endswith("(known)")
        return
    assert modes == {"source": "none", "components": None}
    assert reference.describe(floor, modes).endswith("modes: none, judged by precision and recall")
