"""Sweeps: `grid` (a grid of settings expanded into experiments, point names), `jobs` (which replicas
train together, whether one is done) and `ranking` (a sweep's ranked table). No TensorFlow."""
