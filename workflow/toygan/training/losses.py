"""GAN losses on D's raw outputs (logits for the sigmoid losses), one value per replica.

Every function takes tensors of shape (R, B) and returns shape (R,): replicas (seeds trained
together) never mix, so the gradient of the summed loss w.r.t. one replica's weights is the
gradient of that replica's own loss.
"""

from __future__ import annotations

import tensorflow as tf

SIGMOID_LOSSES = ("bce_smoothed", "minimax", "nonsaturating")


def _bce(logits, target):
    # Same value as Keras' binary_crossentropy on sigmoid outputs (Keras 3 also uses logits).
    # target: a number, or (R, 1) per-replica labels
    labels = tf.broadcast_to(tf.cast(target, logits.dtype), tf.shape(logits))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), axis=1)


def d_loss(name: str, real, fake, loss_cfg: dict):
    """D's loss on D(real) and D(G(z)); for bce losses averaged over all 2B rows like train_on_batch."""
    if name == "bce_smoothed":
        return 0.5 * (_bce(real, loss_cfg["real_label"]) + _bce(fake, loss_cfg["fake_label"]))
    if name in ("minimax", "nonsaturating"):
        return 0.5 * (_bce(real, 1.0) + _bce(fake, 0.0))
    if name == "wgan_gp":  # the gradient penalty is added by the trainer (it needs D itself)
        return tf.reduce_mean(fake, axis=1) - tf.reduce_mean(real, axis=1)
    if name == "lsgan":
        return 0.5 * (tf.reduce_mean(tf.square(real - 1.0), axis=1) + tf.reduce_mean(tf.square(fake), axis=1))
    if name == "hinge":
        return tf.reduce_mean(tf.nn.relu(1.0 - real), axis=1) + tf.reduce_mean(tf.nn.relu(1.0 + fake), axis=1)
    raise ValueError(f"unknown loss {name!r}")


def g_loss(name: str, fake, loss_cfg: dict):
    """G's loss on D(G(z))."""
    if name == "bce_smoothed":
        return _bce(fake, loss_cfg["real_label"])
    if name == "nonsaturating":
        return _bce(fake, 1.0)
    if name == "minimax":  # minimise log(1 - D(G(z))) = -softplus(logit): the saturating original
        return -tf.reduce_mean(tf.nn.softplus(fake), axis=1)
    if name in ("wgan_gp", "hinge"):
        return -tf.reduce_mean(fake, axis=1)
    if name == "lsgan":
        return 0.5 * tf.reduce_mean(tf.square(fake - 1.0), axis=1)
    raise ValueError(f"unknown loss {name!r}")
