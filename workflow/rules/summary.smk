# Cross-run tables and figures: every run of every experiment. No TensorFlow.


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
        metrics=[f"{seed_dir('metrics', e, s)}/metrics.json" for e, s in runs()],
        floors=[f"{R}/heldout/{d}/floor.json" for d in scored_datasets()],
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
        datasets=scored_datasets(),
    script:
        "../scripts/benchmark_table.py"


rule comparison:
    """W1 / noise floor and mode metrics of every experiment, mean and s.e. over seeds."""
    input:
        by_experiment=f"{R}/summary/metrics_by_experiment.tsv",
        code=code_of("comparison.py"),
    output:
        figure=report(
            f"{R}/summary/comparison.{FMT}",
            category="Summary",
            subcategory="all experiments",
            caption="../report/comparison.rst",
            labels={"experiment": "all", "dataset": "all", "seed": "all", "figure": "comparison of experiments"},
        ),
    log:
        f"{R}/logs/comparison.log",
    params:
        plots=plot_settings("comparison"),
    script:
        "../scripts/comparison.py"
