# Sweeps: a grid of settings around a base experiment (toygan.sweeps). Points that share a
# network structure train as one batched job; each point is then sampled, scored and drawn
# like any experiment, and each sweep gets a ranked table and a figure.


# (sweep, toygan.sweeps.jobs.Job) of every sweep train job: a finished replica alone, the others batched.
SWEEP_TRAIN_JOBS = [(s, job) for s in SWEEPS for job in sweep_jobs.train_jobs(config, s, _train_current)]


# Sampling and evaluation: several replicas a job, one process (toygan.sweeps.runs). Why not one
# job per replica grouped with Snakemake's `group:`? Grouping saves cluster submissions, not the
# DAG: 400 points x 3 seeds would still be thousands of jobs to build, check and start. Why not
# batches that split as replicas finish (as training does)? A job's list of input files is a
# rerun trigger, so a finished replica moved to a smaller job would be redone. Instead a job
# writes a manifest of its replicas and keeps them for good (toygan.sweeps.jobs.run_jobs).
def run_manifests(sweep):
    return f"{R}/sweeps/{sweep}/runs"


SWEEP_RUN_JOBS = [
    (s, job) for s in SWEEPS for job in sweep_jobs.run_jobs(config, s, sweep_jobs.read_manifests(run_manifests(s)))
]


# The files other jobs ask for most come first: Snakemake finds a file's job by trying the
# job's outputs in order, which for a batch of hundreds of files was most of the DAG's time.
SWEEP_TRAIN_FILES = {
    k: TRAIN_FILES[k] for k in ("generator", "discriminator", "run", "history", "snapshots", "summary")
}


# Sweep jobs: replicas of several points of one sweep (toygan.sweeps.jobs.train_jobs decides which).
# Their params are the sweep's shared settings only, and their only input is the data, so a
# finished point's recorded params and inputs never depend on which points shared its job;
# the job finds its replicas in its output paths and each point's settings in the config.
for _sweep, _job in SWEEP_TRAIN_JOBS:
    _cfg = experiment(_job.replicas[0][0])
    _res = train_resources(_cfg, DATASETS[_cfg["dataset"]], len(_job.replicas))

    rule:
        name:
            f"train_{_job.label}"
        input:
            data=f"{R}/data/{_cfg['dataset']}.npy",
        output:
            **replica_files("models", _job.replicas, SWEEP_TRAIN_FILES),
        log:
            f"{R}/logs/train/{_sweep}/{_job.label}.log",
        benchmark:
            f"{R}/benchmarks/train/{_sweep}/{_job.label}.tsv"
        threads: _res["threads"]
        resources:
            mem_mb=_res["mem_mb"],
            runtime=_res["runtime"],
            gpu=int(_cfg["training"]["gpu"]),
        params:
            sweep=_sweep,
            experiment=sweep_shared(_sweep),
            checkpoint_dir=f"{R}/checkpoints/{_sweep}",
        script:
            "../scripts/train.py"


# Sample and evaluate jobs of sweep points: each replica's files at its own paths, as for any
# experiment. A killed job runs again whole (Snakemake removes the outputs of a failed job);
# that redoes seconds of work per replica, never training.
for _sweep, _job in SWEEP_RUN_JOBS:
    _dataset = dataset_of(_job.replicas[0][0])

    rule:
        name:
            f"runs_{_job.label}"
        input:
            **replica_files("models", _job.replicas, SAMPLE_INPUTS),
            data=f"{R}/data/{_dataset}.npy",
            a=f"{R}/heldout/{_dataset}/a.npy",
            floor=f"{R}/heldout/{_dataset}/floor.json",
            modes=f"{R}/heldout/{_dataset}/modes.json",
            code=code_of("sweep_runs.py"),
        output:
            **replica_files("metrics", _job.replicas, {"metrics": "metrics.json"}),
            **replica_files("samples", _job.replicas, SAMPLE_FILES),
            manifest=f"{run_manifests(_sweep)}/{_job.label}.json",
        log:
            f"{R}/logs/runs/{_sweep}/{_job.label}.log",
        benchmark:
            f"{R}/benchmarks/runs/{_sweep}/{_job.label}.tsv"
        resources:
            mem_mb=800 + 50 * len(_job.replicas),
            runtime=10 + len(_job.replicas),
        params:
            sweep=_sweep,
            experiment=sweep_shared(_sweep),
            n_eval=eval_rows(_dataset),
            settings=config["evaluation"],
            dataset=_dataset,
            spec=DATASETS[_dataset],
        script:
            "../scripts/sweep_runs.py"


