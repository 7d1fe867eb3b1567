"""A kernel two-sample term for G: the squared MMD between its samples and the real rows.

Gaussian kernels at a ladder of bandwidths, fractions of the data's spread doubling from
``loss.mmd.smallest`` (1/256 by default) to ``loss.mmd.largest`` (1), so that the smallest see
detail the size of one mode (the ring's modes are 1/70 of its spread). Within a mode, G's
samples repel each other through the fake-fake term and are drawn to the real rows through
the cross term, so a mode that is too narrow is pushed apart: the signal a discriminator must
otherwise resolve at that scale (Li et al. 2015, "Generative moment matching networks";
Dziugaite et al. 2015).

The (R, B, B) sums are tiled by XLA according to the replica count R, so a replica with the
term rounds differently alone than batched (documented in docs/sweeps.md).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def data_spread(rows: np.ndarray) -> float:
    """The root mean per-column variance of the real rows: the scale the bandwidths follow."""
    spread = float(np.sqrt(np.mean(np.var(np.asarray(rows, dtype=np.float64), axis=0))))
    return spread if spread > 0 else 1.0


def _kernel_sum(sq_dist, bandwidths):
    return tf.add_n([tf.exp(-sq_dist / (2.0 * b * b)) for b in bandwidths])


def _sq_dist(a, b):
    """(R, A, d), (R|1, B, d) -> (R, A, B) squared distances."""
    return tf.reduce_sum(tf.square(a[:, :, None, :] - b[:, None, :, :]), axis=-1)


def g_term(fake, real, bandwidths):
    """The part of the unbiased MMD² that depends on G, per replica (R,): the mean kernel
    over distinct pairs of generated rows minus twice the mean over (generated, real) pairs."""
    n = tf.cast(tf.shape(fake)[1], fake.dtype)
    k_ff = _kernel_sum(_sq_dist(fake, fake), bandwidths)
    same = tf.reduce_sum(k_ff, axis=[1, 2]) - n * len(bandwidths)  # leave out each row with itself
    k_fr = _kernel_sum(_sq_dist(fake, real), bandwidths)
    return same / (n * (n - 1.0)) - 2.0 * tf.reduce_mean(k_fr, axis=[1, 2])
