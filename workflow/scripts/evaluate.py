"""Rule evaluate: metrics and verdict of one run against held-out real data (no TensorFlow)."""
import numpy as np

from toygan.config.settings import Evaluation
from toygan.evaluation import reference
from toygan.evaluation.run_metrics import evaluate_run, log_result
from toygan.io import read_json, write_json
from toygan.logs import setup

log = setup(snakemake.log[0])
settings = Evaluation.parse(snakemake.params.settings)
result = evaluate_run(
    np.load(snakemake.input.eval_samples),
    read_json(snakemake.input.run),
    np.load(snakemake.input.a),
    read_json(snakemake.input.floor),
    read_json(snakemake.input.modes),
    settings,
    reference.truth_sample(snakemake.params.spec, settings),
    snakemake.params.dataset,
)
log_result(log, result)
write_json(snakemake.output.metrics, result)
