"""Scoring a run: metrics against held-out real data, noise floors, the W1 to a known truth
and the verdict (NumPy, SciPy, POT; no TensorFlow)."""
