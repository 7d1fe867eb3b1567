"""Figure layout, read from matplotlib's own text extents: no title, label or tick label runs
into another, 2-D panels are neither squashed nor lost in empty space, axes carry the data's
column names, for 1 to 12 seeds or experiments and long experiment names."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from toygan import plots
from toygan.plots.jobs import data_columns, draw_dashboard, draw_run_figures

LONG = "sweep_two_normals__lr_smoothing__real_label_0p8__g_lr_0p00025__d_lr_0p0005"
PROB = "D(x) = P(real)"
NAMES_2D = ["sepal_length", "petal_width"]
VERDICTS = ("ok", "mode_collapse", "inconclusive", "diverged", "failed")


@pytest.fixture
def settings():
    # The schema's defaults except fewer points (speed); layout does not depend on them.
    return dict(format="png", dpi=60, scatter_points=400, animation_frames=3)  # dpi: see text_collisions


@pytest.fixture
def kept(monkeypatch):
    """The figures the plotting code closes, kept open to be inspected (closed afterwards)."""
    import matplotlib.pyplot as plt

    close = plt.close
    figures = []

    def keep(fig=None):
        if isinstance(fig, Figure):
            figures.append(fig)
        else:
            close(fig)

    monkeypatch.setattr(plt, "close", keep)
    yield figures
    for fig in figures:
        close(fig)


def _rng():
    return np.random.default_rng(0)


def _real2(n=1500):
    """Two blobs, wider than tall (as the CSV of a new user was): spans about 2 : 1."""
    rng = _rng()
    return np.r_[rng.normal([-1.5, 0.5], [0.6, 0.4], (n // 2, 2)), rng.normal([2.0, 1.5], [0.5, 0.7], (n - n // 2, 2))]


def _real1(n=1500):
    rng = _rng()
    return np.r_[rng.normal(-2, 0.5, n // 2), rng.normal(2, 0.5, n - n // 2)][:, None]


def _gens(real, n_seeds):
    rng = _rng()
    gens = {s: real[rng.choice(len(real), 500)] * (1 + 0.05 * s) + rng.normal(0, 0.1, (500, real.shape[1]))
            for s in range(n_seeds)}
    if n_seeds > 2:
        gens[2] = np.full((300, real.shape[1]), 1.5)  # collapsed onto a point
    return gens


# ----------------------------------------------------------------------------- the checks


def _texts(fig: Figure, renderer) -> list[tuple[str, object, object, str]]:
    """(kind, owner, window extent, text) of every visible, non-empty text a reader reads as a
    heading or a label: suptitle, titles, axis labels, tick labels (those drawn), legends."""
    out = []

    def add(t, kind, owner):
        if t is not None and t.get_visible() and t.get_text().strip():
            out.append((kind, owner, t.get_window_extent(renderer), t.get_text()))

    add(fig._suptitle, "suptitle", "figure")
    legends = list(fig.legends)
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for t in (ax.title, ax._left_title, ax._right_title):
            add(t, "title", i)
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible():  # e.g. the x axis of a twin
                continue
            add(axis.label, "label", i)
            for tick in axis._update_ticks():  # the ticks drawn: those inside the view
                for label in (tick.label1, tick.label2):
                    add(label, "tick", (i, name))
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for k, legend in enumerate(legends):
        owner = ("legend", k, fig.axes.index(legend.axes) if legend.axes in fig.axes else "figure")
        add(legend.get_title(), "legend", owner)
        for t in legend.get_texts():
            add(t, "legend", owner)
    return out


def _axes_of(owner):
    """The index of the axes a text belongs to (None: the figure's own)."""
    if isinstance(owner, int):
        return owner
    if isinstance(owner, tuple) and owner[0] == "legend":
        return owner[-1] if isinstance(owner[-1], int) else None
    if isinstance(owner, tuple):
        return owner[0]
    return None


def _overlap(a, b, tol=0.5) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tol and min(a.y1, b.y1) - max(a.y0, b.y0) > tol


def text_collisions(fig: Figure, dpis=(72, 110, 150)) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap, at each of ``dpis`` (hinted glyph widths do not
    scale exactly with the resolution: titles that clear each other at one dpi may touch at
    another; 110 is the configured default). The entries of one legend are stacked by
    matplotlib and not compared with each other."""
    bad = []
    dpi = fig.dpi
    for d in dict.fromkeys([dpi, *dpis]):  # the figure's own first (a GIF's layout is frozen at it)
        fig.set_dpi(d)
        fig.canvas.draw()
        texts = _texts(fig, fig.canvas.get_renderer())
        for (k1, o1, b1, t1), (k2, o2, b2, t2) in itertools.combinations(texts, 2):
            if k1 == k2 == "legend" and o1 == o2:
                continue
            if _overlap(b1, b2) and (t1, t2) not in bad:
                bad.append((t1, t2))
        # No text crosses another panel (or colour bar); a twin shares its axes' box.
        boxes = [(i, ax.get_window_extent()) for i, ax in enumerate(fig.axes) if ax.get_visible()]
        for _, owner, b, t in texts:
            i = _axes_of(owner)
            mine = fig.axes[i].get_window_extent().bounds if i is not None else None
            for j, box in boxes:
                if j != i and box.bounds != mine and _overlap(b, box, tol=1.0) and (t, f"axes {j}") not in bad:
                    bad.append((t, f"axes {j}"))
    fig.set_dpi(dpi)
    fig.canvas.draw()
    return bad


def assert_no_collisions(fig: Figure) -> None:
    bad = text_collisions(fig)
    assert not bad, f"overlapping texts: {bad[:5]}"


def _saved_area(fig: Figure):
    """The saved figure's box in pixels (figures are saved with bbox_inches="tight")."""
    renderer = fig.canvas.get_renderer()
    return fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)


