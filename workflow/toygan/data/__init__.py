"""Real data: synthetic toy distributions, user files and held-out samples (NumPy only)."""
