import os
import re
import sys
from pathlib import Path

# Every job imports the toygan beside this Snakefile, never another copy installed in the
# environment (a `pip install -e` of another clone): PYTHONPATH comes before site-packages.
# Local jobs inherit this process's environment; cluster jobs get it (sbatch --export=ALL)
# and parse this file again.
PACKAGE_ROOT = str(Path(workflow.basedir) / "workflow")
sys.path.insert(0, PACKAGE_ROOT)
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        [PACKAGE_ROOT, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != PACKAGE_ROOT)]
    )
)

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from toygan.sweeps import grid as sweep_grid
from toygan.sweeps import jobs as sweep_jobs
from toygan.code_files import package_files
from toygan.config.settings import Evaluation
from toygan.config.validate import ConfigError, group_label, rejection_rows, seed_groups, validate_config
from toygan.config.figures import figure_settings
from toygan.training.sizing import train_resources

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
    sweep="[A-Za-z][A-Za-z0-9_]*",


def plot_settings(figure):
    """The `plots` keys that one kind of figure reads (toygan.config.figures), as its only plot params."""
    return figure_settings(PLOTS, figure)


def experiment(name):
    return EXPERIMENTS[name]


def without_seeds(name):
    """An experiment's settings as job params: its seed list is left out, so adding a seed
    does not rerun the jobs of the seeds already done (each job gets its own seeds)."""
    return {k: v for k, v in EXPERIMENTS[name].items() if k != "seeds"}


def dataset_of(name):
    return EXPERIMENTS[name]["dataset"]


def scored_datasets():
    """Every dataset an experiment trains on, in a fixed order."""
    return sorted({dataset_of(e) for e in EXPERIMENTS})


def eval_rows(dataset):
    """Generated rows a sample job writes to eval_samples.npy: the scored n_samples, or the
    truth_samples that w1_truth needs where the true distribution is known (not for files)."""
    e = config["evaluation"]
    return max(e["n_samples"], 0 if DATASETS[dataset]["kind"] == "file" else e["truth_samples"])


def seed_dir(stage, exp, seed):
    return f"{R}/{stage}/{exp}/seed{seed}"


SWEEPS = config["sweeps"]
SWEEP_OF = {point: name for name, sw in SWEEPS.items() for point in sw["points"]}
for _sweep, _sw in SWEEPS.items():
    for _exp in EXPERIMENTS:
        if _exp not in SWEEP_OF and _exp.startswith(f"{_sweep}__"):
            raise WorkflowError(
                f"experiments.{_exp}: names starting with {_sweep}__ are for the points of sweep {_sweep}"
            )
    for _point in _sw["figures"]["points"]:
        if _point not in _sw["points"]:
            raise WorkflowError(
                f"sweeps.{_sweep}.figures.points: {_point!r} is not a point of the sweep; "
                f"e.g. {next(iter(_sw['points']))}"
            )
# An experiment wildcard that never matches a sweep point: their runs are sampled, evaluated and
# drawn by their sweep's jobs (sweeps.smk), not by the per-run rules.
NOT_SWEEP_POINT = "".join(f"(?!{re.escape(s)}__)" for s in SWEEPS) + "[A-Za-z][A-Za-z0-9_]*"

# Rejection rows (row -> the experiment it samples) are experiments from sampling on; their
# "training" is the new D's, on the trained G of the experiment they name.
REJECTION_OF = rejection_rows(config)

# (experiment, seeds, label) of every seed group: the unit of the train (or rejection) and
# sample jobs of a hand-written experiment. Sweep points have jobs of their own (sweeps.smk).
SEED_GROUPS = [
    (exp, seeds, group_label(seeds))
    for exp, e in EXPERIMENTS.items()
    if exp not in SWEEP_OF
    for seeds in seed_groups(e)
]
TRAIN_GROUPS = [g for g in SEED_GROUPS if g[0] not in REJECTION_OF]
REJECTION_GROUPS = [g for g in SEED_GROUPS if g[0] in REJECTION_OF]


def trained_by(exp):
    """The experiment whose train jobs made exp's G: exp itself, or the one a rejection row samples."""
    return REJECTION_OF.get(exp, exp)


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


