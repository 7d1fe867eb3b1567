"""toygan: GAN experiments on 1-D and 2-D toy distributions.

Without TensorFlow (safe for every rule): config (schema defaults and checks), sweeps
(grid expansion, point names, batched jobs), datasets, metrics, summary (cross-run tables),
sweep_table (one sweep's ranked table), plots (figures and animations), run_figures (file glue
for plots), sizing (cluster resources), checkpoint, io (atomic writes), logs, sampling and
keras_numpy (the sample job runs the saved .keras models with NumPy).
With TensorFlow (train jobs only): tfsetup, rng (in-graph random draws), networks (stacked
MLPs), losses, trainer and training/ (compiled seed-group training), export (per-seed files),
training_job.
Keras only, on any backend: keras_layers (custom layers of the saved models).
"""
