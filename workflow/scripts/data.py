"""Rule data: write one dataset's real training rows and its description."""
from toygan.data import datasets
from toygan.config.validate import validate_config
from toygan.io import save_npy, write_json
from toygan.logs import setup

log = setup(snakemake.log[0])
spec = snakemake.params.spec
name = snakemake.params.name
data = datasets.training_data(spec)
log.info("dataset %s (%s): %d rows of dimension %d", name, spec["kind"], *data.shape)

# The experiments come from the config, not from params: a param would rerun this rule (and
# retrain everything on the dataset) whenever an experiment's batch settings change.
datasets.check_batch_fits(data, name, spec, validate_config(snakemake.config)["experiments"])
save_npy(snakemake.output.data, data)
write_json(snakemake.output.spec, datasets.describe(spec, data))
