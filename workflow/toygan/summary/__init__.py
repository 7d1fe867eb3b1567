"""Cross-run tables: one row per run, per experiment, and the PacGAN-style benchmark table (pandas)."""
