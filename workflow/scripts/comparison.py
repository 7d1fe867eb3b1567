"""Rule comparison: W1 / noise floor and mode metrics across experiments (no TensorFlow)."""
import pandas as pd

from toygan import plots
from toygan.logs import setup

setup(snakemake.log[0])
by_exp = pd.read_csv(snakemake.input.by_experiment, sep="\t")
plots.comparison(by_exp, snakemake.output.figure, snakemake.params.plots)
