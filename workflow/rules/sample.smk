rule sample:
    """Generated samples (for figures and for scoring) and D's outputs on real, generated and a grid."""
    input:
        unpack(model_files),
        data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
    output:
        samples=f"{R}/samples/{{experiment}}/seed{{seed}}/samples.npy",
        eval_samples=f"{R}/samples/{{experiment}}/seed{{seed}}/eval_samples.npy",
        d_real=f"{R}/samples/{{experiment}}/seed{{seed}}/d_real.npy",
        d_fake=f"{R}/samples/{{experiment}}/seed{{seed}}/d_fake.npy",
        d_grid=f"{R}/samples/{{experiment}}/seed{{seed}}/d_grid.npz",
    params:
        experiment=lambda w: experiment(w.experiment),
        n_eval=config["evaluation"]["n_samples"],
    log:
        f"{R}/logs/sample/{{experiment}}/seed{{seed}}.log",
    script:
        "../scripts/sample.py"
