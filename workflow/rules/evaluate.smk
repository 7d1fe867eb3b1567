rule reference:
    """Per dataset, once: the noise floor over many real pairs and the modes runs are scored against."""
    input:
        spec=f"{R}/data/{{dataset}}.json",
        a=f"{R}/heldout/{{dataset}}/a.npy",
        b=f"{R}/heldout/{{dataset}}/b.npy",
        code=code_of("reference.py"),
    output:
        floor=f"{R}/heldout/{{dataset}}/floor.json",
        modes=f"{R}/heldout/{{dataset}}/modes.json",
    log:
        f"{R}/logs/reference/{{dataset}}.log",
    # Before training where both are ready: every evaluation waits for it, while the plots
    # that follow training do not.
    priority: 10
    threads: 4  # the floor's pairs are scored in parallel; Snakemake caps this at --cores
    params:
        spec=lambda w: DATASETS[w.dataset],
        settings={k: config["evaluation"][k] for k in Evaluation.REFERENCE_KEYS},
    script:
        "../scripts/reference.py"


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
    wildcard_constraints:
        experiment=NOT_SWEEP_POINT,  # a sweep's points: its runs_ jobs (sweeps.smk)
    params:
        settings=config["evaluation"],
        dataset=lambda w: dataset_of(w.experiment),
        spec=lambda w: DATASETS[dataset_of(w.experiment)],
    script:
        "../scripts/evaluate.py"
