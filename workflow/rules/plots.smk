# Figures only: these rules read `plots` settings through params and never import TensorFlow.


rule plot_run:
    """Every figure of one run: density, D's outputs, decision boundary, losses and W1, and the
    training animation. One job per run, not one per figure kind: each figure job's Python start
    and imports (matplotlib, seaborn, SciPy, pandas) cost more than drawing."""
    input:
        unpack(model_files),
        data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
        samples=f"{R}/samples/{{experiment}}/seed{{seed}}/samples.npy",
        d_real=f"{R}/samples/{{experiment}}/seed{{seed}}/d_real.npy",
        d_fake=f"{R}/samples/{{experiment}}/seed{{seed}}/d_fake.npy",
        d_grid=f"{R}/samples/{{experiment}}/seed{{seed}}/d_grid.npz",
    output:
        density=report(
            f"{R}/figures/{{experiment}}/seed{{seed}}/density.{FMT}",
            category="Samples",
            subcategory="{experiment}",
            caption="../report/density.rst",
            labels=lambda w: run_labels(w, "real vs generated"),
        ),
        d_output=report(
            f"{R}/figures/{{experiment}}/seed{{seed}}/d_output.{FMT}",
            category="Samples",
            subcategory="{experiment}",
            caption="../report/d_output.rst",
            labels=lambda w: run_labels(w, "D outputs"),
        ),
        decision=report(
            f"{R}/figures/{{experiment}}/seed{{seed}}/decision.{FMT}",
            category="Samples",
            subcategory="{experiment}",
            caption="../report/decision.rst",
            labels=lambda w: run_labels(w, "decision boundary"),
        ),
        losses=report(
            f"{R}/figures/{{experiment}}/seed{{seed}}/losses.{FMT}",
            category="Training",
            subcategory="{experiment}",
            caption="../report/losses.rst",
            labels=lambda w: run_labels(w, "losses and W1"),
        ),
        gif=f"{R}/figures/{{experiment}}/seed{{seed}}/training.gif",
        page=report(
            f"{R}/figures/{{experiment}}/seed{{seed}}/training.html",
            category="Training",
            subcategory="{experiment}",
            caption="../report/animation.rst",
            labels=lambda w: run_labels(w, "training animation"),
        ),
    params:
        plots=PLOTS,
        loss=lambda w: experiment(w.experiment)["loss"]["name"],
    log:
        f"{R}/logs/plot_run/{{experiment}}/seed{{seed}}.log",
    script:
        "../scripts/plot_run.py"


rule dashboard:
    """All seeds of one experiment on one page, each with its W1 / noise floor."""
    input:
        data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
        samples=lambda w: [
            f"{seed_dir('samples', w.experiment, s)}/samples.npy" for s in experiment(w.experiment)["seeds"]
        ],
        metrics=lambda w: [
            f"{seed_dir('metrics', w.experiment, s)}/metrics.json" for s in experiment(w.experiment)["seeds"]
        ],
    output:
        figure=report(
            f"{R}/figures/{{experiment}}/dashboard.{FMT}",
            category="Summary",
            subcategory="{experiment}",
            caption="../report/dashboard.rst",
            labels=lambda w: {"experiment": w.experiment, "dataset": dataset_of(w.experiment), "seed": "all", "figure": "dashboard"},
        ),
    params:
        plots=PLOTS,
        seeds=lambda w: experiment(w.experiment)["seeds"],
    log:
        f"{R}/logs/dashboard/{{experiment}}.log",
    script:
        "../scripts/dashboard.py"


rule comparison:
    """W1 / noise floor and mode metrics of every experiment, mean and s.e. over seeds."""
    input:
        by_experiment=f"{R}/summary/metrics_by_experiment.tsv",
    output:
        figure=report(
            f"{R}/summary/comparison.{FMT}",
            category="Summary",
            subcategory="all experiments",
            caption="../report/comparison.rst",
            labels={"experiment": "all", "dataset": "all", "seed": "all", "figure": "comparison of experiments"},
        ),
    params:
        plots=PLOTS,
    log:
        f"{R}/logs/comparison.log",
    script:
        "../scripts/comparison.py"
