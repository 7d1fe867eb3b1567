"""Every random stream of a run, named in one place, so no two streams can share an id.

Seeded NumPy streams of one replica: ``np.random.default_rng([seed, <salt>, ...])``.
In-graph draws of the trainer (toygan.training.draws): key ``seed * DOMAINS + domain`` and a
counter; within a step, critic update c draws its latent at purpose c and WGAN-GP's
interpolation weights at ``GP_PURPOSE + c``, of ``PURPOSES`` ids per step.
The data's own draws (toygan.data.datasets) are keyed by the dataset spec's seed: the training
rows by it alone, held-out, floor and truth samples by ``SeedSequence([data seed, evaluation seed, <id>])``.
"""

from __future__ import annotations

# NumPy salts, per replica seed.
GENERATOR_INIT = 1  # G's initial weights ([seed, 1]); its spectral-norm vectors [seed, 1, 1]
DISCRIMINATOR_INIT = 2  # D's, likewise [seed, 2] and [seed, 2, 1]
SPECTRAL_NORM = 1  # third element of the spectral-norm vectors' key
FOURIER = 2  # third element of the Fourier frequencies' key ([seed, 2, 2] for D)
MONITOR_ROWS = 7  # the real rows the periodic W1 of history.csv compares with
SAMPLE_LATENT = 11  # the sample job's latent draws
SAMPLE_REJECTION = 12  # a rejection row's latent draws and acceptance uniforms
REJECTION_D = 13  # a rejection row's new D: its Fourier frequencies, initial weights and batches

# Held-out and noise-floor samples of the data (third element of their SeedSequence).
HELDOUT_A, HELDOUT_B, FLOOR_PAIRS = 1, 2, 3
# Samples of the true distribution (datasets.fresh_sample), for kinds without a closed form:
TRUTH_SAMPLE = 4  # the reference sample w1_truth compares generated rows with
TRUTH_NOISE = 5  # fresh draws that measure that estimator's own noise (scored like generated rows)

# In-graph domains of toygan.training.draws.
DOMAIN_STEP, DOMAIN_SHUFFLE, DOMAIN_FIXED, DOMAIN_ROWS = 0, 1, 2, 3
DOMAINS = 4
PURPOSES = 64
GP_PURPOSE = 32  # critic steps 0..GP_PURPOSE-1 may draw latents: the limit of training.n_critic
# A latent's categorical code: the counter of its continuous values plus this. Counters stay
# below 2**32 and the bits above enter only the draw's second key, so the code is a stream of its own.
CATEGORY_COUNTER = 1 << 32


def max_critic_steps() -> int:
    """The most D updates per G update the draw layout keeps apart (the schema's n_critic
    maximum must not exceed it; tests/test_rng.py checks)."""
    return GP_PURPOSE
