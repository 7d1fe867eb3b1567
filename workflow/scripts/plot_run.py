"""Rule plot_run: the per-run figures and the training animation (no TensorFlow)."""
from toygan.logs import setup
from toygan.run_figures import draw_animation, draw_run_figures

setup(snakemake.log[0])
who = {"experiment": snakemake.wildcards.experiment, "seed": int(snakemake.wildcards.seed)}
outputs = dict(snakemake.output)
draw_run_figures(dict(snakemake.input), outputs, snakemake.params.plots, loss_name=snakemake.params.loss, **who)
draw_animation(dict(snakemake.input), outputs["gif"], outputs["page"], snakemake.params.plots, **who)
