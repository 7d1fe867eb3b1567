"""Rule train_<experiment>_<group>: train a seed group and write each seed's files."""
from toygan.training.job import main_from_snakemake

main_from_snakemake(snakemake)
