"""Rule evaluate: metrics and verdict of one run against held-out real data (no TensorFlow)."""
import numpy as np

from toygan.config.settings import Evaluation
from toygan.evaluation import metrics, reference, verdict
from toygan.io import read_json, write_json
from toygan.logs import setup

log = setup(snakemake.log[0])
run = read_json(snakemake.input.run)
settings = Evaluation.parse(snakemake.params.settings)
result = metrics.evaluate(
    np.load(snakemake.input.eval_samples),
    np.load(snakemake.input.a),
    read_json(snakemake.input.floor),
    read_json(snakemake.input.modes),
    settings,
    truth_sample=reference.truth_sample(snakemake.params.spec, settings),
)
if result["status"] == "ok" and run["status"] == "diverged":
    result["status"] = "diverged"
result.update(
    experiment=run["experiment"],
    dataset=snakemake.params.dataset,
    seed=run["seed"],
    diverged_epoch=run["diverged_epoch"],
)
result["verdict"], result["verdict_reason"] = verdict.decide(result, settings)
log.info("%s seed %s: status %s, verdict %s (%s), W1 %s (floor %s ± %s), w1_truth %s", run["experiment"],
         run["seed"], result["status"], result["verdict"], result["verdict_reason"], result.get("w1"),
         result.get("w1_floor"), result.get("w1_floor_sd"), result.get("w1_truth"))
write_json(snakemake.output.metrics, result)
