"""Rule rejection_*: train each seed's new D against the frozen G of the experiment the row samples."""
from toygan.training.rejection_d import main_from_snakemake

main_from_snakemake(snakemake)