def drawn_points(sweep):
    """The points of a sweep that get per-run figures, animations and a dashboard: all of them
    with `figures: {all: true}`, else the best and worst by the sweep's metric (read from its
    ranked table: a checkpoint, so the choice waits for the table) and the points named."""
    sw = SWEEPS[sweep]
    fig = sw["figures"]
    if fig["all"]:
        return list(sw["points"])
    ranked = []
    if fig["best"] or fig["worst"]:
        table = checkpoints.sweep_summary.get(sweep=sweep).output.table
        ranked = sweep_jobs.drawn_points(table, fig["best"], fig["worst"])
    return list(dict.fromkeys([*ranked, *fig["points"]]))


def drawn_figures(wildcards):
    """Per-run figures and dashboards of the sweep points drawn (drawn_points)."""
    outs = []
    for sweep in SWEEPS:
        for point in drawn_points(sweep):
            outs += [f for seed in experiment(point)["seeds"] for f in run_outputs(point, seed)]
            outs.append(f"{R}/figures/{point}/dashboard.{FMT}")
    return outs


def all_outputs():
    outs = [f"{R}/data/{d}.npy" for d in scored_datasets()]
    for exp, seed in runs():
        outs += run_outputs(exp, seed) if exp not in SWEEP_OF else []  # a sweep's summary asks for its metrics
    outs += [f"{R}/figures/{exp}/dashboard.{FMT}" for exp in EXPERIMENTS if exp not in SWEEP_OF]
    outs += [
        f"{R}/summary/metrics.tsv",
        f"{R}/summary/metrics_by_experiment.tsv",
        f"{R}/summary/comparison.{FMT}",
    ]
    outs += [f"{R}/summary/sweeps/{s}.{ext}" for s in SWEEPS for ext in ("tsv", FMT)]
    if config["benchmark"]["table"]:
        outs.append(f"{R}/summary/benchmark_table.md")
    if SWEEPS:
        outs.append(drawn_figures)
    return outs


TRAIN_FILES = {
    "generator": "generator.keras",
    "discriminator": "discriminator.keras",
    "history": "history.csv",
    "summary": "summary.txt",
    "snapshots": "snapshots.npz",
    "run": "run.json",
}
SAMPLE_FILES = {
    "samples": "samples.npy",
    "eval_samples": "eval_samples.npy",
    "d_real": "d_real.npy",
    "d_fake": "d_fake.npy",
    "d_grid": "d_grid.npz",
}


def replica_files(stage, replicas, files):
    """{key: one path per (experiment, seed) replica}, the outputs of a job of several replicas."""
    return {key: [f"{seed_dir(stage, e, s)}/{name}" for e, s in replicas] for key, name in files.items()}


def train_outputs(exp, seeds):
    return replica_files("models", [(exp, s) for s in seeds], TRAIN_FILES)


# ----- sweeps: which (point, seed) replicas share a train or sample job (sweeps.smk) ---------
_SHARED = {}


def sweep_shared(sweep):
    """The params of every job of a sweep: what its points have in common (made once a sweep)."""
    if sweep not in _SHARED:
        first = next(iter(SWEEPS[sweep]["points"]))
        _SHARED[sweep] = sweep_jobs.shared_settings(EXPERIMENTS[first], sweep_grid.swept_keys(SWEEPS[sweep]))
    return _SHARED[sweep]


def _train_current(point, seed):
    exp = EXPERIMENTS[point]
    paths = [p for ps in replica_files("models", [(point, seed)], TRAIN_FILES).values() for p in ps]
    if not all(map(os.path.exists, paths)):
        return False  # before the fingerprint: most replicas of a new sweep have no files yet
    stamp = sweep_jobs.replica_stamp(exp, DATASETS[exp["dataset"]], seed)
    script = Path(workflow.basedir) / "workflow" / "scripts" / "train.py"
    return sweep_jobs.outputs_current(paths, stamp=stamp, newer_than=[script])


def model_files(w):
    d = seed_dir("models", w.experiment, w.seed)
    return {
        "generator": f"{d}/generator.keras",
        "discriminator": f"{d}/discriminator.keras",
        "snapshots": f"{d}/snapshots.npz",
        "run": f"{d}/run.json",
        "history": f"{d}/history.csv",
    }


def run_labels(w, figure, seed="{seed}"):
    """Report labels of one run's figure; `seed` as in its path ("{seed}": the wildcard's)."""
    return {
        "experiment": w.experiment,
        "dataset": dataset_of(w.experiment),
        "seed": w.seed if seed == "{seed}" else str(seed),
        "figure": figure,
    }


