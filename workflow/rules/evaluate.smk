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
