"""Rule runs_<sweep>_batch_<digest>: sample and evaluate several replicas of a sweep (no TensorFlow)."""
from toygan.sweeps.runs import main_from_snakemake

main_from_snakemake(snakemake)
