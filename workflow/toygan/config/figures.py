"""Which `plots` settings each figure rule reads (no matplotlib here: the Snakefile imports it).

A figure rule gets only its own keys as params, so editing another key does not redraw it:
`dpi` redraws the static figures, `animation_*` only the GIFs. tests/test_plots.py checks that
the drawing code reads exactly these keys.
"""

from __future__ import annotations

READS: dict[str, tuple[str, ...]] = {
    # plot_run: density, d_output, decision, losses (the format comes from the output's suffix)
    "run": ("dpi", "figsize", "kde_bw_adjust", "scatter_points"),
    "animation": (
        "animation_dpi",
        "animation_fps",
        "animation_frames",
        "animation_size",
        "kde_bw_adjust",
        "scatter_points",
    ),
    "dashboard": ("dpi", "figsize", "kde_bw_adjust", "scatter_points"),
    "comparison": ("dpi", "figsize"),
    "sweep": ("dpi", "figsize"),
}


def figure_settings(plots: dict, figure: str) -> dict:
    """The part of the config's ``plots`` section that ``figure`` reads, keys sorted."""
    return {key: plots[key] for key in sorted(READS[figure])}
