"""Stacked ("batched") MLPs: R independent replicas of one network in one set of variables.

Weights carry a leading replica axis, so one matmul trains every seed of a seed group, and
elementwise optimizers (RMSprop, Adam, SGD) keep the replicas independent. ``to_keras``
copies one replica into a plain Keras model with the same outputs for saving and sampling.

A hidden layer is Dense (then optional batch norm, then the activation) or maxout (Dense to
units * pieces, then the max over each unit's pieces; no activation after it). Spectral
normalisation divides every kernel by its largest singular value, estimated by one power
iteration per update from a persistent vector ``u`` per layer and replica (Miyato et al., 2018).
"""

from __future__ import annotations

import numpy as np
import keras
import tensorflow as tf

from .. import streams
from ..config.settings import Init, Network
from .keras_layers import FourierFeatures, Maxout

BN_EPSILON = 1e-3  # Keras BatchNormalization's default, so exported models match
_SN_EPSILON = 1e-12  # guards the power iteration's normalisations against a zero vector

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


def initial_kernel(rng: np.random.Generator, init: Init, fan_in: int, fan_out: int) -> np.ndarray:
    if init.name == "glorot_uniform":
        return glorot_uniform(rng, fan_in, fan_out)
    if init.name == "normal":
        return rng.normal(0.0, init.std, size=(fan_in, fan_out)).astype(np.float32)
    raise ValueError(f"unknown initializer {init.name!r}")


def _l2_normalize(x):
    return x * tf.math.rsqrt(tf.reduce_sum(tf.square(x), axis=-1, keepdims=True) + _SN_EPSILON)


