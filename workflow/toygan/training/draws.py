"""Counter-based draws per replica, keyed by (seed, domain, counter).

A replica sees the same draws alone or in a group, and a resumed run needs no RNG state
beyond the epoch counter (toygan.training.rng). Domains keep the streams apart.
"""

from __future__ import annotations

import tensorflow as tf

from ..config.settings import Latent
from ..streams import CATEGORY_COUNTER, DOMAIN_FIXED, DOMAIN_ROWS, DOMAIN_SHUFFLE, DOMAIN_STEP, DOMAINS, GP_PURPOSE, PURPOSES
from . import rng


class Draws:
    def __init__(self, seeds: list[int], latent: Latent):
        self.seeds = tf.constant(seeds, dtype=tf.int64)
        self.replicas = len(seeds)
        self.latent = latent

    def keys(self, domain, counter):
        """(R,) seeds and the counter of one draw of every replica: one vectorised draw."""
        return self.seeds * DOMAINS + domain, tf.cast(counter, tf.int64)

    def _latent(self, rows, domain, counter):
        latent, k = self.latent, self.latent.dim
        if latent.distribution == "uniform":
            z = rng.uniform([rows, k], *self.keys(domain, counter), latent.low, latent.high)
        else:
            z = rng.normal([rows, k], *self.keys(domain, counter))
        if not latent.categories:
            return z
        u = rng.uniform([rows], *self.keys(domain, tf.cast(counter, tf.int64) + CATEGORY_COUNTER))
        code = tf.minimum(tf.cast(u * latent.categories, tf.int32), latent.categories - 1)
        return tf.concat([z, tf.one_hot(code, latent.categories, dtype=z.dtype)], axis=-1)

    def latent_for_step(self, step, purpose, rows):
        """z (R, rows, latent.width) of critic step ``purpose`` of ``step``."""
        return self._latent(rows, DOMAIN_STEP, step * PURPOSES + purpose)

    def fixed_latent(self, rows):
        """The fixed z per replica of the periodic W1 and the snapshots."""
        return self._latent(rows, DOMAIN_FIXED, 0).numpy()

    def gp_mix(self, step, purpose, rows):
        """(R, rows, 1) interpolation weights of WGAN-GP."""
        counter = step * PURPOSES + GP_PURPOSE + purpose
        return rng.uniform([rows, 1], *self.keys(DOMAIN_STEP, counter))

    def permutations(self, epoch, n_rows):
        """(R, n_rows) row order of an epoch when shuffling."""
        return tf.argsort(rng.uniform([n_rows], *self.keys(DOMAIN_SHUFFLE, epoch)), axis=-1)

    def row_indices(self, step, rows, n_rows):
        """(R, rows) rows drawn i.i.d. uniformly with replacement for ``step``."""
        u = rng.uniform([rows], *self.keys(DOMAIN_ROWS, step))
        return tf.minimum(tf.cast(u * n_rows, tf.int32), n_rows - 1)
