"""Rule sweep_summary: one sweep's ranked table and figure (no TensorFlow)."""
from toygan import plots
from toygan.sweeps import ranking
from toygan.io import read_json
from toygan.logs import setup

log = setup(snakemake.log[0])
p = snakemake.params
table = ranking.sweep_table((read_json(f) for f in snakemake.input.metrics), p.points, p.metric, p.higher_is_better)
ranking.write(table, snakemake.output.table)
plots.sweep_figure(table, list(p.points), p.axes, p.metric, f"sweep {snakemake.wildcards.sweep}: {p.metric} per point "
                   "(mean ± s.e. over seeds)", snakemake.output.figure, p.plots, labels=p.labels,
                   higher_is_better=p.higher_is_better)
log.info("%d points; best %s", len(table), table["point"].iloc[0])
