"""Rule evaluate: metrics of one run against held-out real data (no TensorFlow)."""
import numpy as np

from toygan import metrics
from toygan.io import read_json, write_json
from toygan.logs import setup

log = setup(snakemake.log[0])
run = read_json(snakemake.input.run)
spec = read_json(snakemake.input.spec)
comps = spec["components"]
result = metrics.evaluate(
    np.load(snakemake.input.eval_samples),
    np.load(snakemake.input.a),
    np.load(snakemake.input.b),
    {k: np.asarray(v) for k, v in comps.items()} if comps else None,
    snakemake.params.settings,
)
if result["status"] == "ok" and run["status"] == "diverged":
    result["status"] = "diverged"
result.update(
    experiment=run["experiment"],
    dataset=snakemake.params.dataset,
    seed=run["seed"],
    diverged_epoch=run["diverged_epoch"],
)
log.info("%s seed %s: status %s, W1 %s (floor %s)", run["experiment"], run["seed"], result["status"],
         result.get("w1"), result.get("w1_floor"))
write_json(snakemake.output.metrics, result)
