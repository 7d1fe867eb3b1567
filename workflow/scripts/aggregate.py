"""Rule aggregate: one table row per run and per-experiment mean / s.e. / min / max."""
from toygan.summary import tables
from toygan.io import read_json
from toygan.logs import setup

log = setup(snakemake.log[0])
df = tables.collect(read_json(p) for p in snakemake.input.metrics)
by_exp = tables.write_tables(df, snakemake.output.metrics, snakemake.output.by_experiment)
log.info("%d runs over %d experiments", len(df), len(by_exp))