def _panel_boxes(fig: Figure, axes) -> list:
    fig.canvas.draw()
    return [ax.get_window_extent() for ax in axes]  # after apply_aspect: the box drawn


def assert_panels_use_the_figure(fig: Figure, axes, min_share: float) -> None:
    """Each 2-D panel's box is at most 3 : 2 either way (never a flat strip), and the panels
    together cover at least ``min_share`` of the saved figure."""
    boxes = _panel_boxes(fig, axes)
    for box in boxes:
        assert 1 / 1.55 <= box.height / box.width <= 1.55, (box.width, box.height)
    area = _saved_area(fig)
    share = sum(b.width * b.height for b in boxes) / (area.width * area.height)
    assert share >= min_share, f"panels cover {share:.0%} of the figure"


def _axis_labels(fig: Figure) -> set[str]:
    return {a.get_xlabel() for a in fig.axes} | {a.get_ylabel() for a in fig.axes}


def _panels(fig: Figure):
    """The visible data panels (not colour bars)."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


# ----------------------------------------------------------------------------- dashboard


@pytest.mark.parametrize("n_seeds", [1, 3, 10, 12])
@pytest.mark.parametrize("experiment", ["ring", LONG])
def test_dashboard_2d_layout(settings, kept, tmp_path, n_seeds, experiment):
    real = _real2()
    gens = _gens(real, n_seeds)
    ratios = {s: 1.0 + 0.37 * s for s in gens}
    verdicts = {s: VERDICTS[s % len(VERDICTS)] for s in gens}
    plots.dashboard(real, gens, ratios, tmp_path / "d.png", settings, experiment=experiment, verdicts=verdicts,
                    columns=NAMES_2D)
    (fig,) = kept
    panels = _panels(fig)
    assert len(panels) == n_seeds
    assert_no_collisions(fig)
    assert_panels_use_the_figure(fig, panels, min_share=0.4)
    assert _axis_labels(fig) - {""} == set(NAMES_2D)
    titles = [ax.get_title() for ax in panels]
    assert titles[1 % n_seeds].replace("\n", " ").startswith(f"seed {1 % n_seeds} · ")
    assert all("W1/floor" in t for t in titles)
    assert experiment.replace("\n", "") in fig._suptitle.get_text().replace("\n", "")
    assert len(fig.legends) == 1  # one legend for every panel


@pytest.mark.parametrize("n_seeds", [1, 3, 10])
@pytest.mark.parametrize("experiment", ["two_normals", LONG])
def test_dashboard_1d_layout(settings, kept, tmp_path, n_seeds, experiment):
    real = _real1()
    gens = _gens(real, n_seeds)
    plots.dashboard(real, gens, {s: 1.0 + s for s in gens}, tmp_path / "d.png", settings, experiment=experiment,
                    verdicts={s: VERDICTS[s % len(VERDICTS)] for s in gens}, columns=["height_cm"])
    (fig,) = kept
    assert_no_collisions(fig)
    assert "height_cm" in _axis_labels(fig)
    (ax,) = _panels(fig)
    area = _saved_area(fig)
    box = _panel_boxes(fig, [ax])[0]
    assert box.width * box.height >= 0.3 * area.width * area.height


def test_dashboard_real_is_as_legible_as_generated(settings, kept, tmp_path):
    """2-D: the real data is its filled density with outlines (not faint points), drawn in
    REAL_COLOR; the generated points in FAKE_COLOR, not fainter than half opacity."""
    from matplotlib.colors import to_rgba

    real = _real2()
    plots.dashboard(real, _gens(real, 2), {0: 1.0, 1: 2.0}, tmp_path / "d.png", settings, experiment="e")
    (fig,) = kept
    ax = _panels(fig)[0]
    outlines = [c for c in ax.collections if hasattr(c, "get_edgecolor") and len(c.get_edgecolor())
                and np.allclose(c.get_edgecolor()[0], to_rgba(plots.REAL_COLOR))]
    assert outlines, "the real density's outline is drawn in REAL_COLOR"
    points = [c for c in ax.collections if c.get_offsets().shape[0] > 50]
    assert points and all(np.allclose(c.get_facecolor()[0][:3], to_rgba(plots.FAKE_COLOR)[:3]) for c in points)
    assert min(c.get_facecolor()[0][3] for c in points) >= 0.5


# ----------------------------------------------------------------------------- per-run figures


def _grid2():
    gx, gy = np.linspace(-4, 4, 40), np.linspace(-2, 4, 30)
    X, Y = np.meshgrid(gx, gy)
    return gx, gy, 1 / (1 + np.exp(-(X - Y)))


@pytest.mark.parametrize("experiment", ["ring", LONG])
def test_run_figures_2d_layout(settings, kept, tmp_path, experiment):
    real = _real2()
    gen = real[::3] * 1.1
    plots.scatter_2d(real, gen, tmp_path / "s.png", settings, experiment=experiment, seed=3, columns=NAMES_2D)
    gx, gy, d = _grid2()
    plots.heatmap_2d(gx, gy, d, real, gen, tmp_path / "h.png", settings, experiment=experiment, seed=3,
                     label=PROB, columns=NAMES_2D)
    for fig in kept:
        assert_no_collisions(fig)
        (ax,) = _panels(fig)
        assert (ax.get_xlabel(), ax.get_ylabel()) == tuple(NAMES_2D)
        assert_panels_use_the_figure(fig, [ax], min_share=0.35)


def test_run_figure_2d_real_and_generated_points_alike(settings, kept, tmp_path):
    """Real and generated points share one layer, one size and one alpha (shuffled together)."""
    from matplotlib.colors import to_rgba

    real = _real2()
    plots.scatter_2d(real, real[::2], tmp_path / "s.png", settings, experiment="e", seed=0)
    (fig,) = kept
    (layer,) = [c for c in _panels(fig)[0].collections if c.get_offsets().shape[0] > 50]
    colors = layer.get_facecolor()
    real_rows = np.all(np.isclose(colors[:, :3], to_rgba(plots.REAL_COLOR)[:3]), axis=1)
    fake_rows = np.all(np.isclose(colors[:, :3], to_rgba(plots.FAKE_COLOR)[:3]), axis=1)
    assert real_rows.sum() == fake_rows.sum() == settings["scatter_points"]
    assert len(set(colors[:, 3])) == 1 and len(set(np.ravel(layer.get_sizes()))) == 1
    assert real_rows[: len(real_rows) // 2].any() and fake_rows[: len(fake_rows) // 2].any()  # interleaved


@pytest.mark.parametrize("experiment", ["two_normals", LONG])
def test_run_figures_1d_layout(settings, kept, tmp_path, experiment):
    real = _real1()
    gx = np.linspace(-5, 5, 60)
    plots.density_1d(real, real + 0.3, tmp_path / "a.png", settings, experiment=experiment, seed=0,
                     columns=["height_cm"])
    plots.decision_1d(real, real + 0.3, gx, 1 / (1 + np.exp(-np.cos(gx))), tmp_path / "b.png", settings,
                      experiment=experiment, seed=0, label=PROB, columns=["height_cm"])
    plots.discriminator_outputs(np.linspace(0, 1, 50), np.linspace(0, 0.5, 50), tmp_path / "c.png", settings,
                                experiment=experiment, seed=0, label=PROB)
    for fig in kept:
        assert_no_collisions(fig)
    assert "height_cm" in _axis_labels(kept[0]) and "height_cm" in _axis_labels(kept[1])


def _inside_figure(fig: Figure) -> None:
    """A GIF frame is the whole figure: every text lies inside it."""
    fig.canvas.draw()
    box = fig.bbox
    for _, _, b, text in _texts(fig, fig.canvas.get_renderer()):
        assert b.x0 >= box.x0 - 1 and b.x1 <= box.x1 + 1 and b.y0 >= box.y0 - 1 and b.y1 <= box.y1 + 1, text


@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("experiment", ["ring", LONG])
def test_animation_layout(settings, kept, tmp_path, dim, experiment):
    F = 3
    if dim == 2:
        gx, gy, d = _grid2()
        real, names = _real2(), NAMES_2D
        snap = {"grid_x": gx, "grid_y": gy, "d_grid": np.stack([d] * F)}
    else:
        gx = np.linspace(-5, 5, 60)
        real, names = _real1(), ["height_cm"]
        snap = {"grid_x": gx, "d_grid": np.stack([1 / (1 + np.exp(-np.cos(gx + f))) for f in range(F)])}
    snap |= {"epochs": np.arange(F) * 10, "samples": np.stack([real[:300] * (0.5 + f / F) for f in range(F)])}
    plots.animation(snap, real, tmp_path / "a.gif", settings, experiment=experiment, seed=1, label=PROB,
                    columns=names)
    (fig,) = kept
    assert_no_collisions(fig)
    _inside_figure(fig)
    ax = fig.axes[0]
    assert [ax.get_xlabel(), ax.get_ylabel()][:dim] == names
    if dim == 2:
        assert_panels_use_the_figure(fig, [ax], min_share=0.3)


# ----------------------------------------------------------------------------- column names


def test_axis_names_fall_back_to_x_and_y():
    assert plots.axis_names(None, 1) == ["x"] and plots.axis_names(None, 2) == ["x", "y"]
    assert plots.axis_names(["a", "b"], 2) == ["a", "b"]
    assert plots.axis_names(["a"], 2) == ["x", "y"]  # names that do not fit the data are not used
    assert plots.axis_names(["a", ""], 2) == ["x", "y"]


def test_data_columns_from_the_description(tmp_path):
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    new.write_text(json.dumps({"dim": 2, "columns": ["sepal_length", "petal_width"]}))
    old.write_text(json.dumps({"dim": 2}))  # written before the description had "columns"
    assert data_columns(str(new), 2) == ["sepal_length", "petal_width"]
    assert data_columns(str(old), 2) == ["x", "y"]
    assert data_columns(str(old), 1) == ["x"]
    assert data_columns(None, 1) == ["x"]


@pytest.mark.parametrize("dim", [1, 2])
def test_jobs_label_axes_with_the_columns_of_the_description(settings, kept, tmp_path, dim):
    """The glue of the plot_run and dashboard rules reads the names from the spec input."""
    real = _real2() if dim == 2 else _real1()
    names = NAMES_2D if dim == 2 else ["height_cm"]
    files = {"data": tmp_path / "data.npy", "spec": tmp_path / "data.json", "samples": tmp_path / "g.npy",
             "d_real": tmp_path / "dr.npy", "d_fake": tmp_path / "df.npy", "d_grid": tmp_path / "grid.npz",
             "run": tmp_path / "run.json", "history": tmp_path / "history.csv", "metrics": tmp_path / "m.json"}
    np.save(files["data"], real)
    np.save(files["samples"], real[::2] * 1.05)
    files["spec"].write_text(json.dumps({"dim": dim, "columns": names}))
    np.save(files["d_real"], np.full(len(real), 0.6))
    np.save(files["d_fake"], np.full(len(real) // 2, 0.4))
    if dim == 2:
        gx, gy, d = _grid2()
        np.savez(files["d_grid"], grid_x=gx, grid_y=gy, d=d, label=PROB)
    else:
        gx = np.linspace(-5, 5, 50)
        np.savez(files["d_grid"], grid_x=gx, d=1 / (1 + np.exp(-gx)), label=PROB)
    files["run"].write_text(json.dumps({"diverged_epoch": None}))
    files["history"].write_text("epoch,d_loss,g_loss,w1\n1,0.7,0.7,0.5\n2,0.6,0.8,\n")
    files["metrics"].write_text(json.dumps({"w1_ratio": 1.4, "verdict": "ok"}))
    outputs = {k: tmp_path / f"{k}.png" for k in ("density", "d_output", "decision", "losses")}
    draw_run_figures({k: str(v) for k, v in files.items()}, outputs, settings, experiment="e", seed=0,
                     loss_name="gan")
    draw_dashboard(str(files["data"]), [str(files["samples"])], [str(files["metrics"])], [0],
                   str(tmp_path / "dash.png"), settings, experiment="e", spec=str(files["spec"]))
    density, decision, _, _, dash = kept  # as draw_run_figures draws them, then the dashboard
    for fig in (density, decision, dash):
        assert set(names) <= _axis_labels(fig), _axis_labels(fig)
        assert not {"x₁", "x₂"} & _axis_labels(fig)


# ----------------------------------------------------------------------------- comparison


def _by_exp(n: int, *, prdc: bool, widths: bool = False) -> pd.DataFrame:
    r = np.random.default_rng(n)
    names = [LONG if i % 3 == 0 else f"ring8_{i}" for i in range(n)]
    df = pd.DataFrame({
        "experiment": names,
        "w1_ratio_mean": r.uniform(1, 20, n), "w1_ratio_se": r.uniform(0.1, 2, n),
        "w1_ratio_min": r.uniform(0.8, 1, n), "w1_ratio_max": r.uniform(20, 30, n), "n_seeds": 10,
        "modes_captured_mean": r.uniform(3, 8, n), "modes_captured_se": 0.3, "n_modes_mean": 8,
        "high_quality_fraction_mean": r.uniform(0.4, 1, n), "high_quality_fraction_se": 0.03,
        "n_ok": 7, "n_mode_collapse": 3,
    })
    if prdc:
        for m in ("precision", "recall", "density", "coverage"):
            df[f"{m}_mean"] = r.uniform(0.3, 1.0, n)
            df[f"{m}_se"] = r.uniform(0.01, 0.05, n)
            df[f"{m}_floor_mean"] = r.uniform(0.9, 1.0, n)
        if n > 1:  # an experiment scored before these metrics existed
            df.loc[0, [c for c in df.columns if c.startswith(("precision", "recall", "density", "coverage"))]] = np.nan
    if widths:
        df["width_ratio_min_mean"] = r.uniform(0.3, 1.0, n)
        df["width_ratio_max_mean"] = r.uniform(1.0, 2.5, n)
    return df


@pytest.mark.parametrize("n", [1, 3, 12])
@pytest.mark.parametrize("prdc", [False, True])
def test_comparison_layout(settings, kept, tmp_path, n, prdc):
    plots.comparison(_by_exp(n, prdc=prdc, widths=prdc), tmp_path / "c.png", settings)
    (fig,) = kept
    assert_no_collisions(fig)
    ylabels = [ax.get_ylabel() for ax in fig.axes]
    assert ("sample metrics" in ylabels) == prdc
    assert any("mode width" in y for y in ylabels) == prdc
    area = _saved_area(fig)
    covered = sum(b.width * b.height for b in _panel_boxes(fig, fig.axes))
    assert covered >= 0.3 * area.width * area.height


def test_comparison_sample_metrics_panel(settings, kept, tmp_path):
    """Four bars per experiment (mean ± s.e.) and each metric's floor marked across its bar."""
    df = _by_exp(3, prdc=True)
    plots.comparison(df, tmp_path / "c.png", settings)
    (fig,) = kept
    (ax,) = [a for a in fig.axes if a.get_ylabel() == "sample metrics"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["precision", "recall", "density", "coverage", "real-vs-real floor (mean)"]
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(sorted(heights), sorted(np.nan_to_num(df[[f"{m}_mean" for m in
                       ("precision", "recall", "density", "coverage")]].to_numpy().T.ravel())))
    floors = [c for c in ax.collections if len(c.get_segments()) and c.get_linewidth()[0] > 2]
    assert sum(len(c.get_segments()) for c in floors) == 4 * 2  # the first experiment has no PRDC
    assert "n/a" in [t.get_text() for t in ax.texts]


def test_comparison_without_the_new_columns_still_draws(settings, kept, tmp_path):
    """Old results: no PRDC and no width columns, or a mode table alone."""
    df = _by_exp(3, prdc=False)[["experiment", "w1_ratio_mean", "w1_ratio_se", "n_seeds"]]
    plots.comparison(df, tmp_path / "c.png", settings)
    (fig,) = kept
    assert len(fig.axes) == 1
    assert_no_collisions(fig)


def test_comparison_names_after_a_shared_prefix(settings, kept, tmp_path):
    """Sweep points share their sweep's name: it is said once, the ticks keep what differs."""
    df = _by_exp(4, prdc=False)
    df["experiment"] = [f"sweep_two_normals__g_lr_{v}" for v in ("0p001", "0p0005", "0p00025", "0p0001")]
    plots.comparison(df, tmp_path / "c.png", settings)
    (fig,) = kept
    ticks = [t.get_text().split("\n")[0] for t in fig.axes[-1].get_xticklabels()]
    assert ticks == ["g_lr_0p001", "g_lr_0p0005", "g_lr_0p00025", "g_lr_0p0001"]
    assert "sweep_two_normals__" in fig.axes[-1].get_xlabel()
    assert_no_collisions(fig)
