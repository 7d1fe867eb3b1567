"""Smoke tests for toygan.plots: every figure renders, opens with PIL, has a sensible size."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from toygan import plots
from toygan.sweeps import ranking

WORKFLOW = Path(__file__).resolve().parents[1] / "workflow"
PROB = "D(x) = P(real)"
CRITIC = "critic value D(x)"


@pytest.fixture
def settings():
    return dict(format="png", dpi=50, figsize=[6.0, 4.0], kde_bw_adjust=1.0, scatter_points=300,
                animation_frames=8, animation_size=[4.0, 3.0], animation_dpi=50, animation_fps=5)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _check(path, min_px=100):
    path = Path(path)
    assert path.exists() and path.stat().st_size > 0
    with Image.open(path) as im:
        w, h = im.size
    assert w >= min_px and h >= min_px
    assert w < 5000 and h < 5000
    return w, h


def _real1(rng, n=500):
    return np.r_[rng.normal(-2, 0.5, n // 2), rng.normal(2, 0.5, n - n // 2)][:, None]


def _real2(rng, n=600):
    ang = rng.integers(0, 8, n) * 2 * np.pi / 8
    return np.c_[2 * np.cos(ang), 2 * np.sin(ang)] + rng.normal(0, 0.05, (n, 2))


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_style(settings, tmp_path):
    assert plots.run_title("two_normals", 0, "real vs generated") == "two_normals · seed 0 — real vs generated"
    assert plots.REAL_COLOR != plots.FAKE_COLOR
    import matplotlib.pyplot as plt

    plots.apply_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    plots.save(fig, tmp_path / "s.png", settings)
    _check(tmp_path / "s.png")
    assert not plt.get_fignums()


def test_density_1d(settings, rng, tmp_path):
    real = _real1(rng)
    p = plots.density_1d(real, real + 0.3, tmp_path / "d.png", settings, experiment="e", seed=0)
    _check(p)
    # collapsed and partly non-finite / diverging generator must not fail
    gen = np.full((200, 1), 1.5)
    gen[:5] = np.nan
    gen[5:10] = 1e9
    _check(plots.density_1d(real, gen, tmp_path / "c.png", settings, experiment="e", seed=1))


@pytest.mark.parametrize("label", [PROB, CRITIC])
def test_discriminator_outputs(settings, rng, tmp_path, label):
    z = rng.normal(size=300)
    d_r, d_f = (_sig(z + 1), _sig(z - 1)) if label == PROB else (z + 2, z - 2)
    _check(plots.discriminator_outputs(d_r, d_f, tmp_path / "h.png", settings, experiment="e", seed=0,
                                       label=label))
    # constant outputs (e.g. a dead discriminator)
    _check(plots.discriminator_outputs(np.zeros(50), np.zeros(50), tmp_path / "c.png", settings,
                                       experiment="e", seed=0, label=label))


@pytest.mark.parametrize("label", [PROB, CRITIC])
def test_decision_1d(settings, rng, tmp_path, label):
    real = _real1(rng)
    gx = np.linspace(-5, 5, 50)
    dg = _sig(np.cos(gx)) if label == PROB else 3 * np.cos(gx)
    _check(plots.decision_1d(real, real * 0.5, gx, dg, tmp_path / "b.png", settings, experiment="e",
                             seed=2, label=label))


def test_scatter_2d(settings, rng, tmp_path):
    real = _real2(rng, 10_000)
    gen = _real2(rng, 1000) * 1.1
    gen[:3] = np.nan
    _check(plots.scatter_2d(real, gen, tmp_path / "s.png", settings, experiment="ring", seed=0))


@pytest.mark.parametrize("label", [PROB, CRITIC])
def test_heatmap_2d(settings, rng, tmp_path, label):
    real, gen = _real2(rng), _real2(rng) * 0.8
    gx, gy = np.linspace(-3, 3, 30), np.linspace(-3, 3, 25)
    X, Y = np.meshgrid(gx, gy)
    dg = _sig(X - Y) if label == PROB else X * Y
    assert dg.shape == (len(gy), len(gx))
    _check(plots.heatmap_2d(gx, gy, dg, real, gen, tmp_path / "m.png", settings, experiment="ring",
                            seed=0, label=label))
    with pytest.raises(ValueError, match="shape"):  # transposed grid is refused, not scrambled
        plots.heatmap_2d(gx, gy, dg.T, real, gen, tmp_path / "t.png", settings, experiment="ring",
                         seed=0, label=label)


def test_dashboard_1d(settings, rng, tmp_path):
    real = _real1(rng)
    gens = {s: real[rng.choice(len(real), 200)] + 0.2 * s for s in range(4)}
    gens[3] = np.zeros((100, 1))  # collapsed seed
    ratios = {0: 1.2, 1: 3.4, 2: None, 3: float("nan")}
    verdicts = {0: "ok", 1: "mode_collapse", 2: None, 3: "failed"}
    _check(plots.dashboard(real, gens, ratios, tmp_path / "d1.png", settings, experiment="two_normals",
                           verdicts=verdicts))
    _check(plots.dashboard(real, gens, ratios, tmp_path / "d0.png", settings, experiment="old"))


def test_dashboard_labels_carry_the_verdict():
    from toygan.plots.runs import _seed_text

    assert _seed_text(0, 1.23, "mode_collapse") == "seed 0 · mode collapse · W1/floor 1.2×"
    assert _seed_text(1, None) == "seed 1 · W1/floor n/a"


@pytest.mark.parametrize("n_seeds", [1, 3, 5])
def test_dashboard_2d(settings, rng, tmp_path, n_seeds):
    real = _real2(rng)
    gens = {s: _real2(rng, 200) * (1 + 0.1 * s) for s in range(n_seeds)}
    ratios = {s: 1.0 + s for s in range(n_seeds)}
    verdicts = {s: ("ok", "mode_collapse", "inconclusive")[s % 3] for s in range(n_seeds)}
    _check(plots.dashboard(real, gens, ratios, tmp_path / "d2.png", settings, experiment="ring", verdicts=verdicts))


def _history(n=60, every=10):
    ep = np.arange(1, n + 1)
    r = np.random.default_rng(1)
    return pd.DataFrame({
        "epoch": ep,
        "d_loss": 1.2 + 0.1 * r.normal(size=n),
        "g_loss": 0.8 + 0.1 * r.normal(size=n),
        "w1": np.where(ep % every == 0, np.exp(-ep / 10), np.nan),
    })


def test_loss_curves(settings, tmp_path):
    h = _history()
    _check(plots.loss_curves(h, tmp_path / "l.png", settings, experiment="e", seed=0, loss_name="gan"))
    # long history (smoothing path), divergence with exploding/NaN losses
    h = _history(600, 50)
    h.loc[500:, "d_loss"] = np.linspace(1, 1e8, 100)
    h.loc[550:, "g_loss"] = np.nan
    h.loc[550:, "w1"] = np.inf
    _check(plots.loss_curves(h, tmp_path / "ld.png", settings, experiment="e", seed=1, loss_name="wgan",
                             diverged_epoch=510))
    # W1 never measured
    h = _history(20)
    h["w1"] = np.nan
    _check(plots.loss_curves(h, tmp_path / "ln.png", settings, experiment="e", seed=2, loss_name="hinge",
                             diverged_epoch=15))


def _gif_check(path, expected_frames):
    path = Path(path)
    assert path.stat().st_size < 1_000_000
    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.n_frames == expected_frames
        assert im.size[0] >= 100 and im.size[1] >= 100


def test_animation_1d(settings, rng, tmp_path):
    F, gx = 20, np.linspace(-5, 5, 60)
    snap = {
        "epochs": np.arange(F) * 5,
        "samples": np.stack([rng.normal(f / 5, 0.5 + f / 20, (200, 1)) for f in range(F)]),
        "grid_x": gx,
        "d_grid": np.stack([_sig(np.cos(gx + f)) for f in range(F)]),
    }
    snap["samples"][-1, :10] = 1e12  # diverging generator must not blow up the axes
    p = plots.animation(snap, _real1(rng), tmp_path / "a.gif", settings, experiment="e", seed=0, label=PROB)
    _gif_check(p, settings["animation_frames"])
    # fewer snapshots than frames, critic label, via an npz file like the workflow
    np.savez(tmp_path / "s.npz", **{k: v[:3] for k, v in snap.items() if k != "grid_x"}, grid_x=gx)
    with np.load(tmp_path / "s.npz") as z:
        p = plots.animation(z, _real1(rng), tmp_path / "b.gif", settings, experiment="e", seed=0, label=CRITIC)
    _gif_check(p, 3)


def test_animation_1d_default_size(rng, tmp_path):
    """The schema defaults (30 frames, 5x3.5 in at 60 dpi) give a GIF well under 1 MB."""
    F, gx = 40, np.linspace(-5, 5, 200)
    snap = {
        "epochs": np.arange(F) * 10,
        "samples": np.stack([rng.normal(f / 10, 0.3 + f / 40, (1000, 1)) for f in range(F)]),
        "grid_x": gx,
        "d_grid": np.stack([_sig(np.cos(gx + f / 4)) for f in range(F)]),
    }
    p = plots.animation(snap, _real1(rng, 2000), tmp_path / "a.gif", {}, experiment="e", seed=0, label=PROB)
    _gif_check(p, 30)
    assert Path(p).stat().st_size < 500_000


@pytest.mark.parametrize("label", [PROB, CRITIC])
def test_animation_2d(settings, rng, tmp_path, label):
    F = 12
    gx, gy = np.linspace(-3, 3, 30), np.linspace(-3, 3, 20)
    X, Y = np.meshgrid(gx, gy)
    snap = {
        "epochs": np.arange(F),
        "samples": np.stack([_real2(rng, 200) * (0.2 + f / F) for f in range(F)]),
        "grid_x": gx,
        "grid_y": gy,
        "d_grid": np.stack([_sig(X - Y + f / 3) if label == PROB else X * Y * f for f in range(F)]),
    }
    p = plots.animation(snap, _real2(rng), tmp_path / "a.gif", settings, experiment="ring", seed=3, label=label)
    _gif_check(p, settings["animation_frames"])


def _by_exp(modes: bool):
    df = pd.DataFrame({
        "experiment": ["two_normals", "ring8_gan", "ring8_wgan"],
        "w1_ratio_mean": [1.3, 15.0, 3.0],
        "w1_ratio_se": [0.1, 4.0, np.nan],
        "w1_ratio_min": [1.1, 4.0, 3.0],
        "w1_ratio_max": [1.6, 40.0, 3.0],
        "n_seeds": [5, 5, 1],
    })
    if modes:
        df["modes_captured_mean"] = [np.nan, 4.2, 7.8]
        df["modes_captured_se"] = [np.nan, 0.5, np.nan]
        df["n_modes_mean"] = [np.nan, 8, 8]
        df["high_quality_fraction_mean"] = [np.nan, 0.6, 0.9]
        df["high_quality_fraction_se"] = [np.nan, 0.05, np.nan]
        df["w1_truth_mean"] = [0.09, np.nan, 0.02]
        df["w1_truth_se"] = [0.004, np.nan, np.nan]
        df["w1_floor_mean"] = [0.034, 0.1, 0.2]
        df["w1_floor_sd_mean"] = [0.01, 0.01, 0.02]
        df["sliced_w1_floor_mean"] = [np.nan, 0.05, 0.01]
        df["sliced_w1_floor_sd_mean"] = [np.nan, 0.005, 0.002]
        df["w1_truth_noise_mean"] = [0.006, np.nan, 0.002]
        for col, counts in (("n_ok", [5, 1, 1]), ("n_mode_collapse", [0, 4, 0]), ("n_inconclusive", [0, 0, 0])):
            df[col] = counts
    return df


@pytest.mark.parametrize("modes", [False, True])
def test_comparison(settings, tmp_path, modes):
    _check(plots.comparison(_by_exp(modes), tmp_path / "c.png", settings))


def test_comparison_mode_columns_all_nan(settings, tmp_path):
    df = _by_exp(True)
    for c in ("modes_captured_mean", "n_modes_mean", "high_quality_fraction_mean"):
        df[c] = np.nan
    _check(plots.comparison(df, tmp_path / "c.png", settings))


@pytest.mark.parametrize("suffix", ["svg", "pdf"])
def test_vector_formats(settings, rng, tmp_path, suffix):
    real = _real2(rng)
    p = plots.scatter_2d(real, real * 0.9, tmp_path / f"s.{suffix}", settings, experiment="e", seed=0)
    head = Path(p).read_bytes()[:200]
    assert (b"<svg" in head or b"<?xml" in head) if suffix == "svg" else head.startswith(b"%PDF")
    p = plots.comparison(_by_exp(True), tmp_path / f"c.{suffix}", settings)
    assert Path(p).stat().st_size > 0


def test_no_open_figures(settings, rng, tmp_path):
    import matplotlib.pyplot as plt

    plt.close("all")
    real = _real1(rng)
    plots.density_1d(real, real, tmp_path / "d.png", settings, experiment="e", seed=0)
    plots.loss_curves(_history(), tmp_path / "l.png", settings, experiment="e", seed=0, loss_name="gan")
    assert not plt.get_fignums()


def test_no_tensorflow_import():
    _run_fresh("import sys, toygan.plots; assert 'tensorflow' not in sys.modules, 'tensorflow imported'")


def test_figure_jobs_import_neither_seaborn_scipy_nor_pandas():
    """seaborn imports scipy.stats: half a figure job's start-up, pandas a fifth. Only more
    seeds than SEED_COLORS import seaborn, and the comparison and sweep figures pandas, when
    they draw."""
    code = (
        "import sys, toygan.plots.jobs, toygan.plots\n"
        "heavy = [m for m in ('seaborn', 'scipy', 'pandas', 'tensorflow') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    _run_fresh(code)


def _run_fresh(code: str) -> None:
    """Run ``code`` in a fresh Python (imports counted from zero); it must succeed."""
    env = {**os.environ, "PYTHONPATH": str(WORKFLOW)}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_2d_figures_import_neither_seaborn_nor_scipy(tmp_path):
    """The 2-D figures draw the real density with NumPy (toygan.plots.kde.density_2d)."""
    code = (
        "import sys, numpy as np\n"
        "from toygan import plots\n"
        "r = np.random.default_rng(0).normal(size=(500, 2))\n"
        f"plots.scatter_2d(r, r, {str(tmp_path / 's.png')!r}, {{'dpi': 40}}, experiment='e', seed=0)\n"
        f"plots.dashboard(r, {{0: r, 1: r}}, {{0: 1.0, 1: 2.0}}, {str(tmp_path / 'd.png')!r}, {{'dpi': 40}}, "
        "experiment='e')\n"
        "heavy = [m for m in ('seaborn', 'scipy', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    _run_fresh(code)


def test_density_2d_is_scipys_gaussian_kde(rng):
    from scipy.stats import gaussian_kde

    from toygan.plots.kde import density_2d, mass_levels

    pts = np.c_[rng.normal(0, 1, 400), rng.normal(0, 1, 400) * 0.5] @ np.array([[1.0, 0.4], [0.0, 1.0]])
    gx, gy = np.linspace(-3, 3, 31), np.linspace(-2, 2, 21)
    X, Y = np.meshgrid(gx, gy)
    for bw in (1.0, 0.6):
        kde = gaussian_kde(pts.T)
        kde.set_bandwidth(kde.scotts_factor() * bw)
        want = kde(np.vstack([X.ravel(), Y.ravel()])).reshape(X.shape)
        np.testing.assert_allclose(density_2d(pts, gx, gy, bw_adjust=bw), want, rtol=1e-9, atol=1e-12)
    assert density_2d(np.c_[np.arange(10.0), np.arange(10.0)], gx, gy, bw_adjust=1.0) is None  # on a line
    dens = density_2d(pts, gx, gy, bw_adjust=1.0)
    lo, hi = mass_levels(dens, [0.95, 0.5])
    assert lo < hi and abs(dens[dens >= hi].sum() / dens.sum() - 0.5) < 0.05


def test_the_real_density_smooths_less_where_the_data_lie_on_thin_curves(rng):
    """One blob keeps Scott's bandwidth; two thin concentric circles get a smaller one, the
    one with the best leave-one-out likelihood (and scipy's formula for it)."""
    from scipy.stats import gaussian_kde

    from toygan.plots.kde import best_bw_adjust, loo_log_likelihood

    blob = rng.normal(size=(1500, 2))
    assert best_bw_adjust(blob, 1.0) == 1.0 and best_bw_adjust(blob, 0.8) == 0.8
    angle = rng.uniform(0, 2 * np.pi, 1500)
    radius = np.where(rng.uniform(size=1500) < 0.5, 1.0, 3.0) + 0.05 * rng.normal(size=1500)
    circles = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    assert best_bw_adjust(circles, 1.0) < 0.5
    kde = gaussian_kde(circles.T)
    kde.set_bandwidth(kde.scotts_factor() * 0.5)
    own = 1 / (2 * np.pi * np.sqrt(np.linalg.det(kde.covariance)))  # the first point's own kernel
    loo = (1500 * kde(circles[:1].T)[0] - own) / 1499
    assert loo_log_likelihood(circles, 0.5, n_eval=1) == pytest.approx(np.log(loo), rel=1e-9)


def test_theme_is_what_seaborn_sets():
    import matplotlib as mpl
    import seaborn as sns

    from toygan.plots import theme

    seaborn_keys = {
        *sns.axes_style("whitegrid", rc={"font.family": "sans-serif"}),
        *sns.plotting_context("notebook", font_scale=0.9),
        "axes.prop_cycle",
    }
    assert set(theme.THEME) == seaborn_keys - {"image.cmap"}
    with mpl.rc_context():
        sns.set_theme(context="notebook", style="whitegrid", font_scale=0.9)
        expected = {k: mpl.rcParams[k] for k in theme.THEME}
        codes = {c: mpl.colors.ColorConverter.colors[c] for c in theme.COLOR_CODES}
    with mpl.rc_context():
        mpl.rcParams.update(mpl.rcParamsDefault)
        theme.set_theme()
        assert {k: mpl.rcParams[k] for k in theme.THEME} == expected
    assert {c: tuple(mpl.colors.ColorConverter.colors[c]) for c in codes} == {c: tuple(v) for c, v in codes.items()}


@pytest.mark.parametrize(
    "n, bw_adjust, clip", [(500, 1.0, (-10.0, 10.0)), (37, 0.5, (-1.0, 3.0)), (2000, 2.0, (0.0, 1.5))]
)
def test_kde_line_is_seaborns_kdeplot(rng, n, bw_adjust, clip):
    import matplotlib.pyplot as plt
    import seaborn as sns

    from toygan.plots.kde import kde_line

    x = np.r_[rng.normal(0, 1, n // 2), rng.normal(3, 0.5, n - n // 2)]
    style = dict(label="gen", linewidth=1.6, zorder=2, ls="--")
    fig, (a, b) = plt.subplots(1, 2)
    sns.kdeplot(x=x, ax=a, color="#D55E00", bw_adjust=bw_adjust, clip=clip, warn_singular=False, alpha=0.9, **style)
    kde_line(b, x, color="#D55E00", bw_adjust=bw_adjust, clip=clip, alpha=0.9, **style)
    (want,), (got,) = a.lines, b.lines
    np.testing.assert_allclose(got.get_xdata(), want.get_xdata(), rtol=1e-13, atol=0)
    np.testing.assert_allclose(got.get_ydata(), want.get_ydata(), rtol=1e-10, atol=0)
    for prop in ("color", "linewidth", "linestyle", "zorder", "label", "alpha"):
        assert plt.getp(got, prop) == plt.getp(want, prop), prop
    assert got.sticky_edges.x == want.sticky_edges.x and got.sticky_edges.y == want.sticky_edges.y
    plt.close(fig)


class Recording(dict):
    """A settings dict that notes every key the drawing code asks for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_each_figure_reads_exactly_its_declared_settings(settings, rng, tmp_path):
    from toygan.config.figures import READS

    s = {kind: Recording(settings) for kind in READS}
    real1, real2 = _real1(rng), _real2(rng)
    gx, gy = np.linspace(-3, 3, 20), np.linspace(-3, 3, 15)
    who = {"experiment": "e", "seed": 0}
    # plot_run, 1-D and 2-D (toygan.plots.jobs.draw_run_figures)
    plots.density_1d(real1, real1 + 0.3, tmp_path / "a.png", s["run"], **who)
    plots.decision_1d(real1, real1, gx, _sig(gx), tmp_path / "b.png", s["run"], label=PROB, **who)
    plots.scatter_2d(real2, real2 * 0.9, tmp_path / "c.png", s["run"], **who)
    plots.heatmap_2d(gx, gy, np.zeros((15, 20)), real2, real2, tmp_path / "d.png", s["run"], label=PROB, **who)
    plots.discriminator_outputs(_sig(real1[:, 0]), _sig(-real1[:, 0]), tmp_path / "e.png", s["run"], label=PROB,
                                **who)
    plots.loss_curves(_history(), tmp_path / "f.png", s["run"], loss_name="gan", **who)
    for real, extra in ((real1, {}), (real2, {"grid_y": gy})):
        dim = real.shape[1]
        grid = np.zeros((3, len(gx))) if dim == 1 else np.zeros((3, len(gy), len(gx)))
        snap = {"epochs": np.arange(3), "samples": np.stack([real[:100]] * 3), "grid_x": gx, "d_grid": grid, **extra}
        plots.animation(snap, real, tmp_path / f"g{dim}.gif", s["animation"], label=PROB, **who)
        gens = {0: real[:100], 1: real[100:200]}
        plots.dashboard(real, gens, {0: 1.0, 1: 2.0}, tmp_path / f"h{dim}.png", s["dashboard"], experiment="e")
    plots.comparison(_by_exp(True), tmp_path / "i.png", s["comparison"])
    points = {"s__a_1": {"a": 1}, "s__a_2": {"a": 2}}
    records = [{"experiment": p, "seed": seed, "status": "ok", "w1_ratio": 1.0 + seed} for p in points for seed in (0, 1)]
    plots.sweep_figure(ranking.sweep_table(records, points, "w1_ratio"), list(points), [["a"]], "w1_ratio", "t",
                       tmp_path / "j.png", s["sweep"])
    assert {kind: sorted(rec.read) for kind, rec in s.items()} == {kind: sorted(keys) for kind, keys in READS.items()}


@pytest.mark.parametrize("win", [5, 6, 20, 31])
def test_rolling_mean_is_pandas_centred_rolling_mean(rng, win):
    from toygan.plots.training import rolling_mean

    y = rng.normal(size=300)
    y[[0, 1, 7, 150, 151, 152, 299]] = np.nan
    y[200:240] = np.nan  # a gap longer than the window: NaN there, like pandas
    want = pd.Series(y).rolling(win, center=True, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(rolling_mean(y, win), want, rtol=1e-12, atol=1e-15, equal_nan=True)


def test_read_history_reads_what_pandas_reads(tmp_path):
    from toygan.plots.jobs import read_history

    path = tmp_path / "history.csv"
    path.write_text("epoch,d_loss,g_loss,w1,event\n1,0.71104211,0.72737056,,\n2,0.7,nan,0.25,resumed\n"
                    "3,inf,-1e-05,,\n")
    want = pd.read_csv(path)
    got = read_history(path)
    assert list(got) == list(want.columns)
    for col in ("epoch", "d_loss", "g_loss", "w1"):
        np.testing.assert_array_equal(got[col], want[col].to_numpy(dtype=float))
    assert list(got["event"][1:2]) == ["resumed"]


def test_the_real_density_is_drawn_only_where_it_shows_the_datas_own_spread():
    """A KDE of the ring (modes of std 0.01) would draw blobs ten times wider than its modes:
    such data is drawn as points; smooth data (the circles) as its density."""
    from toygan.config.validate import validate_config
    from toygan.data import datasets
    from toygan.plots.runs import fit_view, real_density
    from toygan.plots.style import view_limits

    specs = validate_config({"datasets": {"ring": {"kind": "ring"}, "circles": {"kind": "circles"}},
                             "experiments": {"e": {"dataset": "ring"}}})["datasets"]
    for name, drawn in (("ring", False), ("circles", True)):
        real = datasets.training_data(specs[name])
        view, _, _ = fit_view(view_limits(real, []))
        assert (real_density(real, view, 1.0) is not None) == drawn, name
