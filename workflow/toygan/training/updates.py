"""One training step: D updates (with their penalties), then G's; alternating or simultaneous.

Every update differentiates only its own network's variables (never Keras' ``trainable``
flag), so D cannot learn in G's update nor G in D's. D is called with ``update_stats=True``
exactly once per D update, on the real rows.
"""

from __future__ import annotations

import tensorflow as tf

from . import losses, mmd


class Updates:
    def __init__(self, settings, G, D, g_opt, d_opt, draws, average, dim, spread=1.0):
        self.G, self.D = G, D
        self.g_opt, self.d_opt = g_opt, d_opt
        self.draws, self.average = draws, average
        self.dim, self.pack, self.replicas = dim, settings.exp.training.pack, settings.replicas
        self.n_critic, self.simultaneous = settings.exp.training.n_critic, settings.exp.training.simultaneous
        self.loss_name = settings.exp.loss.name
        self.loss = settings.replica.loss  # per-replica constants
        # a penalty is in the graph only when on (on or off is structure: scalars.SWITCHES)
        self.r1_on, self.r2_on = self.loss.r1_gamma.any(), self.loss.r2_gamma.any()
        self.mmd_on = self.loss.mmd.weight.any()
        self.bandwidths = [f * spread for f in settings.exp.loss.mmd.fractions]

    # Per-replica scalars are read where they are used, inside the compiled loop (Scalar.tensor).
    @property
    def labels(self):
        return {"real_label": self.loss.real_label.tensor(2), "fake_label": self.loss.fake_label.tensor(2)}

    @property
    def gp_weight(self):
        return self.loss.gp_weight.tensor()

    @property
    def r1(self):
        return self.loss.r1_gamma.tensor(scale=0.5)  # gamma / 2

    @property
    def r2(self):
        return self.loss.r2_gamma.tensor(scale=0.5)

    def packed(self, x):
        """(R, B, d) -> (R, B // m, m * d): PacGAN's D sees m samples at once."""
        m = self.pack
        if m == 1:
            return x
        rows = (x.shape[1] // m) * m
        return tf.reshape(x[:, :rows], [tf.shape(x)[0], rows // m, m * self.dim])

    # ----- D -----------------------------------------------------------------------------
    def d_gradients(self, real, fake, step, purpose):
        """D's loss (R,) and gradients on real rows (R|1, B, d) and fixed fakes (R, B, d)."""
        fake = tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            real_p, fake_p = self.packed(real), self.packed(fake)
            loss = losses.d_loss(
                self.loss_name, self.D(real_p, update_stats=True)[..., 0], self.D(fake_p)[..., 0], self.labels
            )
            for penalty in self._penalties(real, fake, real_p, fake_p, step, purpose):
                loss += penalty
            total = tf.reduce_sum(loss)
        return loss, tape.gradient(total, [v.value for v in self.D.trainable])

    def _penalties(self, real, fake, real_p, fake_p, step, purpose):
        """The (R,) penalties that are on: WGAN-GP's, R1 (real rows), R2 (generated rows); all on
        D's packed input."""
        out = []
        if self.loss_name == "wgan_gp":
            eps = self.draws.gp_mix(step, purpose, fake_p.shape[1])
            mix = eps * self.packed(tf.broadcast_to(real, tf.shape(fake))) + (1.0 - eps) * fake_p
            norm = tf.sqrt(self._input_grad_sq(mix) + 1e-12)
            out.append(self.gp_weight * tf.reduce_mean(tf.square(norm - 1.0), axis=1))
        if self.r1_on:
            full_real = tf.broadcast_to(real_p, [self.replicas, *real_p.shape[1:]])  # own gradient per replica
            out.append(self.r1 * tf.reduce_mean(self._input_grad_sq(full_real), axis=1))
        if self.r2_on:
            out.append(self.r2 * tf.reduce_mean(self._input_grad_sq(fake_p), axis=1))
        return out

    def _input_grad_sq(self, x):
        """‖∇_x D(x)‖² per row, (R, rows), differentiable w.r.t. D's weights."""
        with tf.GradientTape() as inner:
            inner.watch(x)
            out = tf.reduce_sum(self.D(x))
        return tf.reduce_sum(tf.square(inner.gradient(out, x)), axis=-1)

    def d_step(self, real, z, step=0, purpose=0, fake=None):
        """One D update on real rows and G(z); G's weights are not touched."""
        loss, grads = self.d_gradients(real, self.G(z) if fake is None else fake, step, purpose)
        self.d_opt.apply(grads, self.D.trainable)
        return loss

    # ----- G -----------------------------------------------------------------------------
    def g_gradients(self, tape, fake, real):
        """G's loss (R,) and gradients through D(fake), fake recorded on ``tape``; with the MMD
        term on, also through the kernel term against the real rows (R|1, B, d)."""
        with tape:
            loss = losses.g_loss(self.loss_name, self.D(self.packed(fake))[..., 0], self.labels)
            if self.mmd_on:
                loss += self.loss.mmd.weight.tensor() * mmd.g_term(fake, real, self.bandwidths)
            total = tf.reduce_sum(loss)
        return loss, tape.gradient(total, [v.value for v in self.G.trainable])

    def g_step(self, real, z):
        """One G update through D(G(z)) (and the MMD term against ``real``, when on); D's weights
        are not touched."""
        with tf.GradientTape() as tape:
            fake = self.G(z, update_stats=True)
        loss, grads = self.g_gradients(tape, fake, real)
        self.g_opt.apply(grads, self.G.trainable)
        return loss

    # ----- a step --------------------------------------------------------------------------
    def step(self, real, step, rows, epoch):
        """n_critic D updates, then the G update on the last D update's z; mean D loss and G loss.

        G(z) of the last D update is recorded once on G's tape and reused by the G update.
        Alternating: G's gradient sees D after its update. Simultaneous: both gradients are
        taken at the old weights, then both applied.
        """
        n_critic = self.n_critic
        d_sum = tf.zeros([self.replicas])
        for c in range(n_critic - 1):
            d_sum += self.d_step(real, self.draws.latent_for_step(step, c, rows), step, c)
        z = self.draws.latent_for_step(step, n_critic - 1, rows)
        with tf.GradientTape() as g_tape:
            fake = self.G(z, update_stats=True)
        d_loss, d_grads = self.d_gradients(real, fake, step, n_critic - 1)
        if self.simultaneous:
            g_loss, g_grads = self.g_gradients(g_tape, fake, real)
            self.d_opt.apply(d_grads, self.D.trainable)
        else:
            self.d_opt.apply(d_grads, self.D.trainable)
            g_loss, g_grads = self.g_gradients(g_tape, fake, real)
        self.g_opt.apply(g_grads, self.G.trainable)
        if self.average is not None:
            self.average.update(epoch)
        return (d_sum + d_loss) / n_critic, g_loss
