# One train job per (experiment, seed group): a group's seeds train together as one batched
# model and each seed still gets its own files. Groups depend on the config, and a rule's
# outputs cannot, so the rules are generated here, named train_<experiment>_<group>.


for _exp, _seeds, _group in TRAIN_GROUPS:
    _cfg = experiment(_exp)
    _res = train_resources(_cfg, DATASETS[_cfg["dataset"]], len(_seeds))

    rule:
        name:
            f"train_{_exp}_{_group}"
        input:
            data=f"{R}/data/{_cfg['dataset']}.npy",
        output:
            **train_outputs(_exp, _seeds),
        log:
            f"{R}/logs/train/{_exp}/{_group}.log",
        benchmark:
            f"{R}/benchmarks/train/{_exp}/{_group}.tsv"
        threads: _res["threads"]
        resources:
            mem_mb=_res["mem_mb"],
            runtime=_res["runtime"],
            gpu=int(_cfg["training"]["gpu"]),
        params:
            experiment=without_seeds(_exp),
            seeds=_seeds,
            name=_exp,
            checkpoint=f"{R}/checkpoints/{_exp}/{_group}.npz",
        script:
            "../scripts/train.py"
