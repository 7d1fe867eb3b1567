"""Samples and discriminator outputs from the saved .keras models, with NumPy alone (no TensorFlow)."""
