"""Rule sample: draw from the trained generator and score points with the discriminator."""
from toygan.sampling.sample import main_from_snakemake

main_from_snakemake(snakemake)
