"""The compiled GAN trainer, split by concern.

settings (what the experiment asks for, read once), draws (counter-based randomness),
batches (which real rows a step sees), nets (building G and D), optimizers and schedules
(per-replica Keras-equivalent updates), ema (G's moving average), updates (one D/G step and
its penalties), monitor (history, W1, snapshots), state (checkpoint arrays) and group (the
GroupTrainer that ties them into one compiled epoch loop).
"""
