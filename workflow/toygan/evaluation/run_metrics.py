"""The metrics.json of one run: its sample's metrics, its training status and its verdict.

Shared by the evaluate rule (one run) and a sweep's batch jobs (many runs, toygan.sweeps.runs),
so that both write the same file for the same inputs. No TensorFlow.
"""

from __future__ import annotations

import logging

import numpy as np

from ..config.settings import Evaluation
from . import metrics, verdict


def evaluate_run(eval_samples: np.ndarray, run: dict, heldout: np.ndarray, floor: dict, modes: dict,
                 settings: Evaluation, truth: np.ndarray | None, dataset: str) -> dict:
    """Metrics of ``eval_samples`` against held-out real rows, with the run's identity and verdict."""
    result = metrics.evaluate(eval_samples, heldout, floor, modes, settings, truth_sample=truth)
    if result["status"] == "ok" and run["status"] == "diverged":
        result["status"] = "diverged"
    result.update(experiment=run["experiment"], dataset=dataset, seed=run["seed"], diverged_epoch=run["diverged_epoch"])
    result["verdict"], result["verdict_reason"] = verdict.decide(result, settings)
    return result


def log_result(log: logging.Logger, result: dict) -> None:
    log.info("%s seed %s: status %s, verdict %s (%s), W1 %s (floor %s ± %s), w1_truth %s", result["experiment"],
             result["seed"], result["status"], result["verdict"], result["verdict_reason"], result.get("w1"),
             result.get("w1_floor"), result.get("w1_floor_sd"), result.get("w1_truth"))
