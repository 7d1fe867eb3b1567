"""Rule benchmark_table: the PacGAN-style Markdown table of mode metrics, with training wall per run."""
import pandas as pd

from toygan.summary import tables
from toygan.io import read_json, write_text
from toygan.logs import setup

setup(snakemake.log[0])
bench = snakemake.params.benchmark
by_exp = pd.read_csv(snakemake.input.by_experiment, sep="\t")
walls = tables.train_wall_per_run(read_json(p) for p in snakemake.input.runs)
true_samples = {d: read_json(p).get("true_sample_modes") for d, p in zip(snakemake.params.datasets, snakemake.input.floors)}
mode_widths = {}
for path in snakemake.input.metrics:
    run = read_json(path)
    mode_widths.setdefault(run["experiment"], []).append(run.get("mode_width_ratio"))
write_text(snakemake.output.table,
           tables.benchmark_table(by_exp, bench["title"], bench["reference"], walls, true_samples, mode_widths))
