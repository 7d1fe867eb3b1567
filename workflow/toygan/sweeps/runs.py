"""One job, several replicas of a sweep: sample each trained model (NumPy, no TensorFlow) and
score the samples, writing every replica's files where its own sample and evaluate jobs would.

A sweep of hundreds of points would otherwise start two short processes per replica; here one
process reads the held-out data and the reference once and loops. No TensorFlow.
"""

from __future__ import annotations

import logging

import numpy as np

from ..config.settings import Evaluation, Experiment
from ..evaluation import metrics, reference, verdict
from ..io import read_json, write_json
from ..sampling import sample
from . import jobs

log = logging.getLogger(__name__)

MODEL_KEYS = ("generator", "discriminator", "run")  # per replica, what sample.run reads
SAMPLE_KEYS = ("samples", "eval_samples", "d_real", "d_fake", "d_grid")  # per replica, what it writes


def evaluate(eval_samples: np.ndarray, run: dict, heldout: np.ndarray, floor: dict, modes: dict,
             settings: Evaluation, truth: np.ndarray | None, dataset: str) -> dict:
    """The metrics.json of one run: what workflow/scripts/evaluate.py writes for the same files."""
    result = metrics.evaluate(eval_samples, heldout, floor, modes, settings, truth_sample=truth)
    if result["status"] == "ok" and run["status"] == "diverged":
        result["status"] = "diverged"
    result.update(experiment=run["experiment"], dataset=dataset, seed=run["seed"], diverged_epoch=run["diverged_epoch"])
    result["verdict"], result["verdict_reason"] = verdict.decide(result, settings)
    return result


def main_from_snakemake(smk) -> None:
    from ..logs import setup

    setup(smk.log[0])
    replicas = jobs.replicas_from_paths(smk.output.metrics)
    settings = Evaluation.parse(smk.params.settings)
    heldout = np.load(smk.input.a)
    floor, modes = read_json(smk.input.floor), read_json(smk.input.modes)
    truth = reference.truth_sample(smk.params.spec, settings)
    for i, (point, seed) in enumerate(replicas):
        inputs = {key: smk.input[key][i] for key in MODEL_KEYS}
        inputs["data"] = smk.input.data
        outputs = {key: smk.output[key][i] for key in SAMPLE_KEYS}
        sample.run(Experiment.parse(smk.config["experiments"][point]), seed, inputs, outputs, smk.params.n_eval)
        run = read_json(inputs["run"])
        result = evaluate(np.load(outputs["eval_samples"]), run, heldout, floor, modes, settings, truth,
                          smk.params.dataset)
        log.info("%s seed %s: status %s, verdict %s (%s), W1 %s (floor %s ± %s)", point, seed, result["status"],
                 result["verdict"], result["verdict_reason"], result.get("w1"), result.get("w1_floor"),
                 result.get("w1_floor_sd"))
        write_json(smk.output.metrics[i], result)
    jobs.write_manifest(smk.output.manifest, replicas)
