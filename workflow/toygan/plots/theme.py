"""seaborn's ``set_theme(context="notebook", style="whitegrid", font_scale=0.9)`` as plain
rcParams, so a figure job styles its figures without importing seaborn (which imports
scipy.stats: about half of a figure job's start-up). tests/test_plots.py checks that these
are the values seaborn sets, key for key.

Left out: ``image.cmap`` ("rocket" is registered only by importing seaborn); every toygan
figure names its colormap.
"""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

# seaborn's "deep" palette: the colour cycle, and the colours of the single-letter codes.
DEEP = [
    (0.2980392156862745, 0.4470588235294118, 0.6901960784313725),
    (0.8666666666666667, 0.5176470588235295, 0.3215686274509804),
    (0.3333333333333333, 0.6588235294117647, 0.40784313725490196),
    (0.7686274509803922, 0.3058823529411765, 0.3215686274509804),
    (0.5058823529411764, 0.4470588235294118, 0.7019607843137254),
    (0.5764705882352941, 0.47058823529411764, 0.3764705882352941),
    (0.8549019607843137, 0.5450980392156862, 0.7647058823529411),
    (0.5490196078431373, 0.5490196078431373, 0.5490196078431373),
    (0.8, 0.7254901960784313, 0.4549019607843137),
    (0.39215686274509803, 0.7098039215686275, 0.803921568627451),
]
COLOR_CODES = {"b": DEEP[0], "g": DEEP[2], "r": DEEP[3], "m": DEEP[4], "y": DEEP[8], "c": DEEP[9], "k": (0.1, 0.1, 0.1)}

THEME = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.labelsize": 10.8,
    "axes.linewidth": 1.25,
    "axes.prop_cycle": cycler("color", DEEP),
    "axes.spines.bottom": True,
    "axes.spines.left": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "axes.titlesize": 10.8,
    "figure.facecolor": "white",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 10.8,
    "grid.color": ".8",
    "grid.linestyle": "-",
    "grid.linewidth": 1.0,
    "legend.fontsize": 9.9,
    "legend.title_fontsize": 10.8,
    "lines.linewidth": 1.5,
    "lines.markersize": 6.0,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "patch.linewidth": 1.0,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.direction": "out",
    "xtick.labelsize": 9.9,
    "xtick.major.size": 6.0,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0,
    "xtick.top": False,
    "ytick.color": ".15",
    "ytick.direction": "out",
    "ytick.labelsize": 9.9,
    "ytick.left": False,
    "ytick.major.size": 6.0,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0,
    "ytick.minor.width": 1.0,
    "ytick.right": False,
}


def set_theme() -> None:
    """What ``seaborn.set_theme(context="notebook", style="whitegrid", font_scale=0.9)`` does."""
    mpl.rcParams.update(THEME)
    for code, rgb in COLOR_CODES.items():  # seaborn's set_color_codes("deep")
        mpl.colors.ColorConverter.colors[code] = rgb
        mpl.colors.colorConverter.cache.pop(code, None)
