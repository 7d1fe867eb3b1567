"""Custom Keras layers of the exported models; import this module before loading a .keras file.

Only ``keras.ops`` here and no TensorFlow import, so a saved model loads and runs on any Keras
backend (the sample job may use the numpy backend).
"""

from __future__ import annotations

import keras
from keras import ops

_TWO_PI = 6.283185307179586  # not math.pi: this module imports Keras alone


@keras.saving.register_keras_serializable(package="toygan", name="FourierFeatures")
class FourierFeatures(keras.layers.Layer):
    """Random Fourier features (Tancik et al., 2020): x -> [sin(2 pi x B), cos(2 pi x B)] for a
    fixed (non-trainable) frequency matrix B of shape (input width, ``features``)."""

    def __init__(self, features: int, **kwargs):
        super().__init__(**kwargs)
        self.features = int(features)

    def build(self, input_shape):
        self.frequencies = self.add_weight(shape=(input_shape[-1], self.features), initializer="zeros",
                                           trainable=False, name="frequencies")

    def call(self, x):
        phase = _TWO_PI * ops.matmul(x, self.frequencies)
        return ops.concatenate([ops.sin(phase), ops.cos(phase)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 2 * self.features)

    def get_config(self):
        return {**super().get_config(), "features": self.features}


@keras.saving.register_keras_serializable(package="toygan", name="Maxout")
class Maxout(keras.layers.Layer):
    """Maxout (Goodfellow et al., 2013): unit j is the max of inputs j*pieces ... j*pieces + pieces - 1.

    Placed after Dense(units * pieces), this is one maxout layer of ``units`` units; the piece
    layout (pieces of a unit adjacent) is the stacked trainer's and Blocks' LinearMaxout.
    """

    def __init__(self, pieces: int, **kwargs):
        super().__init__(**kwargs)
        self.pieces = int(pieces)

    def _units(self, last_dim: int) -> int:
        if last_dim % self.pieces:
            raise ValueError(f"Maxout: input width {last_dim} is not a multiple of pieces={self.pieces}")
        return last_dim // self.pieces

    def call(self, x):
        units = self._units(x.shape[-1])
        # Non-batch dims are static in Keras; -1 stands for the batch.
        grouped = ops.reshape(x, (-1, *x.shape[1:-1], units, self.pieces))
        return ops.max(grouped, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self._units(input_shape[-1]))

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}
