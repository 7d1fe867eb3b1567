"""Training: the compiled GAN trainer and the train job around it.

The job: ``job`` (one train job: resume, train, write per-seed files), ``checkpoint``,
``export`` (models, history, summaries, snapshots, run.json), ``sizing`` (a train job's cluster
resources; no TensorFlow, the rules read it) and ``tfsetup`` (TensorFlow imported and configured
once). The trainer: ``group`` (GroupTrainer: one compiled epoch loop for R replicas),
``settings`` (what the trainer reads, per replica where it may differ), ``networks`` and
``nets`` (stacked MLPs, G and D), ``losses``, ``optimizers`` and ``schedules``, ``ema``,
``updates`` (one D/G step and its penalties), ``draws``, ``rng`` and ``batches`` (randomness
and which rows a step sees), ``monitor`` (history, W1, snapshots), ``state`` (checkpoint
arrays) and ``keras_layers`` (custom layers of the saved models).

This ``__init__`` imports nothing: the rules import ``sizing`` without loading TensorFlow.
"""
