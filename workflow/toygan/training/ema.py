"""Exponential moving average of G's weights (``training.ema``), per replica.

After every G update: avg = decay * avg + (1 - decay) * G, from ``start_epoch`` on; before it
(and for replicas with decay 0) the average is a copy of G. Batch norm's moving mean and
variance are averaged the same way as the weights (every variable of G's state is), so the
averaged G is one consistent network. The average is assigned, never differentiated: it
takes no part in any loss.
"""

from __future__ import annotations

import tensorflow as tf


class GeneratorAverage:
    def __init__(self, settings, generator, average):
        self.source, self.average = generator, average
        ema = settings.replica.training.ema
        self.decay = ema.decay.values
        self.start = tf.constant(ema.start_epoch.values.astype("int64"))
        self.replicas = settings.replicas
        self._tensors = lambda rank: (ema.decay.tensor(rank), ema.decay.tensor(rank, complement=True))
        for src, dst in zip(generator.state, average.state):
            dst.assign(src.value)

    def on(self, r: int) -> bool:
        """Whether replica r samples from the average."""
        return bool(self.decay[r] > 0)

    def update(self, epoch) -> None:
        copy = (tf.cast(epoch, tf.int64) < self.start) | tf.constant(self.decay == 0)
        for src, dst in zip(self.source.state, self.average.state):
            rank = len(src.shape)
            decay, keep = self._tensors(rank)
            mask = tf.reshape(copy, [self.replicas] + [1] * (rank - 1))
            dst.assign(tf.where(mask, src.value, decay * dst.value + keep * src.value))