# Figure outputs, shared by the per-run rules (plots.smk) and a sweep point's (sweeps.smk).
def run_figures(seed):
    """The four figures of one run (`seed`: a number, or "{seed}" for the wildcard), as report items."""

    def item(name, figure, category, caption):
        return report(
            f"{R}/figures/{{experiment}}/seed{seed}/{name}.{FMT}",
            category=category,
            subcategory="{experiment}",
            caption=caption,
            labels=lambda w: run_labels(w, figure, seed),
        )

    return {
        "density": item("density", "real vs generated", "Samples", caption="../report/density.rst"),
        "d_output": item("d_output", "D outputs", "Samples", caption="../report/d_output.rst"),
        "decision": item("decision", "decision boundary", "Samples", caption="../report/decision.rst"),
        "losses": item("losses", "losses and W1", "Training", caption="../report/losses.rst"),
    }


def animation_files(seed):
    return {
        "gif": f"{R}/figures/{{experiment}}/seed{seed}/training.gif",
        "page": report(
            f"{R}/figures/{{experiment}}/seed{seed}/training.html",
            category="Training",
            subcategory="{experiment}",
            caption="../report/animation.rst",
            labels=lambda w: run_labels(w, "training animation", seed),
        ),
    }


def dashboard_file():
    return report(
        f"{R}/figures/{{experiment}}/dashboard.{FMT}",
        category="Summary",
        subcategory="{experiment}",
        caption="../report/dashboard.rst",
        labels=lambda w: {
            "experiment": w.experiment,
            "dataset": dataset_of(w.experiment),
            "seed": "all",
            "figure": "dashboard",
        },
    )


# ------------------------------------------------------------------ code edits and reruns
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"
# Jobs whose results cost a retrain: an edit to their code does not rerun them (Snakemake's
# code trigger sees only the script); stale_results_warning() names what is older instead.
# Every other rule declares `code=code_of("<script>")` as input, so an edit reruns it.
NO_RERUN_ON_CODE_EDIT = {"data.py", "train.py", "sample.py"}


def _shown(path):
    """Relative to the working directory when inside it (the paths Snakemake records)."""
    path = Path(path)
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


_CODE = {}


def code_of(script):
    """The package files `script` runs, as input: a content change reruns the rule's jobs
    (mtime trigger; an unchanged file that is only touched passes the checksum test)."""
    if script not in _CODE:  # a sweep's generated rules ask hundreds of times
        _CODE[script] = [_shown(p) for p in package_files(SCRIPTS / script)]
    return list(_CODE[script])


def _script_name(rule):
    return Path(rule.script).name if rule.script else None


def check_code_inputs():
    """Refuse a rule that runs a script without declaring its code (or listing it above)."""
    for r in workflow.rules:
        script = _script_name(r)
        if script is None or script in NO_RERUN_ON_CODE_EDIT:
            continue
        declared = set(r.input.get("code") or []) if "code" in r.input.keys() else set()
        if declared != set(code_of(script)):
            raise WorkflowError(
                f"rule {r.name} runs {script} but does not declare input code=code_of({script!r}) "
                f"(or list {script} in NO_RERUN_ON_CODE_EDIT, workflow/rules/common.smk)"
            )


def _existing_outputs(rule):
    for pattern in map(str, rule.output):
        if "{" not in pattern:
            yield from [pattern] if os.path.exists(pattern) else []
        else:
            found = glob_wildcards(pattern)
            yield from expand(pattern, zip, **found._asdict())


def stale_results_warning():
    """Results of the NO_RERUN_ON_CODE_EDIT rules older than the code that made them, with the
    command that recomputes them; None when there are none."""
    stale = {}
    for r in workflow.rules:
        script = _script_name(r)
        if script not in NO_RERUN_ON_CODE_EDIT:
            continue
        newest = max([SCRIPTS / script, *package_files(SCRIPTS / script)], key=os.path.getmtime)
        old = [f for f in _existing_outputs(r) if os.path.getmtime(f) < os.path.getmtime(newest)]
        if old:
            stale[r.name] = (old, newest)
    if not stale:
        return None
    lines = [
        f"  {name}: {len(old)} file(s), e.g. {old[0]}; older than {_shown(code)}" for name, (old, code) in stale.items()
    ]
    return "\n".join(
        [
            "toygan: these results are older than the code that made them (a code edit never retrains by itself):",
            *lines,
            "To recompute them and everything downstream (this run, if it is that command, does):",
            f"  snakemake --cores all --forcerun {' '.join(stale)}",
        ]
    )
