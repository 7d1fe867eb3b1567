"""Stabilisers (EMA, LR schedules, R1/R2, simultaneous updates, i.i.d. batches) and per-replica
scalar settings: the update property on the new paths, their definitions, and that a sweep
point trains the same alone or batched with other points."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from toygan.training.tfsetup import import_tensorflow

tf = import_tensorflow(1)

from toygan.data import datasets  # noqa: E402
from toygan.config.validate import ConfigError, validate_config  # noqa: E402
from toygan.training.export import history_csv  # noqa: E402
from toygan.training import mmd  # noqa: E402
from toygan.training.group import GroupTrainer  # noqa: E402
from toygan.training.schedules import Schedule  # noqa: E402
from toygan.training.settings import Settings  # noqa: E402

from test_trainer import changed, deep_update, weights  # noqa: E402


def experiment(**extra):
    """A small 2-D experiment (validated, defaults filled) with ``extra`` merged in."""
    raw = {"datasets": {"ring": {"kind": "ring", "n": 256}},
           "experiments": {"e": deep_update({"dataset": "ring", "seeds": [0, 1],
                                             "generator": {"hidden": [16]}, "discriminator": {"hidden": [16]},
                                             "training": {"epochs": 4, "batch_size": 64, "metric_every": 2,
                                                          "snapshots": 2, "checkpoint_every": 2}},
                                            extra)}}
    cfg = validate_config(raw)
    return cfg["experiments"]["e"], datasets.training_data(cfg["datasets"]["ring"])


def first_batch(trainer):
    real = tf.constant(trainer.data_np[None, :64])
    return real, trainer.draws.latent_for_step(tf.constant(0, tf.int64), 0, 64)


STABILISED = {"loss": {"r1_gamma": 2.0, "r2_gamma": 1.0}, "training": {"ema": {"decay": 0.9}}}
WITH_KERNEL = {"loss": {**STABILISED["loss"], "mmd": {"weight": 0.5}}, "training": STABILISED["training"]}


def test_penalties_and_ema_keep_the_update_property():
    exp, data = experiment(**WITH_KERNEL)
    trainer = GroupTrainer(exp, data, [0, 1], xla=False)
    real, z = first_batch(trainer)
    g0, avg0 = weights(trainer.G.state), weights(trainer.G_avg.state)
    trainer.updates.d_step(real, z)
    assert not any(changed(g0, trainer.G.state) + changed(avg0, trainer.G_avg.state)), "D's update touched G"
    d1 = weights(trainer.D.state)
    trainer.updates.g_step(real, z)
    assert all(changed(g0, trainer.G.trainable)) and not any(changed(d1, trainer.D.state))


def test_ema_only_averages_and_never_steers_training():
    decay = 0.75
    exp, data = experiment(training={"ema": {"decay": decay}})
    plain_exp, _ = experiment()
    with_avg, plain = GroupTrainer(exp, data, [0, 1], xla=False), GroupTrainer(plain_exp, data, [0, 1], xla=False)
    real, z = first_batch(plain)
    g0 = weights(with_avg.G.state)
    for t in (with_avg, plain):
        t.updates.step(real, tf.constant(0, tf.int64), 64, tf.constant(0, tf.int64))
    for a, b in zip(with_avg.G.state + with_avg.D.state, plain.G.state + plain.D.state):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for before, now, avg in zip(g0, with_avg.G.state, with_avg.G_avg.state):
        np.testing.assert_allclose(avg.numpy(), decay * before + (1 - decay) * now.numpy(), rtol=1e-6, atol=1e-7)


def test_ema_before_its_start_epoch_is_a_copy_and_is_what_gets_sampled_and_exported():
    exp, data = experiment(training={"ema": {"decay": 0.9, "start_epoch": 2}}, generator={"batch_norm": True})
    trainer = GroupTrainer(exp, data, [0, 1])
    copies = []

    def at_checkpoint(t):  # epoch 2: every average update so far came before start_epoch
        copies.extend(np.array_equal(g.numpy(), avg.numpy()) for g, avg in zip(t.G.state, t.G_avg.state))

    trainer.fit(on_checkpoint=at_checkpoint)
    assert copies and all(copies), "before start_epoch the average is a copy of G (BN statistics included)"
    assert any(changed(weights(trainer.G.state), trainer.G_avg.state))
    z = trainer._fixed_z[:, :50]
    np.testing.assert_allclose(trainer.generator_to_keras(1).predict(z[1], verbose=0), trainer.generate(z)[1],
                               rtol=1e-4, atol=1e-5)
    assert not np.allclose(trainer.generate(z), trainer.generate(z, averaged=False))
    table = trainer.history_table(0)
    assert np.isfinite(table["w1_ema"][[1, 3]]).all() and not np.array_equal(table["w1"], table["w1_ema"])
    assert history_csv(table, 0).splitlines()[0] == "epoch,d_loss,g_loss,w1,w1_ema,event"


def test_simultaneous_takes_both_gradients_at_the_old_weights():
    """One simultaneous step = D's update alone + G's update alone, each from the same start."""
    exp, data = experiment(training={"update": "simultaneous"}, loss={"r1_gamma": 1.0})
    both, d_only, g_only = (GroupTrainer(exp, data, [0, 1], xla=False) for _ in range(3))
    real, z = first_batch(both)
    both.updates.step(real, tf.constant(0, tf.int64), 64, tf.constant(0, tf.int64))
    d_only.updates.d_step(real, z)
    g_only.updates.g_step(real, z)
    for a, b in zip(both.D.state, d_only.D.state):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(both.G.state, g_only.G.state):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_simultaneous_with_several_critic_steps_is_refused():
    with pytest.raises(ConfigError, match="training.update: simultaneous .* need training.n_critic: 1 \\(it is 2\\)"):
        experiment(training={"update": "simultaneous", "n_critic": 2})


def test_r1_r2_are_half_gamma_times_the_squared_input_gradient_of_packed_d():
    exp, data = experiment(loss={"r1_gamma": 3.0, "r2_gamma": 5.0}, training={"pack": 2})
    trainer = GroupTrainer(exp, data, [0, 1], xla=False)
    plain = GroupTrainer(experiment(training={"pack": 2})[0], data, [0, 1], xla=False)
    real, z = first_batch(trainer)
    fake = trainer.G(z)
    step = tf.constant(0, tf.int64)
    with_penalty, _ = trainer.updates.d_gradients(real, fake, step, 0)
    without, _ = plain.updates.d_gradients(real, fake, step, 0)

    def mean_sq_grad(x):
        x = tf.broadcast_to(trainer.updates.packed(x), [2, 32, 4])  # 64 rows -> 32 packs of 2 x 2-D
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = tf.reduce_sum(trainer.D(x))
        return tf.reduce_mean(tf.reduce_sum(tape.gradient(out, x) ** 2, axis=-1), axis=1)

    expected = 1.5 * mean_sq_grad(real) + 2.5 * mean_sq_grad(fake)
    np.testing.assert_allclose(with_penalty - without, expected, rtol=1e-5)


def generator_schedule(exp, total):
    s = Settings.build(exp, 1)
    return Schedule(s.exp.generator.optimizer.schedule, s.replica.generator.optimizer.schedule, total)


def test_schedules_warm_up_from_zero_and_end_at_the_final_fraction():
    def factors(name, warmup, final, total=10):
        exp, _ = experiment(generator={"optimizer": {"schedule": {"name": name, "warmup_steps": warmup,
                                                                  "final_fraction": final}}})
        schedule = generator_schedule(exp, total)
        return np.array([schedule.factor(t).numpy()[0] for t in range(total)])

    t = np.arange(10)
    np.testing.assert_allclose(factors("linear", 2, 0.1), np.where(t < 2, t / 2, 0.1 + 0.9 * (1 - (t - 2) / 7)),
                               rtol=1e-6, atol=1e-7)
    cosine = factors("cosine", 0, 0.2)
    assert cosine[0] == pytest.approx(1) and cosine[-1] == pytest.approx(0.2) and np.all(np.diff(cosine) < 0)
    np.testing.assert_allclose(factors("constant", 3, 0.5), [0, 1 / 3, 2 / 3] + [1] * 7, rtol=1e-6)
    assert not generator_schedule(experiment()[0], 10).active  # default: not in the graph


def test_warm_up_step_zero_does_not_move_the_weights():
    exp, data = experiment(discriminator={"optimizer": {"name": "sgd", "learning_rate": 0.1,
                                                        "schedule": {"warmup_steps": 4}}})
    trainer = GroupTrainer(exp, data, [0], xla=False)
    real, z = first_batch(trainer)
    d0 = weights(trainer.D.trainable)
    trainer.updates.d_step(real, z)
    assert not any(changed(d0, trainer.D.trainable))
    trainer.updates.d_step(real, z)
    assert all(changed(d0, trainer.D.trainable))
    assert int(trainer.d_opt.iterations.numpy()) == 2


def test_with_replacement_draws_iid_rows_per_replica_and_step():
    exp, data = experiment(training={"batch_sampling": "with_replacement"})
    trainer = GroupTrainer(exp, data, [0, 1], xla=False)
    idx = np.stack([trainer.draws.row_indices(tf.constant(s, tf.int64), 64, 256).numpy() for s in range(200)])
    assert idx.shape == (200, 2, 64) and idx.min() >= 0 and idx.max() < 256
    assert not np.array_equal(idx[:, 0], idx[:, 1]) and not np.array_equal(idx[0], idx[1])
    counts = np.bincount(idx[:, 0].ravel(), minlength=256)  # 50 expected per row
    assert counts.min() > 20 and counts.max() < 85
    assert len(np.unique(idx[0, 0])) < 64 or len(np.unique(idx[1, 0])) < 64  # repeats happen
    real = trainer.rows.block(trainer.rows.for_epoch(0), tf.constant(7, tf.int64), 0, 64).numpy()
    np.testing.assert_array_equal(real[1], trainer.data_np[idx[7, 1]])


def sweep_points(exp):
    """2 learning rates x 2 real labels of one experiment."""
    points = []
    for lr in (1e-3, 3e-3):
        for label in (0.9, 0.8):
            p = copy.deepcopy(exp)
            p["discriminator"]["optimizer"]["learning_rate"] = lr
            p["loss"]["real_label"] = label
            points.append(p)
    return points


def final_state(trainer):
    d, g = trainer.history.losses()
    return [v.numpy() for v in trainer.state_vars], d, g


def test_the_kernel_bandwidths_double_from_smallest_to_largest_and_a_reversed_pair_is_refused():
    default = Settings.build(experiment()[0], 1).exp.loss.mmd
    assert default.fractions == tuple(2.0 ** -k for k in range(8, -1, -1))
    narrow = Settings.build(experiment(loss={"mmd": {"smallest": 0.01, "largest": 0.1}})[0], 1).exp.loss.mmd
    assert narrow.fractions == (0.01, 0.02, 0.04, 0.08)
    with pytest.raises(ConfigError, match=r"experiments\.e\.loss\.mmd\.smallest: 0\.5 is larger than loss\.mmd\.largest"):
        experiment(loss={"mmd": {"smallest": 0.5, "largest": 0.25}})


def _mmd2_unbiased(x, y, bandwidths):
    """NumPy reference: the unbiased squared MMD of a sum of Gaussian kernels."""
    def k(a, b):
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return sum(np.exp(-d2 / (2 * s * s)) for s in bandwidths)
    n, m = len(x), len(y)
    kxx, kyy = k(x, x), k(y, y)
    return ((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
            - 2 * k(x, y).mean())


def test_the_mmd_term_is_the_part_of_the_unbiased_mmd_that_depends_on_g():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(1, 64, 2)), rng.normal(0.3, 0.5, size=(2, 64, 2))
    bandwidths = [f * mmd.data_spread(real[0]) for f in (2 ** -8, 2 ** -4, 2 ** -1, 1.0)]
    term = mmd.g_term(tf.constant(fake), tf.constant(real), bandwidths).numpy()
    y = real[0]
    kyy = sum(np.exp(-((y[:, None] - y[None]) ** 2).sum(-1) / (2 * s * s)) for s in bandwidths)
    real_part = (kyy.sum() - np.trace(kyy)) / (64 * 63)
    for r in range(2):
        np.testing.assert_allclose(term[r] + real_part, _mmd2_unbiased(fake[r], y, bandwidths), rtol=1e-10)


def test_the_mmd_term_sees_a_mode_too_narrow_and_g_loss_adds_it_with_its_weight():
    rng = np.random.default_rng(1)
    centres = rng.choice([-1.0, 1.0], size=(1, 512, 1)) * np.array([1.0, 0.0])
    real = centres + 0.01 * rng.normal(size=(1, 512, 2))
    right = centres + 0.01 * rng.normal(size=(1, 512, 2))
    narrow = centres + 0.005 * rng.normal(size=(1, 512, 2))
    exp, data = experiment(loss={"mmd": {"weight": 3.0}})
    trainer = GroupTrainer(exp, data, [0, 1], xla=False)
    bandwidths = [f * mmd.data_spread(real[0]) for f in Settings.build(exp, 2).exp.loss.mmd.fractions]
    term = [float(mmd.g_term(tf.constant(f), tf.constant(real), bandwidths)[0]) for f in (right, narrow)]
    assert term[1] > term[0] + 0.05, term  # half the width costs far more than sampling noise

    plain = GroupTrainer(experiment()[0], data, [0, 1], xla=False)
    real_rows, z = first_batch(trainer)
    fake = trainer.G(z)
    with_term, _ = trainer.updates.g_gradients(tf.GradientTape(), fake, real_rows)
    without, _ = plain.updates.g_gradients(tf.GradientTape(), fake, real_rows)
    expected = 3.0 * mmd.g_term(fake, real_rows, trainer.updates.bandwidths)
    np.testing.assert_allclose(with_term - without, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("extra", [
    pytest.param({}, id="rmsprop"),  # the reference's optimizer
    pytest.param({"generator": {"optimizer": {"name": "adam", "beta_1": 0.5}},
                  "discriminator": {"optimizer": {"name": "sgd", "momentum": 0.9}}, **STABILISED},
                 id="adam_sgd_ema_r1_r2"),
])
@pytest.mark.slow  # four XLA compilations each; test_sweep_batching checks a batched job by default
def test_a_sweep_point_trains_the_same_alone_or_batched_with_others(extra):
    exp, data = experiment(**extra)
    seeds = [0, 1, 2]
    points = sweep_points(exp)
    if "ema" in extra.get("training", {}):  # so do momentum, penalty weights, EMA on vs off
        points[0]["discriminator"]["optimizer"]["momentum"] = 0.5
        points[0]["loss"]["r2_gamma"] = 4.0
        points[1]["training"]["ema"]["decay"] = 0.0
    batched = GroupTrainer([p for p in points for _ in seeds], data, seeds * len(points))
    batched.fit()
    state, d, g = final_state(batched)
    for i, point in enumerate(points):
        alone = GroupTrainer(point, data, seeds)
        alone.fit()
        a_state, a_d, a_g = final_state(alone)
        mine = slice(3 * i, 3 * i + 3)
        np.testing.assert_array_equal(a_d, d[:, mine])
        np.testing.assert_array_equal(a_g, g[:, mine])
        for a, b in zip(a_state, state):  # G, D, then G's average if this point has one
            np.testing.assert_array_equal(a, b[mine])
    assert not np.array_equal(d[:, 0], d[:, 3])


@pytest.mark.slow
def test_a_point_with_the_kernel_term_trains_alone_as_batched_up_to_rounding():
    """The kernel term's (R, B, B) sums are tiled by XLA according to the replica count, so a
    point batched with others rounds differently from the same point alone: the documented
    exception to bit-identity (docs/config.md). The difference stays at rounding size."""
    exp, data = experiment(**WITH_KERNEL)
    seeds = [0, 1, 2]
    points = sweep_points(exp)
    points[1]["loss"]["mmd"]["weight"] = 2.0
    batched = GroupTrainer([p for p in points for _ in seeds], data, seeds * len(points))
    batched.fit()
    state, d, g = final_state(batched)
    alone = GroupTrainer(points[0], data, seeds)
    alone.fit()
    a_state, a_d, a_g = final_state(alone)
    np.testing.assert_allclose(a_g, g[:, :3], rtol=1e-5)
    np.testing.assert_allclose(a_d, d[:, :3], rtol=1e-5)
    for a, b in zip(a_state, state):
        np.testing.assert_allclose(a, b[:3], rtol=1e-4, atol=1e-6)


def test_replicas_must_share_their_structure():
    exp, data = experiment()
    other = copy.deepcopy(exp)
    other["generator"]["hidden"] = [8]
    with pytest.raises(ValueError, match="generator.hidden"):
        GroupTrainer([exp, other], data, [0, 1], xla=False)
    no_momentum = copy.deepcopy(exp)
    no_momentum["discriminator"]["optimizer"]["momentum"] = 0.9  # 0 vs > 0 is structure (hyper.SWITCHES)
    with pytest.raises(ValueError, match="discriminator.optimizer.momentum_on"):
        GroupTrainer([exp, no_momentum], data, [0, 1], xla=False)
    with pytest.raises(ValueError, match="one per seed"):
        GroupTrainer([exp], data, [0, 1], xla=False)
