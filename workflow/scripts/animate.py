"""Rule animate: the training GIF from the snapshots saved during training (no TensorFlow)."""
from toygan.logs import setup
from toygan.plots.jobs import draw_animation

setup(snakemake.log[0])
draw_animation(dict(snakemake.input), snakemake.output.gif, snakemake.output.page, snakemake.params.plots,
               experiment=snakemake.wildcards.experiment, seed=int(snakemake.wildcards.seed))