# Figures of a sweep point: its runs' and its dashboard in one job (toygan.plots.jobs.draw_point_figures),
# at the paths the per-run rules of plots.smk use for other experiments. All points of a sweep
# share its seeds, so one rule per sweep lists each seed's files.
POINT_RUN_INPUTS = {
    "models": {k: TRAIN_FILES[k] for k in ("discriminator", "snapshots", "run", "history")},
    "samples": {k: SAMPLE_FILES[k] for k in ("samples", "d_real", "d_fake", "d_grid")},
    "metrics": {"metrics": "metrics.json"},
}
for _sweep, _sw in SWEEPS.items():
    _seeds = experiment(next(iter(_sw["points"])))["seeds"]
    _runs = [("{experiment}", s) for s in _seeds]

    rule:
        name:
            f"point_figures_{_sweep}"
        input:
            **{k: v for stage, files in POINT_RUN_INPUTS.items() for k, v in replica_files(stage, _runs, files).items()},
            data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
            spec=lambda w: f"{R}/data/{dataset_of(w.experiment)}.json",
            code=code_of("point_figures.py"),
        output:
            **{k: [run_figures(s)[k] for s in _seeds] for k in RUN_FIGURES},
            **{k: [animation_files(s)[k] for s in _seeds] for k in ("gif", "page")},
            dashboard=dashboard_file(),
        log:
            f"{R}/logs/point_figures/{{experiment}}.log",
        wildcard_constraints:
            experiment=f"{re.escape(_sweep)}__[A-Za-z0-9_]+",
        params:
            plots={figure: plot_settings(figure) for figure in ("run", "animation", "dashboard")},
            loss=lambda w: experiment(w.experiment)["loss"]["name"],
            seeds=_seeds,
        script:
            "../scripts/point_figures.py"


# A checkpoint: which points get per-run figures depends on its ranking (drawn_points, common.smk).
checkpoint sweep_summary:
    """One sweep: a row per point (mean ± s.e. over seeds), ranked best first, and its figure."""
    input:
        metrics=lambda w: [
            f"{seed_dir('metrics', p, s)}/metrics.json"
            for p in SWEEPS[w.sweep]["points"]
            for s in experiment(p)["seeds"]
        ],
        code=code_of("sweep_summary.py"),
    output:
        table=report(
            f"{R}/summary/sweeps/{{sweep}}.tsv",
            category="Sweeps",
            subcategory="{sweep}",
            caption="../report/sweep_table.rst",
            labels=lambda w: {
                "experiment": f"sweep {w.sweep}",
                "dataset": "all",
                "seed": "all",
                "figure": "points ranked (table)",
            },
        ),
        figure=report(
            f"{R}/summary/sweeps/{{sweep}}.{FMT}",
            category="Sweeps",
            subcategory="{sweep}",
            caption="../report/sweep_figure.rst",
            labels=lambda w: {
                "experiment": f"sweep {w.sweep}",
                "dataset": "all",
                "seed": "all",
                "figure": "metric per setting",
            },
        ),
    log:
        f"{R}/logs/sweep_summary/{{sweep}}.log",
    params:
        points=lambda w: SWEEPS[w.sweep]["points"],
        axes=lambda w: sweep_grid.axis_keys(SWEEPS[w.sweep]),
        labels=lambda w: sweep_grid.key_labels(sweep_grid.swept_keys(SWEEPS[w.sweep]), SWEEPS[w.sweep]["labels"]),
        metric=lambda w: SWEEPS[w.sweep]["metric"],
        higher_is_better=lambda w: SWEEPS[w.sweep]["higher_is_better"],
        plots=plot_settings("sweep"),
    script:
        "../scripts/sweep_summary.py"
