"""Rule heldout: two independent real samples for scoring and the noise floor."""
from toygan.data import datasets
from toygan.io import save_npy
from toygan.logs import setup

log = setup(snakemake.log[0])
a, b = datasets.heldout_pair(snakemake.params.spec, snakemake.params.n, snakemake.params.seed)
log.info("held-out samples: 2 x %d rows", len(a))
save_npy(snakemake.output.a, a)
save_npy(snakemake.output.b, b)
