# One sample job per (experiment, seed group), like training: one process serves every seed of
# the group (start-up costs more than the sampling itself). It runs the saved .keras models with
# NumPy (toygan.keras_numpy), without TensorFlow.

SAMPLE_FILES = {
    "samples": "samples.npy",
    "eval_samples": "eval_samples.npy",
    "d_real": "d_real.npy",
    "d_fake": "d_fake.npy",
    "d_grid": "d_grid.npz",
}

for _exp, _seeds, _group in SEED_GROUPS:

    rule:
        name:
            f"sample_{_exp}_{_group}"
        input:
            **{
                key: [f"{seed_dir('models', _exp, s)}/{name}" for s in _seeds]
                for key, name in [
                    ("generator", "generator.keras"),
                    ("discriminator", "discriminator.keras"),
                    ("snapshots", "snapshots.npz"),
                    ("run", "run.json"),
                ]
            },
            data=f"{R}/data/{dataset_of(_exp)}.npy",
        output:
            **{key: [f"{seed_dir('samples', _exp, s)}/{name}" for s in _seeds] for key, name in SAMPLE_FILES.items()},
        params:
            experiment=without_seeds(_exp),
            seeds=_seeds,
            n_eval=config["evaluation"]["n_samples"],
        resources:
            mem_mb=500 + 100 * len(_seeds),
            runtime=10 + len(_seeds),
        log:
            f"{R}/logs/sample/{_exp}/{_group}.log",
        benchmark:
            f"{R}/benchmarks/sample/{_exp}/{_group}.tsv"
        script:
            "../scripts/sample.py"