class StackedMLP:
    """Layers [in] + hidden + [out] for R replicas, built from an experiment's network settings.

    ``network`` is the `generator` or `discriminator` of an experiment (its `hidden` and
    `optimizer` are not read here: ``sizes`` gives the widths). ``rng_salt`` names the stream of
    its initial weights (toygan.streams).
    """

    def __init__(self, name, sizes, network: Network, seeds, rng_salt, output_activation):
        self.name = name
        self.sizes = list(sizes)
        self.activation = network.activation
        self.batch_norm = network.batch_norm
        self.bn_momentum = network.batch_norm_momentum
        self.maxout = network.layer == "maxout"
        self.pieces = network.maxout_pieces if self.maxout else 1
        self.spectral_norm = network.spectral_norm
        self.fourier = network.fourier_features
        if self.fourier:  # the MLP then sees sin and cos of each frequency, not x
            self.in_dim, self.sizes[0] = self.sizes[0], 2 * self.fourier
        else:
            self.in_dim = self.sizes[0]
        self.output_activation = output_activation  # only for the exported Keras model
        self.replicas = len(seeds)
        n_layers = len(self.sizes) - 1
        # Columns of each kernel: a maxout layer computes `pieces` linear pieces per unit.
        self.widths = [b * (self.pieces if i < n_layers - 1 else 1) for i, b in enumerate(self.sizes[1:])]
        fans = list(zip(self.sizes[:-1], self.widths))
        kernels = [[] for _ in fans]
        for seed in seeds:
            rng = np.random.default_rng([seed, rng_salt])
            for i, (a, b) in enumerate(fans):
                kernels[i].append(initial_kernel(rng, network.init, a, b))

        def var(value, label, i, trainable=True):
            return keras.Variable(value, name=f"{name}_{label}{i}", trainable=trainable)

        def ones(n):
            return np.ones((self.replicas, n), np.float32)

        def zeros(n):
            return np.zeros((self.replicas, n), np.float32)

        self.kernels = [var(np.stack(k), "kernel", i) for i, k in enumerate(kernels)]
        # The output layer always keeps its bias; use_bias only drops the hidden layers' biases.
        self.biases = [var(zeros(w), "bias", i) if network.use_bias or i == n_layers - 1 else None
                       for i, w in enumerate(self.widths)]
        self.gammas, self.betas, self.moving_means, self.moving_vars = [], [], [], []
        if self.batch_norm:
            for i, b in enumerate(self.sizes[1:-1]):
                self.gammas.append(var(ones(b), "gamma", i))
                self.betas.append(var(zeros(b), "beta", i))
                self.moving_means.append(var(zeros(b), "mmean", i, trainable=False))
                self.moving_vars.append(var(ones(b), "mvar", i, trainable=False))
        self.sn_u = []
        if self.spectral_norm:
            # Own stream, so switching spectral_norm on leaves the initial weights unchanged.
            u = [np.random.default_rng([seed, rng_salt, streams.SPECTRAL_NORM]) for seed in seeds]
            for i, w in enumerate(self.widths):
                start = np.stack([r.standard_normal(w) for r in u]).astype(np.float32)
                start /= np.linalg.norm(start, axis=1, keepdims=True)
                self.sn_u.append(var(start, "sn_u", i, trainable=False))
        self.frequencies = []
        if self.fourier:
            # Own stream: a replica's frequencies depend on its seed and the sizes, not on the kernels.
            draws = [np.random.default_rng([seed, rng_salt, streams.FOURIER]) for seed in seeds]
            b = np.stack([r.normal(0.0, network.fourier_scale, (self.in_dim, self.fourier)) for r in draws])
            self.frequencies.append(var(b.astype(np.float32), "fourier", 0, trainable=False))

    @property
    def trainable(self) -> list:
        """Layer by layer in Keras' order: kernel, bias (if any), then batch norm's gamma, beta."""
        out = []
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases)):
            out += [kernel] if bias is None else [kernel, bias]
            if i < len(self.gammas):
                out += [self.gammas[i], self.betas[i]]
        return out

    @property
    def state(self) -> list:
        """Every variable, trainable or not: what a checkpoint must hold (incl. the SN vectors)."""
        return self.trainable + self.moving_means + self.moving_vars + self.sn_u + self.frequencies

    def kernel(self, i: int, update_stats: bool = False):
        """Layer i's kernel (R, in, out) as used in the forward pass: divided by sigma if SN.

        One power iteration from the stored u: v = K u / |K u|, u' = K^T v / |K^T v|,
        sigma = v^T K u'. u' replaces u only if ``update_stats``. u and v are constants for the
        gradient, which flows through sigma (Miyato et al., 2018).
        """
        k = self.kernels[i].value
        if not self.spectral_norm:
            return k
        v = tf.stop_gradient(_l2_normalize(tf.einsum("rab,rb->ra", k, self.sn_u[i].value)))
        u = tf.stop_gradient(_l2_normalize(tf.einsum("rab,ra->rb", k, v)))
        if update_stats:
            self.sn_u[i].assign(u)
        sigma = tf.einsum("ra,rab,rb->r", v, k, u)
        return k / sigma[:, None, None]

    def __call__(self, x, training: bool = True, update_stats: bool = False):
        """x: (R, B, in) -> (R, B, out).

        Batch norm normalises with batch statistics when ``training`` (and then folds them into
        the moving averages if ``update_stats``), with the moving averages otherwise, as Keras
        does. ``update_stats`` also advances spectral norm's power iteration (once per call).
        """
        act = _ACTIVATIONS[self.activation]
        n_hidden = len(self.sizes) - 2
        if self.fourier:
            phase = (2.0 * np.pi) * tf.matmul(x, self.frequencies[0].value)
            x = tf.concat([tf.sin(phase), tf.cos(phase)], -1)
        for i in range(len(self.sizes) - 1):
            x = tf.matmul(x, self.kernel(i, update_stats))
            if self.biases[i] is not None:
                x = x + self.biases[i].value[:, None, :]
            if i == n_hidden:
                break
            if self.maxout:
                units = self.sizes[i + 1]
                x = tf.reduce_max(tf.reshape(x, tf.concat([tf.shape(x)[:-1], [units, self.pieces]], 0)), -1)
                continue
            if self.batch_norm:
                x = self._batch_norm(i, x, training, update_stats)
            x = act(x)
        return x

    def _batch_norm(self, i, x, training, update_stats):
        if training:
            mean, var = tf.nn.moments(x, axes=[1])
            if update_stats:
                m = self.bn_momentum
                self.moving_means[i].assign(self.moving_means[i] * m + mean * (1 - m))
                self.moving_vars[i].assign(self.moving_vars[i] * m + var * (1 - m))
        else:
            mean, var = self.moving_means[i].value, self.moving_vars[i].value
        x = (x - mean[:, None, :]) * tf.math.rsqrt(var[:, None, :] + BN_EPSILON)
        return x * self.gammas[i].value[:, None, :] + self.betas[i].value[:, None, :]

    def export_weights(self) -> list[np.ndarray]:
        """Every replica's weights as ``to_keras`` sets them, in Keras' order, arrays (R, ...):
        the Fourier frequencies, the kernels (spectral norm folded in), biases and batch norm's four vectors."""
        weights = [f.numpy() for f in self.frequencies]
        for i in range(len(self.sizes) - 1):
            weights.append(self.kernel(i).numpy())
            if self.biases[i] is not None:
                weights.append(self.biases[i].numpy())
            if i < len(self.gammas) and not self.maxout:  # as the forward pass: maxout skips batch norm
                norm = (self.gammas[i], self.betas[i], self.moving_means[i], self.moving_vars[i])
                weights += [v.numpy() for v in norm]
        return weights

    def to_keras(self, replica: int) -> keras.Model:
        """A plain Keras Sequential model with replica ``replica``'s outputs.

        Spectral norm is folded into the kernels (K / sigma from the stored u, as an inference
        call computes it); maxout is Dense(units * pieces) followed by the ``Maxout`` layer.
        """
        layers = [keras.Input(shape=(self.in_dim,))]
        if self.fourier:
            layers.append(FourierFeatures(self.fourier, name="fourier_features"))
        n_hidden = len(self.sizes) - 2
        # Dense(h, relu) as in the reference when nothing sits between Dense and activation.
        fused = not self.batch_norm and not self.maxout and self.activation not in _KERAS_ACTIVATIONS
        for i in range(n_hidden + 1):
            last = i == n_hidden
            activation = self.output_activation if last else (self.activation if fused else None)
            bias = self.biases[i]
            layers.append(keras.layers.Dense(self.widths[i], activation=activation, use_bias=bias is not None,
                                             name=f"dense_{i}"))
            if last or fused:
                continue
            if self.maxout:
                layers.append(Maxout(self.pieces, name=f"maxout_{i}"))
                continue
            if self.batch_norm:
                layers.append(keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=self.bn_momentum))
            make = _KERAS_ACTIVATIONS.get(self.activation)
            layers.append(make() if make else keras.layers.Activation(self.activation))
        model = keras.Sequential(layers, name=self.name)
        model.set_weights([w[replica] for w in self.export_weights()])
        return model
