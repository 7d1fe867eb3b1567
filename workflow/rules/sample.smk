# One sample job per (experiment, seed group), like training: one process serves every seed of
# the group (start-up costs more than the sampling itself). It runs the saved .keras models with
# NumPy (toygan.sampling.keras_numpy), without TensorFlow.

SAMPLE_INPUTS = {k: TRAIN_FILES[k] for k in ("generator", "discriminator", "run")}

for _exp, _seeds, _group in SEED_GROUPS:

    rule:
        name:
            f"sample_{_exp}_{_group}"
        input:
            **replica_files("models", [(_exp, s) for s in _seeds], SAMPLE_INPUTS),
            data=f"{R}/data/{dataset_of(_exp)}.npy",
        output:
            **replica_files("samples", [(_exp, s) for s in _seeds], SAMPLE_FILES),
        log:
            f"{R}/logs/sample/{_exp}/{_group}.log",
        benchmark:
            f"{R}/benchmarks/sample/{_exp}/{_group}.tsv"
        resources:
            mem_mb=500 + 100 * len(_seeds),
            runtime=10 + len(_seeds),
        params:
            experiment=without_seeds(_exp),
            seeds=_seeds,
            n_eval=eval_rows(dataset_of(_exp)),
        script:
            "../scripts/sample.py"
