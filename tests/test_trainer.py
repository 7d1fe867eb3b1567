"""The compiled trainer: shapes, the update property (Keras 3 trap), the reference algorithm,
determinism, seed groups, losses and options, divergence, checkpoint resume."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from toygan.training.tfsetup import import_tensorflow

tf = import_tensorflow(1)
import keras  # noqa: E402

from toygan.data import datasets  # noqa: E402
from toygan.config.validate import validate_config  # noqa: E402
from toygan.plots.jobs import d_on_figure_grid  # noqa: E402
from toygan.sampling.grid import figure_grid, grid_points  # noqa: E402
from toygan.training.export import combined_model, history_csv, save_keras  # noqa: E402
from toygan.training.group import GroupTrainer  # noqa: E402
from toygan.training.batches import block_layout  # noqa: E402
from toygan.training.monitor import event_epochs  # noqa: E402

from conftest import REPO  # noqa: E402


@pytest.fixture(scope="module")
def shipped():
    return validate_config(yaml.safe_load((REPO / "config.yaml").read_text()))


def small(shipped, name="two_normals", **training):
    exp = copy.deepcopy(shipped["experiments"][name])
    exp["training"].update({"epochs": 6, "metric_every": 2, "log_every": 3, "snapshots": 3,
                            "checkpoint_every": 2, **training})
    return exp


def data_of(shipped, name):
    return datasets.training_data(shipped["datasets"][shipped["experiments"][name]["dataset"]])


def weights(variables):
    return [v.numpy().copy() for v in variables]


def changed(before, variables):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables)]


@pytest.mark.parametrize("name,g_params,d_params", [("two_normals", 2177, 193), ("normal", 577, 97)])
def test_parameter_counts_match_the_reference(shipped, name, g_params, d_params):
    trainer = GroupTrainer(shipped["experiments"][name], data_of(shipped, name), [0], xla=False)
    g, d = trainer.G.to_keras(0), trainer.D.to_keras(0)
    assert (g.count_params(), d.count_params()) == (g_params, d_params)
    assert d.layers[-1].activation.__name__ == "sigmoid"
    combined, text = combined_model(g, d, pack=1)
    assert f"Trainable params: {g_params:,}" in text
    assert f"Non-trainable params: {d_params:,}" in text
    assert d.trainable  # the summary's freeze is undone


def test_each_update_moves_only_its_own_network(shipped):
    """Keras 3 reads `trainable` at step time; our updates name their variables instead."""
    trainer = GroupTrainer(small(shipped), data_of(shipped, "two_normals"), [0, 1], xla=False)
    real = tf.constant(trainer.data_np[None, :400])
    z = trainer.draws.latent_for_step(tf.constant(0, tf.int64), 0, 400)

    g0, d0 = weights(trainer.G.state), weights(trainer.D.state)
    trainer.updates.d_step(real, z)
    assert all(changed(d0, trainer.D.trainable)), "a D update must change every D weight"
    assert not any(changed(g0, trainer.G.state)), "a D update must not touch G"

    g1, d1 = weights(trainer.G.state), weights(trainer.D.state)
    trainer.updates.g_step(real, z)
    assert all(changed(g1, trainer.G.trainable)), "a G update must change every G weight"
    assert not any(changed(d1, trainer.D.state)), "a G update must not touch D"


def test_compiled_steps_keep_the_property(shipped):
    trainer = GroupTrainer(small(shipped, epochs=1), data_of(shipped, "two_normals"), [0])
    d_opt, g_opt = weights(trainer.d_opt.variables), weights(trainer.g_opt.variables)
    g0, d0 = weights(trainer.G.state), weights(trainer.D.state)
    trainer.fit()
    assert all(changed(g0, trainer.G.trainable)) and all(changed(d0, trainer.D.trainable))
    # 5 blocks -> 5 updates of each optimizer: each network got exactly its own steps.
    assert int(trainer.d_opt.iterations.numpy()) == 5 and int(trainer.g_opt.iterations.numpy()) == 5
    assert any(changed(d_opt, trainer.d_opt.variables)) and any(changed(g_opt, trainer.g_opt.variables))


def test_one_step_equals_the_reference_train_on_batch(shipped):
    """Our D and G updates equal Keras train_on_batch on [real; G(z)] and on D(G(z)) with D frozen."""
    exp = small(shipped, epochs=1)
    trainer = GroupTrainer(exp, data_of(shipped, "two_normals"), [3], xla=False)
    g, d = trainer.G.to_keras(0), trainer.D.to_keras(0)
    real_np = trainer.data_np[:400]
    z = trainer.draws.latent_for_step(tf.constant(0, tf.int64), 0, 400)

    d.compile(optimizer=keras.optimizers.RMSprop(0.001), loss="binary_crossentropy")
    fake = g.predict(z[0].numpy(), verbose=0)
    x = np.concatenate([real_np, fake])
    y = np.concatenate([np.full(400, 0.9), np.full(400, 0.1)])[:, None]
    d.train_on_batch(x, y)
    trainer.updates.d_step(tf.constant(real_np[None]), z)
    for ours, ref in zip(trainer.D.trainable, d.trainable_weights):
        np.testing.assert_allclose(ours.numpy()[0], ref.numpy(), rtol=2e-4, atol=1e-6)

    d.trainable = False
    combined = keras.Sequential([keras.Input((exp["latent"]["dim"],)), g, d])
    combined.compile(optimizer=keras.optimizers.RMSprop(0.0005), loss="binary_crossentropy")
    combined.train_on_batch(z[0].numpy(), np.full((400, 1), 0.9))
    trainer.updates.g_step(tf.constant(real_np[None]), z)
    for ours, ref in zip(trainer.G.trainable, g.trainable_weights):
        np.testing.assert_allclose(ours.numpy()[0], ref.numpy(), rtol=2e-4, atol=1e-6)


def test_blocks_are_contiguous_and_the_last_takes_the_remainder():
    assert block_layout(2000, 5, None) == [(0, 5, 400)]
    assert block_layout(1003, 5, None) == [(0, 4, 200), (800, 1, 203)]
    assert block_layout(1050, 5, 100) == [(0, 10, 100), (1000, 1, 50)]


def test_same_seed_same_weights_and_history(shipped):
    runs = []
    for _ in range(2):
        t = GroupTrainer(small(shipped), data_of(shipped, "two_normals"), [5])
        t.fit()
        runs.append((weights(t.G.state + t.D.state), t.history_table(0)))
    for a, b in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(a, b)
    for key in ("d_loss", "g_loss", "w1"):
        np.testing.assert_array_equal(runs[0][1][key], runs[1][1][key])


def test_a_seed_trains_the_same_alone_or_in_a_group(shipped):
    alone = GroupTrainer(small(shipped), data_of(shipped, "two_normals"), [1])
    alone.fit()
    group = GroupTrainer(small(shipped), data_of(shipped, "two_normals"), [0, 1, 2])
    group.fit()
    for a, g in zip(alone.G.state + alone.D.state, group.G.state + group.D.state):
        np.testing.assert_allclose(a.numpy()[0], g.numpy()[1], rtol=1e-4, atol=1e-6)
    assert not np.allclose(group.G.kernels[0].numpy()[0], group.G.kernels[0].numpy()[1])



def test_a_seeds_history_does_not_depend_on_its_job_mates(shipped):
    """More real rows (2,000) than the monitoring W1 compares with (metric_samples 500): seed 1's
    history.csv, W1 column included, is the same beside seed 0 and beside seed 2."""
    exp = small(shipped, epochs=8, metric_every=2, log_every=4)
    assert exp["training"]["metric_samples"] < len(data_of(shipped, "two_normals"))
    csv = {}
    for mates in ([0, 1], [1, 2]):
        t = GroupTrainer(exp, data_of(shipped, "two_normals"), mates)
        t.fit()
        csv[tuple(mates)] = history_csv(t.history_table(mates.index(1)), 0)
    assert csv[(0, 1)] == csv[(1, 2)]
    w1 = [line.split(",")[3] for line in csv[(0, 1)].splitlines()[1:]]
    assert sum(bool(v) for v in w1) == 4  # the W1 column is there to compare


def test_the_animation_draws_each_snapshots_d_on_the_figure_grid(shipped, tmp_path):
    """The trainer keeps D's weights per snapshot; the animation job evaluates them on its own
    grid with NumPy and gets what the trained D (TensorFlow) gives there."""
    exp = small(shipped, "normal", epochs=6, snapshots=3)
    real = data_of(shipped, "normal")
    t = GroupTrainer(exp, real, [3, 4])
    t.fit()
    snaps = t.snapshots(1)
    save_keras(t.D.to_keras(1), tmp_path / "d.keras")
    drawn = d_on_figure_grid(snaps, str(tmp_path / "d.keras"), real)
    grid = figure_grid(real)
    assert drawn["d_grid"].shape == (3, len(grid["grid_x"]))
    np.testing.assert_allclose(drawn["d_grid"][-1], t.discriminate_points(grid_points(grid))[1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(drawn["d_grid"][0], drawn["d_grid"][-1])

OPTION_CASES = {
    "minimax": {"loss": {"name": "minimax"}},
    "nonsaturating": {"loss": {"name": "nonsaturating"}},
    "wgan_gp": {"loss": {"name": "wgan_gp", "gp_weight": 10.0}, "training": {"n_critic": 3}},
    "lsgan": {"loss": {"name": "lsgan"}},
    "hinge": {"loss": {"name": "hinge"}},
    "simultaneous_r1_r2_with_replacement": {
        "loss": {"name": "hinge", "r1_gamma": 1.0, "r2_gamma": 1.0},
        "training": {"update": "simultaneous", "batch_sampling": "with_replacement", "pack": 2},
    },
    "ema_bn_schedules": {
        "training": {"ema": {"decay": 0.9}},
        "generator": {"batch_norm": True, "optimizer": {"schedule": {"name": "cosine", "warmup_steps": 3}}},
        "discriminator": {"optimizer": {"schedule": {"name": "linear", "final_fraction": 0.5}}},
    },
    "pack3_adam_bn": {
        "training": {"pack": 3, "shuffle": True, "batch_size": 64},
        "generator": {"hidden": [16, 16], "batch_norm": True, "activation": "leaky_relu",
                      "optimizer": {"name": "adam", "learning_rate": 1e-4, "beta_1": 0.8}},
        "discriminator": {"optimizer": {"name": "sgd", "learning_rate": 0.01, "momentum": 0.9}},
        "latent": {"distribution": "normal", "dim": 2},
    },
    "mmd_term": {"loss": {"name": "lsgan", "mmd": {"weight": 0.5, "smallest": 0.01, "largest": 0.5}}},
    "categorical_latent": {
        "loss": {"name": "nonsaturating"},
        "latent": {"dim": 2, "distribution": "normal", "categories": 5},
    },
    "maxout_sn_normal_init": {
        "loss": {"name": "nonsaturating"},
        "generator": {"hidden": [16, 16], "batch_norm": True, "batch_norm_momentum": 0.95, "use_bias": False,
                      "init": {"name": "normal", "std": 0.02}},
        "discriminator": {"hidden": [8, 8], "layer": "maxout", "maxout_pieces": 5, "spectral_norm": True,
                          "init": {"name": "normal", "std": 0.02}},
    },
}


def deep_update(base, extra):
    for k, v in extra.items():
        if isinstance(v, dict):
            deep_update(base.setdefault(k, {}), v)
        else:
            base[k] = v
    return base


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_every_loss_and_option_trains_and_exports(shipped, case, tmp_path):
    raw = {"datasets": {"ring": {"kind": "ring", "n": 512}},
           "experiments": {"e": deep_update({"dataset": "ring", "seeds": [0, 1],
                                             "training": {"epochs": 4, "metric_every": 2, "snapshots": 2}},
                                            OPTION_CASES[case])}}
    cfg = validate_config(raw)
    exp = cfg["experiments"]["e"]
    trainer = GroupTrainer(exp, datasets.training_data(cfg["datasets"]["ring"]), [0, 1], xla=False)
    g0 = weights(trainer.G.trainable)
    trainer.fit()
    assert all(changed(g0, trainer.G.trainable))
    d, g = trainer.history.losses()
    assert d.shape == (4, 2) and np.isfinite(d).all() and np.isfinite(g).all()
    gen_model, d_model = trainer.generator_to_keras(1), trainer.D.to_keras(1)
    z = trainer._fixed_z[1, :50]
    # The exported Keras generator reproduces the trainer's inference output (incl. batch norm).
    np.testing.assert_allclose(gen_model.predict(z, verbose=0), trainer.generate(trainer._fixed_z[:, :50])[1],
                               rtol=1e-4, atol=1e-5)
    assert d_model.input_shape[-1] == 2 * exp["training"]["pack"]
    snaps = trainer.snapshots(0)
    assert snaps["samples"].shape[:2] == (2, 512) and snaps["samples"].shape[-1] == 2
    # The animation draws each snapshot's D (its saved weights) with NumPy on the figure grid.
    save_keras(trainer.D.to_keras(0), tmp_path / "d.keras")
    real = datasets.training_data(cfg["datasets"]["ring"])
    drawn = d_on_figure_grid(snaps, str(tmp_path / "d.keras"), real)
    assert drawn["d_grid"].shape == (2, 60, 60)
    points = grid_points(figure_grid(real))
    np.testing.assert_allclose(drawn["d_grid"][-1].ravel(), trainer.discriminate_points(points)[0], rtol=1e-4, atol=1e-5)


def test_divergence_is_a_result_not_a_crash(shipped):
    exp = small(shipped, epochs=30, metric_every=5)
    exp["generator"]["optimizer"].update(name="sgd", learning_rate=1e6)
    exp["discriminator"]["optimizer"].update(name="sgd", learning_rate=1e6)
    trainer = GroupTrainer(exp, data_of(shipped, "two_normals"), [0])
    trainer.fit()
    epoch = int(trainer.diverged_epochs[0])
    assert 1 <= epoch <= 30
    for v in trainer.G.state + trainer.D.state:
        assert np.isfinite(v.numpy()).all(), "the last finite weights are kept"
    table = trainer.history_table(0)
    assert table["epoch"][-1] == epoch


STABILISERS = {  # everything with state a resume must carry: EMA, schedule steps, Adam's slots
    "generator": {"optimizer": {"name": "adam", "schedule": {"name": "cosine", "warmup_steps": 7,
                                                             "final_fraction": 0.1}}},
    "discriminator": {"optimizer": {"schedule": {"name": "linear"}, "momentum": 0.5}},
    "loss": {"r1_gamma": 1.0, "r2_gamma": 0.5},
    "training": {"ema": {"decay": 0.8, "start_epoch": 2}, "batch_sampling": "with_replacement"},
}


@pytest.mark.parametrize("extra, xla", [
    pytest.param({}, False, id="defaults"),
    pytest.param(STABILISERS, False, id="stabilisers"),
    # what a train job runs; three XLA compilations, so in the slow suite
    pytest.param(STABILISERS, True, id="stabilisers_xla", marks=pytest.mark.slow),
])
def test_resume_from_a_checkpoint_is_identical(shipped, tmp_path, extra, xla):
    exp = deep_update(small(shipped, epochs=8, checkpoint_every=3), copy.deepcopy(extra))
    data = data_of(shipped, "two_normals")
    full = GroupTrainer(exp, data, [0, 1], xla=xla)
    full.fit()

    class Killed(Exception):
        pass

    saved = {}

    def kill_after_second_checkpoint(t):
        saved.update(t.state_arrays())
        if t.epoch == 6:
            raise Killed

    first = GroupTrainer(exp, data, [0, 1], xla=xla)
    with pytest.raises(Killed):
        first.fit(on_checkpoint=kill_after_second_checkpoint)
    resumed = GroupTrainer(exp, data, [0, 1], xla=xla)
    resumed.load_state(saved)
    assert resumed.epoch == 6
    resumed.fit()
    assert (resumed.G_avg is not None) == bool(extra)  # state_vars then hold G's average too
    for a, b in zip(full.state_vars + full.d_opt.variables, resumed.state_vars + resumed.d_opt.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for r in range(2):
        for key, col in full.history_table(r).items():
            np.testing.assert_array_equal(col, resumed.history_table(r)[key])
        np.testing.assert_array_equal(full.snapshots(r)["samples"], resumed.snapshots(r)["samples"])


def test_event_schedule():
    ev = event_epochs(SimpleNamespace(epochs=10, log_every=4, metric_every=5, snapshots=3, checkpoint_every=5))
    assert ev["log"] == {4, 8, 10} and ev["metric"] == {5, 10}
    assert ev["snapshot"] == {0, 5, 10} and ev["checkpoint"] == {5}


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "elu", "selu", "sigmoid"])
def test_every_activation_matches_its_keras_export(activation):
    cfg = validate_config({"datasets": {"m": {"kind": "mixture", "n": 64, "components": [{"mean": 0, "std": 1}]}},
                           "experiments": {"e": {"dataset": "m", "seeds": [4],
                                                 "generator": {"activation": activation, "hidden": [8, 8]},
                                                 "training": {"epochs": 2, "snapshots": 0}}}})
    trainer = GroupTrainer(cfg["experiments"]["e"], datasets.training_data(cfg["datasets"]["m"]), [4], xla=False)
    trainer.fit()
    z = trainer._fixed_z[:, :32]
    np.testing.assert_allclose(trainer.G.to_keras(0).predict(z[0], verbose=0), trainer.generate(z)[0],
                               rtol=1e-5, atol=1e-6)
