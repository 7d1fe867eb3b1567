"""Rule reference: a dataset's noise-floor distribution and the modes runs are scored against."""
import numpy as np

from toygan.config.settings import Evaluation
from toygan.evaluation import reference
from toygan.io import write_json
from toygan.logs import setup

log = setup(snakemake.log[0])
floor, modes = reference.build(snakemake.params.spec, np.load(snakemake.input.a), np.load(snakemake.input.b),
                               Evaluation.parse(snakemake.params.settings), workers=snakemake.threads)
log.info("%s", reference.describe(floor, modes))
write_json(snakemake.output.floor, floor)
write_json(snakemake.output.modes, modes)
