rule data:
    """Real training data of one dataset, plus a JSON description (spec, dimension, components)."""
    output:
        data=f"{R}/data/{{dataset}}.npy",
        spec=f"{R}/data/{{dataset}}.json",
    log:
        f"{R}/logs/data/{{dataset}}.log",
    params:
        spec=lambda w: DATASETS[w.dataset],
        name=lambda w: w.dataset,
    script:
        "../scripts/data.py"


rule heldout:
    """Two independent real samples (never the training rows) for scoring and the noise floor."""
    input:
        code=code_of("heldout.py"),
    output:
        a=f"{R}/heldout/{{dataset}}/a.npy",
        b=f"{R}/heldout/{{dataset}}/b.npy",
    log:
        f"{R}/logs/heldout/{{dataset}}.log",
    params:
        spec=lambda w: DATASETS[w.dataset],
        n=config["evaluation"]["n_samples"],
        seed=config["evaluation"]["seed"],
    script:
        "../scripts/heldout.py"
