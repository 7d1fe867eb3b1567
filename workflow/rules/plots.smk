# Figures only: these rules never import TensorFlow. Each gets as params only the `plots` keys
# it reads (plot_settings), and its package code as input (code_of): an edit to either redraws.
# A hand-written experiment draws each run in its own jobs; a sweep point draws all its runs and
# its dashboard in one job (point_figures, sweeps.smk): a sweep draws few points, and one
# process per point spares the start-up of seven.


rule plot_run:
    """The four figures of one run: density, D's outputs, decision boundary, losses and W1."""
    input:
        unpack(model_files),
        data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
        spec=lambda w: f"{R}/data/{dataset_of(w.experiment)}.json",
        samples=f"{R}/samples/{{experiment}}/seed{{seed}}/samples.npy",
        d_real=f"{R}/samples/{{experiment}}/seed{{seed}}/d_real.npy",
        d_fake=f"{R}/samples/{{experiment}}/seed{{seed}}/d_fake.npy",
        d_grid=f"{R}/samples/{{experiment}}/seed{{seed}}/d_grid.npz",
        code=code_of("plot_run.py"),
    output:
        **run_figures("{seed}"),
    log:
        f"{R}/logs/plot_run/{{experiment}}/seed{{seed}}.log",
    wildcard_constraints:
        experiment=NOT_SWEEP_POINT,
    params:
        plots=plot_settings("run"),
        loss=lambda w: experiment(w.experiment)["loss"]["name"],
    script:
        "../scripts/plot_run.py"


rule animate:
    """A GIF of training: where G's mass goes and what D says, snapshot by snapshot."""
    input:
        snapshots=f"{R}/models/{{experiment}}/seed{{seed}}/snapshots.npz",
        # A rejection row's snapshots are its experiment's training: drawn with that D.
        discriminator=lambda w: f"{seed_dir('models', trained_by(w.experiment), w.seed)}/discriminator.keras",
        run=f"{R}/models/{{experiment}}/seed{{seed}}/run.json",
        data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
        spec=lambda w: f"{R}/data/{dataset_of(w.experiment)}.json",
        code=code_of("animate.py"),
    output:
        **animation_files("{seed}"),
    log:
        f"{R}/logs/animate/{{experiment}}/seed{{seed}}.log",
    wildcard_constraints:
        experiment=NOT_SWEEP_POINT,
    params:
        plots=plot_settings("animation"),
    script:
        "../scripts/animate.py"


rule dashboard:
    """All seeds of one experiment on one page, each with its W1 / noise floor."""
    input:
        data=lambda w: f"{R}/data/{dataset_of(w.experiment)}.npy",
        spec=lambda w: f"{R}/data/{dataset_of(w.experiment)}.json",
        samples=lambda w: [
            f"{seed_dir('samples', w.experiment, s)}/samples.npy" for s in experiment(w.experiment)["seeds"]
        ],
        metrics=lambda w: [
            f"{seed_dir('metrics', w.experiment, s)}/metrics.json" for s in experiment(w.experiment)["seeds"]
        ],
        code=code_of("dashboard.py"),
    output:
        figure=dashboard_file(),
    log:
        f"{R}/logs/dashboard/{{experiment}}.log",
    wildcard_constraints:
        experiment=NOT_SWEEP_POINT,
    params:
        plots=plot_settings("dashboard"),
        seeds=lambda w: experiment(w.experiment)["seeds"],
    script:
        "../scripts/dashboard.py"
