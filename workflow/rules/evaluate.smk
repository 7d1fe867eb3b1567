rule evaluate:
    """Per-run metrics against held-out real data, each beside its real-vs-real noise floor, and a verdict."""
    input:
        eval_samples=f"{R}/samples/{{experiment}}/seed{{seed}}/eval_samples.npy",
        run=f"{R}/models/{{experiment}}/seed{{seed}}/run.json",
        a=lambda w: f"{R}/heldout/{dataset_of(w.experiment)}/a.npy",
        floor=lambda w: f"{R}/heldout/{dataset_of(w.experiment)}/floor.json",
        modes=lambda w: f"{R}/heldout/{dataset_of(w.experiment)}/modes.json",
        code=code_of("evaluate.py"),
    output:
        metrics=f"{R}/metrics/{{experiment}}/seed{{seed}}/metrics.json",
    log:
        f"{R}/logs/evaluate/{{experiment}}/seed{{seed}}.log",
    params:
        settings=config["evaluation"],
        dataset=lambda w: dataset_of(w.experiment),
    script:
        "../scripts/evaluate.py"


rule aggregate:
    """Cross-run tables: one row per run, and mean / s.e. / min / max per experiment."""
    input:
        metrics=[f"{seed_dir('metrics', e, s)}/metrics.json" for e, s in runs()],
        code=code_of("aggregate.py"),
    output:
        metrics=report(
            f"{R}/summary/metrics.tsv",
            category="Summary",
            subcategory="all experiments",
            caption="../report/metrics_table.rst",
            labels={"experiment": "all", "dataset": "all", "seed": "all", "figure": "metrics per run (table)"},
        ),
        by_experiment=report(
            f"{R}/summary/metrics_by_experiment.tsv",
            category="Summary",
            subcategory="all experiments",
            caption="../report/metrics_by_experiment.rst",
            labels={"experiment": "all", "dataset": "all", "seed": "all", "figure": "metrics per experiment (table)"},
        ),
    log:
        f"{R}/logs/aggregate.log",
    script:
        "../scripts/aggregate.py"


rule benchmark_table:
    """The mode-collapse table shaped like PacGAN's Table 1 (Lin et al., 2018)."""
    input:
        by_experiment=f"{R}/summary/metrics_by_experiment.tsv",
        runs=[f"{seed_dir('models', e, s)}/run.json" for e, s in runs()],
        code=code_of("benchmark_table.py"),
    output:
        table=report(
            f"{R}/summary/benchmark_table.md",
            category="Summary",
            subcategory="all experiments",
            caption="../report/benchmark_table.rst",
            labels={"experiment": "all", "dataset": "all", "seed": "all", "figure": "benchmark (table)"},
        ),
    log:
        f"{R}/logs/benchmark_table.log",
    params:
        benchmark=config["benchmark"],
    script:
        "../scripts/benchmark_table.py"


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
        axes=lambda w: sweeps.axis_keys(SWEEPS[w.sweep]),
        labels=lambda w: sweeps.key_labels(sweeps.swept_keys(SWEEPS[w.sweep]), SWEEPS[w.sweep]["labels"]),
        metric=lambda w: SWEEPS[w.sweep]["metric"],
        higher_is_better=lambda w: SWEEPS[w.sweep]["higher_is_better"],
        plots=plot_settings("sweep"),
    script:
        "../scripts/sweep_summary.py"
