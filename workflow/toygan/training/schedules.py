"""Learning-rate schedules over one network's update steps, per replica.

Step t (0-based, the network's own update counter) of T: during warm-up (t < W) the factor is
t / W, from 0; then ``constant`` stays at 1, ``linear`` and ``cosine`` fall from 1 at t = W
to ``final_fraction`` at the last step t = T - 1.
"""

from __future__ import annotations

import math

import tensorflow as tf


class Schedule:
    """``schedule`` gives the name (structure), ``per_replica`` the same settings with their
    per-replica values (toygan.training.settings.Scalar)."""

    def __init__(self, schedule, per_replica, total_steps: int):
        self.name = schedule.name
        self.total = total_steps
        self.per_replica = per_replica
        # Constant without warm-up multiplies by 1: leave it out of the graph.
        self.active = self.name != "constant" or per_replica.warmup_steps.any()

    @property
    def warmup(self):  # read in the compiled loop (Scalar.tensor)
        return self.per_replica.warmup_steps.tensor()

    @property
    def final(self):
        return self.per_replica.final_fraction.tensor()

    def factor(self, step):
        """(R,) multiplier of the learning rate at 0-based update ``step``."""
        t = tf.cast(step, tf.float32)
        warm = t / tf.maximum(self.warmup, 1.0)
        p = tf.clip_by_value((t - self.warmup) / tf.maximum(self.total - 1.0 - self.warmup, 1.0), 0.0, 1.0)
        if self.name == "linear":
            decay = 1.0 - p
        elif self.name == "cosine":
            decay = 0.5 * (1.0 + tf.cos(math.pi * p))
        else:
            return tf.where(t < self.warmup, warm, 1.0)
        return tf.where(t < self.warmup, warm, self.final + (1.0 - self.final) * decay)
