"""toygan: GAN experiments on 1-D and 2-D toy distributions.

Modules without TensorFlow (safe for every rule): config, datasets, metrics, summary, plots, io.
Modules with TensorFlow (train and sample rules only): models, losses, trainer, sampling.
"""
