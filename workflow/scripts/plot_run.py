"""Rule plot_run: the per-run figures (no TensorFlow)."""
from toygan.logs import setup
from toygan.plots.jobs import draw_run_figures

setup(snakemake.log[0])
draw_run_figures(
    dict(snakemake.input), dict(snakemake.output), snakemake.params.plots,
    experiment=snakemake.wildcards.experiment, seed=int(snakemake.wildcards.seed), loss_name=snakemake.params.loss,
)
