"""Rule data: write one dataset's real training rows and its description."""
from toygan import datasets
from toygan.io import save_npy, write_json
from toygan.logs import setup

log = setup(snakemake.log[0])
spec = snakemake.params.spec
data = datasets.training_data(spec)
log.info("dataset %s (%s): %d rows of dimension %d", snakemake.params.name, spec["kind"], *data.shape)
save_npy(snakemake.output.data, data)
write_json(snakemake.output.spec, datasets.describe(spec, data))
