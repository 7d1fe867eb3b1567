"""One job, several replicas of a sweep: sample each trained model (NumPy, no TensorFlow) and
score the samples, writing every replica's files where its own sample and evaluate jobs would.

A sweep of hundreds of points would otherwise start two short processes per replica; here one
process reads the held-out data and the reference once and loops. No TensorFlow.
"""

from __future__ import annotations

import logging

import numpy as np

from ..config.settings import Evaluation, Experiment
from ..evaluation import reference
from ..evaluation.run_metrics import evaluate_run, log_result
from ..io import read_json, write_json
from ..sampling import sample
from . import jobs

log = logging.getLogger(__name__)

MODEL_KEYS = ("generator", "discriminator", "run")  # per replica, what sample.run reads
SAMPLE_KEYS = ("samples", "eval_samples", "d_real", "d_fake", "d_grid")  # per replica, what it writes


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
        result = evaluate_run(np.load(outputs["eval_samples"]), read_json(inputs["run"]), heldout, floor, modes,
                              settings, truth, smk.params.dataset)
        log_result(log, result)
        write_json(smk.output.metrics[i], result)
    jobs.write_manifest(smk.output.manifest, replicas)
