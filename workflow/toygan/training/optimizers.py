"""RMSprop, Adam and SGD (with momentum) whose constants are per-replica (R,) tensors.

Keras' optimizers take one scalar learning rate for all variables; stacked replicas of a sweep
need one each. The update arithmetic is Keras 3's, operation for operation (keras/src/
optimizers/{rmsprop,adam,sgd}.py), with constants rounded to float32 as Keras rounds them,
so a replica's update is the one Keras would make. A schedule multiplies the learning rate.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .schedules import Schedule


class ReplicaOptimizer:
    slots: tuple[str, ...] = ()

    def __init__(self, settings, net: str, variables: list, total_steps: int):
        self.net = net
        self.hyper = getattr(settings.replica, net).optimizer  # per-replica constants
        self.iterations = keras.Variable(np.int64(0), dtype="int64", trainable=False, name=f"{net}_iterations")
        self.schedule = Schedule(getattr(settings.exp, net).optimizer.schedule, self.hyper.schedule, total_steps)
        self.slot_vars = {
            slot: [keras.Variable(np.zeros(v.shape, np.float32), trainable=False, name=f"{net}_{slot}{i}")
                   for i, v in enumerate(variables)]
            for slot in self.slots
        }

    @property
    def variables(self) -> list:
        """Step counter, then the slots: what a checkpoint must hold."""
        return [self.iterations] + [v for slot in self.slots for v in self.slot_vars[slot]]

    def apply(self, grads, variables) -> None:
        factor = self.schedule.factor(self.iterations.value) if self.schedule.active else None
        for i, (g, var) in enumerate(zip(grads, variables)):
            rank = len(var.shape)
            lr = self.hyper.learning_rate.tensor(rank)
            if factor is not None:
                lr = lr * tf.reshape(factor, lr.shape)
            self.update(i, g, var, lr, rank)
        self.iterations.assign_add(1)

    def update(self, i, g, var, lr, rank) -> None:
        raise NotImplementedError


class RMSprop(ReplicaOptimizer):
    def __init__(self, settings, net, variables, total_steps):
        momentum = getattr(settings.replica, net).optimizer.momentum
        self.slots = ("velocity", "momentum") if momentum.any() else ("velocity",)
        super().__init__(settings, net, variables, total_steps)

    def update(self, i, g, var, lr, rank):
        velocity = self.slot_vars["velocity"][i]
        h = self.hyper
        rho, one_minus_rho = h.rho.tensor(rank), h.rho.tensor(rank, complement=True)
        velocity.assign(rho * velocity.value + one_minus_rho * tf.square(g))
        increment = (lr * g) / tf.sqrt(velocity.value + h.epsilon.tensor(rank))
        if "momentum" in self.slot_vars:  # momentum 0 gives 0 * m + increment: the same update
            m = self.slot_vars["momentum"][i]
            m.assign(h.momentum.tensor(rank) * m.value + increment)
            var.assign_sub(m.value)
        else:
            var.assign_sub(increment)


class Adam(ReplicaOptimizer):
    slots = ("momentum", "velocity")

    def update(self, i, g, var, lr, rank):
        m, v = self.slot_vars["momentum"][i], self.slot_vars["velocity"][i]
        local_step = tf.cast(self.iterations.value + 1, tf.float32)
        h = self.hyper
        beta_1, beta_2 = h.beta_1.tensor(rank), h.beta_2.tensor(rank)
        alpha = lr * tf.sqrt(1 - tf.pow(beta_2, local_step)) / (1 - tf.pow(beta_1, local_step))
        m.assign_add((g - m.value) * h.beta_1.tensor(rank, complement=True))
        v.assign_add((tf.square(g) - v.value) * h.beta_2.tensor(rank, complement=True))
        var.assign_sub((m.value * alpha) / (tf.sqrt(v.value) + h.epsilon.tensor(rank)))


class SGD(ReplicaOptimizer):
    def __init__(self, settings, net, variables, total_steps):
        self.slots = ("momentum",) if getattr(settings.replica, net).optimizer.momentum.any() else ()
        super().__init__(settings, net, variables, total_steps)

    def update(self, i, g, var, lr, rank):
        if "momentum" in self.slot_vars:  # momentum 0 gives m = -g * lr: the same update
            m = self.slot_vars["momentum"][i]
            m.assign(m.value * self.hyper.momentum.tensor(rank) - g * lr)
            var.assign_add(m.value)
        else:
            var.assign_sub(g * lr)


_OPTIMIZERS = {"rmsprop": RMSprop, "adam": Adam, "sgd": SGD}


def optimizer_for(settings, net: str, variables: list, total_steps: int) -> ReplicaOptimizer:
    """The configured optimizer of ``net`` ("generator" or "discriminator") over ``variables``."""
    name = getattr(settings.exp, net).optimizer.name
    if name not in _OPTIMIZERS:
        raise ValueError(f"{net}.optimizer.name: unknown optimizer {name!r}")
    return _OPTIMIZERS[name](settings, net, variables, total_steps)
