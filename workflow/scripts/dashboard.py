"""Rule dashboard: every seed of one experiment over the real density (no TensorFlow)."""
from toygan.logs import setup
from toygan.plots.jobs import draw_dashboard

setup(snakemake.log[0])
draw_dashboard(snakemake.input.data, list(snakemake.input.samples), list(snakemake.input.metrics),
               list(snakemake.params.seeds), snakemake.output.figure, snakemake.params.plots,
               experiment=snakemake.wildcards.experiment, spec=snakemake.input.spec)
