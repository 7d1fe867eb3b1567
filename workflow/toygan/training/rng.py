"""A counter-based random generator made of plain integer ops, for draws inside compiled graphs.

Why not ``tf.random.stateless_uniform``: under XLA on CPU its Philox kernel costs more than the
whole GAN step of our tiny networks (measured ~20x slower than this; see
workflow/benchmarks/speed.py). Here each number is a strong 32-bit integer hash (Wellons'
"lowbias32", two keyed rounds) of its index, keyed by (seed, counter): elementwise int64
arithmetic that XLA vectorises. Same (seed, counter) -> same numbers, on any chunking of the
run, which is what makes checkpoint resume exact. tests/test_rng.py checks uniformity,
independence between keys and the normal transform.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

_M32 = 0xFFFFFFFF
_KEY2 = 0x68E31DA4


def _mix(x):
    """lowbias32 on int64 tensors holding 32-bit values."""
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))
    x = (x * 0x7FEB352D) & _M32
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 15))
    x = (x * 0x846CA68B) & _M32
    return tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))


def _bits(n: int, seed, counter):
    """n hashed 32-bit values (as int64) for key (seed, counter): shape seed.shape + (n,).

    ``seed`` may be a vector (one key per replica): every number depends on its own key and
    index only, so a replica's numbers are the same drawn alone or beside others.
    """
    seed = tf.cast(seed, tf.int64)
    counter = tf.cast(counter, tf.int64)
    key1 = _mix(_mix(seed & _M32) ^ (counter & _M32))
    # _KEY2 keeps key2 away from mix(key1), the first index's hash: equal, they zeroed the
    # first number of every draw. Its top bit outweighs the rest, so no index below ~3.9e8
    # can hash to key2 either.
    key2 = _mix(key1 ^ _KEY2 ^ tf.bitwise.right_shift(counter, 32)
                ^ (tf.bitwise.right_shift(seed, 32) * 0x9E3779B9 & _M32))
    x = _mix((tf.range(n, dtype=tf.int64) + key1[..., None]) & _M32)
    return _mix(x ^ key2[..., None])


def _keys_shape(seed) -> list[int]:
    return list(tf.convert_to_tensor(seed).shape)


def uniform(shape, seed, counter, low: float = 0.0, high: float = 1.0):
    """Uniform floats in [low, high) with 24 random bits each; shape seed.shape + shape."""
    n = int(np.prod(shape))
    u = tf.cast(tf.bitwise.right_shift(_bits(n, seed, counter), 8), tf.float32) * (2.0**-24)
    return tf.reshape(low + (high - low) * u, _keys_shape(seed) + list(shape))


def normal(shape, seed, counter):
    """Standard normal floats by Box-Muller on two hashed uniform streams; shape seed.shape + shape."""
    n = int(np.prod(shape))
    half = (n + 1) // 2
    bits = _bits(2 * half, seed, counter)
    u1 = (tf.cast(tf.bitwise.right_shift(bits[..., :half], 8), tf.float32) + 0.5) * (2.0**-24)  # (0, 1)
    u2 = tf.cast(tf.bitwise.right_shift(bits[..., half:], 8), tf.float32) * (2.0**-24)
    r = tf.sqrt(-2.0 * tf.math.log(u1))
    z = tf.concat([r * tf.cos(2 * math.pi * u2), r * tf.sin(2 * math.pi * u2)], axis=-1)
    return tf.reshape(z[..., :n], _keys_shape(seed) + list(shape))
