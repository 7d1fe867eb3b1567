# Sweeps: a grid of settings around a base experiment (toygan.sweeps). Points that share a
# network structure train as one batched job; each point is then sampled, scored and drawn
# like any experiment, and each sweep gets a ranked table and a figure.


# (sweep, toygan.sweeps.jobs.Job) of every sweep train job: a finished replica alone, the others batched.
SWEEP_TRAIN_JOBS = [(s, job) for s in SWEEPS for job in sweep_jobs.train_jobs(config, s, _train_current)]
# Sampling is one job per replica: a job's input list (the models of its replicas) is a rerun
# trigger, so a batched sample job would rerun its finished replicas once they sit alone.
SWEEP_SAMPLE_JOBS = [
    (s, sweep_jobs.Job(f"{p}_seed{seed}", [(p, seed)]))
    for s in SWEEPS
    for p in SWEEPS[s]["points"]
    for seed in EXPERIMENTS[p]["seeds"]
]


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
            **replica_files("models", _job.replicas, TRAIN_FILES),
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


# Sample jobs of sweep points: one per (point, seed) replica (see SWEEP_SAMPLE_JOBS).
for _sweep, _job in SWEEP_SAMPLE_JOBS:

    rule:
        name:
            f"sample_{_job.label}"
        input:
            **replica_files("models", _job.replicas, SAMPLE_INPUTS),
            data=f"{R}/data/{dataset_of(_job.replicas[0][0])}.npy",
        output:
            **replica_files("samples", _job.replicas, SAMPLE_FILES),
        log:
            f"{R}/logs/sample/{_sweep}/{_job.label}.log",
        benchmark:
            f"{R}/benchmarks/sample/{_sweep}/{_job.label}.tsv"
        resources:
            mem_mb=500 + 100 * len(_job.replicas),
            runtime=10 + len(_job.replicas),
        params:
            sweep=_sweep,
            experiment=sweep_shared(_sweep),
            n_eval=eval_rows(dataset_of(_job.replicas[0][0])),
        script:
            "../scripts/sample.py"


rule sweep_summary:
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
