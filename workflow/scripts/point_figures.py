"""Rule point_figures_<sweep>: every figure of one sweep point in one process (no TensorFlow)."""
from toygan.logs import setup
from toygan.plots.jobs import draw_point_figures

setup(snakemake.log[0])
draw_point_figures(dict(snakemake.input), dict(snakemake.output), snakemake.params.plots,
                   experiment=snakemake.wildcards.experiment, seeds=list(snakemake.params.seeds),
                   loss_name=snakemake.params.loss)
