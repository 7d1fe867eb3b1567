import sys
from pathlib import Path

# The toygan package sits beside the rules; the pip install makes it importable too.
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))

from snakemake.exceptions import WorkflowError
from toygan.config import REFERENCE_SETTINGS, ConfigError, group_label, seed_groups, validate_config
from toygan.sizing import train_resources

try:
    config = validate_config(config, [str(p) for p in workflow.overwrite_configfiles] or ["config.yaml"])
except ConfigError as err:
    raise WorkflowError(str(err)) from None

R = "results"
DATASETS = config["datasets"]
EXPERIMENTS = config["experiments"]
PLOTS = config["plots"]
FMT = PLOTS["format"]


wildcard_constraints:
    dataset="[A-Za-z][A-Za-z0-9_]*",
    experiment="[A-Za-z][A-Za-z0-9_]*",
    seed=r"\d+",


def experiment(name):
    return EXPERIMENTS[name]


def without_seeds(name):
    """An experiment's settings as job params: its seed list is left out, so adding a seed
    does not rerun the jobs of the seeds already done (each job gets its own seeds)."""
    return {k: v for k, v in EXPERIMENTS[name].items() if k != "seeds"}


def dataset_of(name):
    return EXPERIMENTS[name]["dataset"]


def eval_rows(dataset):
    """Generated rows a sample job writes to eval_samples.npy: the scored n_samples, or the
    truth_samples that w1_truth needs where the true distribution is known (not for files)."""
    e = config["evaluation"]
    return max(e["n_samples"], 0 if DATASETS[dataset]["kind"] == "file" else e["truth_samples"])


def seed_dir(stage, exp, seed):
    return f"{R}/{stage}/{exp}/seed{seed}"


# (experiment, seeds, label) of every seed group: the unit of the train and sample jobs.
SEED_GROUPS = [(exp, seeds, group_label(seeds)) for exp, e in EXPERIMENTS.items() for seeds in seed_groups(e)]


def runs():
    """Every (experiment, seed) the config names."""
    return [(exp, seed) for exp, e in EXPERIMENTS.items() for seed in e["seeds"]]


RUN_FIGURES = ["density", "d_output", "decision", "losses"]


def run_outputs(exp, seed):
    fig = seed_dir("figures", exp, seed)
    return [
        f"{seed_dir('metrics', exp, seed)}/metrics.json",
        *[f"{fig}/{name}.{FMT}" for name in RUN_FIGURES],
        f"{fig}/training.gif",
    ]


def all_outputs():
    outs = [f"{R}/data/{d}.npy" for d in sorted({dataset_of(e) for e in EXPERIMENTS})]
    for exp, seed in runs():
        outs += run_outputs(exp, seed)
    outs += [f"{R}/figures/{exp}/dashboard.{FMT}" for exp in EXPERIMENTS]
    outs += [
        f"{R}/summary/metrics.tsv",
        f"{R}/summary/metrics_by_experiment.tsv",
        f"{R}/summary/comparison.{FMT}",
    ]
    if config["benchmark"]["table"]:
        outs.append(f"{R}/summary/benchmark_table.md")
    return outs


def train_outputs(exp, seeds):
    return {
        key: [f"{seed_dir('models', exp, s)}/{name}" for s in seeds]
        for key, name in [
            ("generator", "generator.keras"),
            ("discriminator", "discriminator.keras"),
            ("history", "history.csv"),
            ("summary", "summary.txt"),
            ("snapshots", "snapshots.npz"),
            ("run", "run.json"),
        ]
    }


def model_files(w):
    d = seed_dir("models", w.experiment, w.seed)
    return {
        "generator": f"{d}/generator.keras",
        "discriminator": f"{d}/discriminator.keras",
        "snapshots": f"{d}/snapshots.npz",
        "run": f"{d}/run.json",
        "history": f"{d}/history.csv",
    }


def run_labels(w, figure):
    return {
        "experiment": w.experiment,
        "dataset": dataset_of(w.experiment),
        "seed": w.seed,
        "figure": figure,
    }
