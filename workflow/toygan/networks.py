"""Stacked ("batched") MLPs: R independent replicas of one network in one set of variables.

Weights carry a leading replica axis, so one matmul trains every seed of a seed group, and
elementwise optimizers (RMSprop, Adam, SGD) keep the replicas independent. ``to_keras``
copies one replica into a plain Keras model with the same layers for saving and sampling.
"""

from __future__ import annotations

import numpy as np
import keras
import tensorflow as tf

BN_EPSILON = 1e-3  # Keras BatchNormalization defaults, so exported models match
BN_MOMENTUM = 0.99

_ACTIVATIONS = {
    "relu": tf.nn.relu,
    "leaky_relu": lambda x: tf.nn.leaky_relu(x, alpha=0.2),
    "tanh": tf.tanh,
    "elu": tf.nn.elu,
    "selu": tf.nn.selu,
    "sigmoid": tf.sigmoid,
}
_KERAS_ACTIVATIONS = {"leaky_relu": lambda: keras.layers.LeakyReLU(negative_slope=0.2)}


def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))  # Keras' default Dense initializer
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


class StackedMLP:
    """Dense layers [in] + hidden + [out] for R replicas; optional batch norm after hidden Dense."""

    def __init__(self, name, sizes, activation, batch_norm, seeds, rng_salt, output_activation):
        self.name = name
        self.sizes = list(sizes)
        self.activation = activation
        self.batch_norm = batch_norm
        self.output_activation = output_activation  # only for the exported Keras model
        self.replicas = len(seeds)
        kernels = [[] for _ in self.sizes[1:]]
        for seed in seeds:
            rng = np.random.default_rng([seed, rng_salt])
            for i, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
                kernels[i].append(glorot_uniform(rng, a, b))
        self.kernels, self.biases, self.gammas, self.betas = [], [], [], []
        self.moving_means, self.moving_vars = [], []
        for i, b in enumerate(self.sizes[1:]):
            self.kernels.append(keras.Variable(np.stack(kernels[i]), name=f"{name}_kernel{i}"))
            self.biases.append(keras.Variable(np.zeros((self.replicas, b), np.float32), name=f"{name}_bias{i}"))
            if batch_norm and i < len(self.sizes) - 2:
                ones, zeros = np.ones((self.replicas, b), np.float32), np.zeros((self.replicas, b), np.float32)
                self.gammas.append(keras.Variable(ones, name=f"{name}_gamma{i}"))
                self.betas.append(keras.Variable(zeros, name=f"{name}_beta{i}"))
                self.moving_means.append(keras.Variable(zeros, name=f"{name}_mmean{i}", trainable=False))
                self.moving_vars.append(keras.Variable(ones, name=f"{name}_mvar{i}", trainable=False))

    @property
    def trainable(self) -> list:
        """Layer by layer in Keras' order: kernel, bias, then batch norm's gamma, beta."""
        out = []
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases)):
            out += [kernel, bias]
            if i < len(self.gammas):
                out += [self.gammas[i], self.betas[i]]
        return out

    @property
    def state(self) -> list:
        """Every variable, trainable or not: what a checkpoint must hold."""
        return self.trainable + self.moving_means + self.moving_vars

    def __call__(self, x, training: bool = True, update_stats: bool = False):
        """x: (R, B, in) -> (R, B, out).

        Batch norm normalises with batch statistics when ``training`` (and then folds them into
        the moving averages if ``update_stats``), with the moving averages otherwise, as Keras does.
        """
        act = _ACTIVATIONS[self.activation]
        n_hidden = len(self.sizes) - 2
        for i in range(len(self.sizes) - 1):
            x = tf.matmul(x, self.kernels[i].value) + self.biases[i].value[:, None, :]
            if i < n_hidden:
                if self.batch_norm:
                    x = self._batch_norm(i, x, training, update_stats)
                x = act(x)
        return x

    def _batch_norm(self, i, x, training, update_stats):
        if not training:
            mean, var = self.moving_means[i].value, self.moving_vars[i].value
            x = (x - mean[:, None, :]) * tf.math.rsqrt(var[:, None, :] + BN_EPSILON)
            return x * self.gammas[i].value[:, None, :] + self.betas[i].value[:, None, :]
        mean, var = tf.nn.moments(x, axes=[1])
        if update_stats:
            self.moving_means[i].assign(self.moving_means[i] * BN_MOMENTUM + mean * (1 - BN_MOMENTUM))
            self.moving_vars[i].assign(self.moving_vars[i] * BN_MOMENTUM + var * (1 - BN_MOMENTUM))
        x = (x - mean[:, None, :]) * tf.math.rsqrt(var[:, None, :] + BN_EPSILON)
        return x * self.gammas[i].value[:, None, :] + self.betas[i].value[:, None, :]

    def to_keras(self, replica: int) -> keras.Model:
        """A plain Keras Sequential model holding replica ``replica``'s weights."""
        layers = [keras.Input(shape=(self.sizes[0],))]
        weights = []
        n_hidden = len(self.sizes) - 2
        # Dense(h, relu) as in the reference when nothing sits between Dense and activation.
        fused = not self.batch_norm and self.activation not in _KERAS_ACTIVATIONS
        for i, units in enumerate(self.sizes[1:]):
            last = i == n_hidden
            activation = self.output_activation if last else (self.activation if fused else None)
            layers.append(keras.layers.Dense(units, activation=activation, name=f"dense_{i}"))
            weights += [self.kernels[i].numpy()[replica], self.biases[i].numpy()[replica]]
            if not last and not fused:
                if self.batch_norm:
                    layers.append(keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=BN_MOMENTUM))
                    weights += [
                        self.gammas[i].numpy()[replica],
                        self.betas[i].numpy()[replica],
                        self.moving_means[i].numpy()[replica],
                        self.moving_vars[i].numpy()[replica],
                    ]
                make = _KERAS_ACTIVATIONS.get(self.activation)
                layers.append(make() if make else keras.layers.Activation(self.activation))
        model = keras.Sequential(layers, name=self.name)
        model.set_weights(weights)
        return model
