"""Stacked networks from the network config: initialisers, biases, batch norm momentum, maxout,
spectral normalisation, and the per-replica Keras export (incl. a saved and reloaded .keras)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from toygan.training.tfsetup import import_tensorflow

tf = import_tensorflow(1)
import keras  # noqa: E402

from workflow_helpers import network_config  # noqa: E402
from toygan.training.export import combined_model  # noqa: E402
from toygan.training.keras_layers import Maxout  # noqa: E402
from toygan.training.networks import StackedMLP  # noqa: E402

from conftest import REPO  # noqa: E402

SEEDS = [3, 8]


network = network_config  # a default-filled network block with keys set


def stacked(sizes, role="discriminator", output_activation="linear", **keys) -> StackedMLP:
    return StackedMLP(role, sizes, network(role, **keys), SEEDS, rng_salt=2, output_activation=output_activation)


def inputs(rows, width, seed=0):
    return np.random.default_rng(seed).normal(size=(len(SEEDS), rows, width)).astype(np.float32)


def shapes(variables):
    return [tuple(v.shape) for v in variables]


def test_default_weights_are_glorot_uniform_from_the_seed_and_salt():
    net = stacked([4, 8, 1])
    for r, seed in enumerate(SEEDS):
        rng = np.random.default_rng([seed, 2])
        for kernel, (a, b) in zip(net.kernels, [(4, 8), (8, 1)]):
            limit = np.sqrt(6.0 / (a + b))
            expected = rng.uniform(-limit, limit, size=(a, b)).astype(np.float32)
            np.testing.assert_array_equal(kernel.numpy()[r], expected)
    assert shapes(net.trainable) == [(2, 4, 8), (2, 8), (2, 8, 1), (2, 1)] and net.state == net.trainable


def test_normal_init_statistics_and_zero_biases():
    net = stacked([400, 400, 1], init={"name": "normal", "std": 0.02})
    kernel = net.kernels[0].numpy()
    assert abs(kernel.mean()) < 2e-4 and abs(kernel.std() / 0.02 - 1) < 0.01
    assert not np.array_equal(kernel[0], kernel[1]), "replicas differ"
    assert all(not b.numpy().any() for b in net.biases)


def test_use_bias_false_keeps_only_the_output_bias():
    net = stacked([3, 5, 4, 2], role="generator", use_bias=False, batch_norm=True)
    assert shapes(net.trainable) == [(2, 3, 5), (2, 5), (2, 5), (2, 5, 4), (2, 4), (2, 4), (2, 4, 2), (2, 2)]
    names = [v.name for v in net.trainable]
    assert names[-1] == "generator_bias2" and not any("bias0" in n or "bias1" in n for n in names)


def test_maxout_shapes_and_forward():
    net = stacked([6, 4, 3, 1], layer="maxout", maxout_pieces=5)
    assert shapes(net.trainable) == [(2, 6, 20), (2, 20), (2, 4, 15), (2, 15), (2, 3, 1), (2, 1)]
    rng = np.random.default_rng(1)
    for v in net.biases:  # non-zero biases, so the test sees where they enter
        v.assign(rng.normal(size=v.shape).astype(np.float32))
    x = inputs(7, 6)
    h = x
    for i, units in enumerate([4, 3]):
        pre = h @ net.kernels[i].numpy() + net.biases[i].numpy()[:, None]
        h = pre.reshape(2, 7, units, 5).max(axis=-1)  # unit j: max of columns 5j .. 5j + 4, no activation
    expected = h @ net.kernels[2].numpy() + net.biases[2].numpy()[:, None]
    np.testing.assert_allclose(net(tf.constant(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_spectral_norm_state_power_iteration_and_sigma():
    net = stacked([6, 20, 1], spectral_norm=True)
    assert shapes(net.sn_u) == [(2, 20), (2, 1)]
    ids = [id(v) for v in net.trainable]
    assert net.state == net.trainable + net.sn_u and not any(id(u) in ids for u in net.sn_u)
    assert [v.trainable for v in net.sn_u] == [False, False]
    x = tf.constant(inputs(5, 6))
    u0 = net.sn_u[0].numpy().copy()
    net(x, update_stats=False)
    np.testing.assert_array_equal(net.sn_u[0].numpy(), u0)  # no update without update_stats
    net(x, update_stats=True)
    assert not np.array_equal(net.sn_u[0].numpy(), u0)
    for _ in range(60):
        net(x, update_stats=True)
    for i in range(2):
        for r in range(2):
            assert abs(np.linalg.svd(net.kernel(i).numpy()[r], compute_uv=False)[0] - 1.0) < 1e-4


def test_spectral_norm_update_under_xla_equals_eager():
    eager, compiled = (stacked([6, 20, 1], spectral_norm=True, layer="maxout", maxout_pieces=2) for _ in range(2))
    x = tf.constant(inputs(5, 6))
    step = tf.function(lambda x: compiled(x, update_stats=True), jit_compile=True)
    for _ in range(3):
        np.testing.assert_allclose(step(x).numpy(), eager(x, update_stats=True).numpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(eager.sn_u, compiled.sn_u):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_spectral_norm_gradient_flows_through_sigma():
    """K / sigma(K) with sigma = v^T K u is invariant to scaling K, so <dD/dK, K> = 0 exactly."""
    net = stacked([6, 1], spectral_norm=True)
    x = tf.constant(inputs(5, 6))
    kernel = net.kernels[0]
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(net(x))
    grad = tape.gradient(out, kernel.value).numpy()
    along_k = (grad * kernel.numpy()).sum(axis=(1, 2))
    np.testing.assert_allclose(along_k, 0.0, atol=1e-5)
    assert np.abs(grad).max() > 1e-2


EXPORT_CASES = {
    "dense": ("discriminator", [4, 8, 8, 1], {}),
    "dense_normal_no_bias_tanh": ("discriminator", [4, 8, 8, 1],
                                  {"init": {"name": "normal", "std": 0.3}, "use_bias": False, "activation": "tanh"}),
    "batch_norm_momentum": ("generator", [3, 8, 8, 2],
                            {"batch_norm": True, "batch_norm_momentum": 0.5, "use_bias": False,
                             "activation": "leaky_relu"}),
    "maxout": ("discriminator", [4, 8, 8, 1], {"layer": "maxout", "maxout_pieces": 3}),
    "spectral_norm": ("discriminator", [4, 8, 8, 1], {"spectral_norm": True}),
    "maxout_spectral_norm": ("discriminator", [4, 8, 8, 1],
                             {"layer": "maxout", "maxout_pieces": 5, "spectral_norm": True, "use_bias": False}),
}


@pytest.mark.parametrize("case", sorted(EXPORT_CASES))
def test_export_gives_the_stacked_outputs(case):
    role, sizes, keys = EXPORT_CASES[case]
    net = stacked(sizes, role=role, **keys)
    rng = np.random.default_rng(2)
    for v in net.biases + net.gammas + net.betas:
        if v is not None:
            v.assign(rng.normal(size=v.shape).astype(np.float32))
    x = tf.constant(inputs(16, sizes[0]))
    for _ in range(3):  # moving statistics and SN vectors away from their starting values
        net(x, update_stats=True)
    expected = net(x, training=False).numpy()
    for r in range(2):
        model = net.to_keras(r)
        np.testing.assert_allclose(model(x[r], training=False).numpy(), expected[r], rtol=1e-5, atol=1e-6)
    if keys.get("batch_norm"):
        assert model.layers[1].momentum == 0.5


def test_exported_sigmoid_and_layer_types():
    net = stacked([4, 8, 1], output_activation="sigmoid", layer="maxout", maxout_pieces=5, use_bias=False)
    model = net.to_keras(0)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Maxout", "Dense"]
    assert model.layers[0].units == 40 and not model.layers[0].use_bias and model.layers[2].use_bias
    assert model.layers[-1].activation.__name__ == "sigmoid"
    generator = StackedMLP("generator", [3, 8, 2], network("generator"), SEEDS, 1, "linear").to_keras(0)
    packed = stacked([4, 8, 1], layer="maxout", maxout_pieces=5).to_keras(0)
    _, text = combined_model(generator, packed, pack=2)  # the summary of D(G(z)) with a maxout D
    assert "Trainable params: 50 " in text and "Non-trainable params: 209 " in text  # 4*40+40 + 8+1


def test_saved_maxout_model_reloads_with_the_same_outputs(tmp_path):
    net = stacked([4, 8, 8, 1], layer="maxout", maxout_pieces=5, spectral_norm=True)
    model = net.to_keras(1)
    model.save(tmp_path / "d.keras")
    x = inputs(32, 4)
    reloaded = keras.models.load_model(tmp_path / "d.keras", compile=False)
    assert isinstance(reloaded.layers[1], Maxout) and reloaded.layers[1].pieces == 5
    np.testing.assert_allclose(reloaded(x[1]).numpy(), net(tf.constant(x), training=False).numpy()[1],
                               rtol=1e-5, atol=1e-6)


def test_custom_layers_import_keras_alone():
    """The sample job may load models on a non-TensorFlow Keras backend."""
    tree = ast.parse((REPO / "workflow" / "toygan" / "training" / "keras_layers.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"__future__", "keras"}


NUMPY_BACKEND = """
import os, sys
os.environ["KERAS_BACKEND"] = "numpy"
import numpy as np, keras
import toygan.training.keras_layers
model = keras.models.load_model(sys.argv[1], compile=False)
np.save(sys.argv[3], np.asarray(model(np.load(sys.argv[2]), training=False)))
print(keras.backend.backend(), "tensorflow" in sys.modules)
"""


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="Keras 3's numpy backend imports jax")
def test_saved_maxout_model_runs_on_the_numpy_backend(tmp_path):
    net = stacked([4, 8, 1], layer="maxout", maxout_pieces=5)
    net.to_keras(0).save(tmp_path / "d.keras")
    x = inputs(32, 4)
    np.save(tmp_path / "x.npy", x[0])
    done = subprocess.run([sys.executable, "-c", NUMPY_BACKEND, *(str(tmp_path / f) for f in ("d.keras", "x.npy", "y.npy"))],
                          capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "workflow"), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["numpy", "False"]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), net(tf.constant(x), training=False).numpy()[0],
                               rtol=1e-5, atol=1e-6)


def test_maxout_rejects_a_width_that_is_not_a_multiple_of_pieces():
    with pytest.raises(ValueError, match="not a multiple of pieces=3"):
        Maxout(3)(np.zeros((2, 7), np.float32))
