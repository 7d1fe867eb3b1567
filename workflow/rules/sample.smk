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
            **({"rejection": config["rejection"][_exp]} if _exp in REJECTION_OF else {}),
            experiment=without_seeds(_exp),
            seeds=_seeds,
            n_eval=eval_rows(dataset_of(_exp)),
        script:
            "../scripts/sample.py"


# A rejection row's "training": per seed, a new D (on random Fourier features of x) trained
# against the frozen G of the experiment the row samples; the row's model files are that G
# and its history, with the new D (toygan.training.rejection_d).
for _row, _seeds, _group in REJECTION_GROUPS:
    _of = REJECTION_OF[_row]

    rule:
        name:
            f"rejection_{_row}_{_group}"
        input:
            **replica_files("models", [(_of, s) for s in _seeds], TRAIN_FILES),
            data=f"{R}/data/{dataset_of(_row)}.npy",
            code=code_of("rejection.py"),
        output:
            **train_outputs(_row, _seeds),
        log:
            f"{R}/logs/rejection/{_row}/{_group}.log",
        benchmark:
            f"{R}/benchmarks/rejection/{_row}/{_group}.tsv"
        threads: experiment(_of)["training"]["threads"]
        resources:
            mem_mb=1500 + 100 * len(_seeds),
            runtime=5 + 2 * len(_seeds),
        params:
            rejection=config["rejection"][_row],
            experiment=without_seeds(_row),
            seeds=_seeds,
        script:
            "../scripts/rejection.py"
