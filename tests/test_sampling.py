"""Sample jobs run saved .keras models with NumPy (toygan.sampling.keras_numpy): same numbers as Keras on
TensorFlow, a loud error on a layer it does not know, and no TensorFlow import at all."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from toygan.training.tfsetup import import_tensorflow

tf = import_tensorflow(1)
import keras  # noqa: E402

from toygan.sampling import keras_numpy  # noqa: E402
from toygan.io import write_json  # noqa: E402
from toygan.training.networks import StackedMLP  # noqa: E402

from conftest import REPO  # noqa: E402
from workflow_helpers import network_config  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6  # float32 sums in another order: a few ulps, nothing more


def _randomise(model: keras.Model, seed: int) -> keras.Model:
    """Weights (and batch-norm statistics) far from their initial values, positive variances."""
    rng = np.random.default_rng(seed)
    model.set_weights([
        np.abs(w) + 0.5 if "variance" in v.path else rng.normal(0, 0.7, w.shape).astype(np.float32)
        for v, w in zip(model.weights, model.get_weights())
    ])
    return model


def _saved(model: keras.Model, tmp_path) -> str:
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    return str(path)


def _assert_same_as_keras(path: str, n_in: int) -> None:
    x = np.random.default_rng(1).uniform(-3, 3, (500, n_in)).astype(np.float32)
    expected = np.asarray(keras.models.load_model(path, compile=False)(x, training=False))
    got = keras_numpy.load(path)(x)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "elu", "selu", "sigmoid"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_exported_models_match_keras(tmp_path, activation, batch_norm, output):
    net = StackedMLP("net", [3, 8, 5, 2], network_config("generator", activation=activation, batch_norm=batch_norm), [0, 1],
                     rng_salt=1, output_activation=output)
    model = _randomise(net.to_keras(1), seed=2)
    _assert_same_as_keras(_saved(model, tmp_path), 3)


def test_other_layer_settings_match_keras(tmp_path):
    """Settings toygan's exports may use: Dense without bias, batch norm without scale or centre and
    with another momentum, a ReLU layer, several layers of one class (weights keyed by class)."""
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(6, use_bias=False),
        keras.layers.BatchNormalization(momentum=0.8, epsilon=1e-5, scale=False),
        keras.layers.ReLU(),
        keras.layers.Dense(5, activation="tanh"),
        keras.layers.BatchNormalization(center=False),
        keras.layers.LeakyReLU(negative_slope=0.1),
        keras.layers.Dense(3),
        keras.layers.Activation("sigmoid"),
    ], name="other")
    _assert_same_as_keras(_saved(_randomise(model, seed=3), tmp_path), 4)


def test_a_maxout_discriminator_with_spectral_norm_matches_keras(tmp_path):
    from toygan.training import keras_layers  # noqa: F401  registers toygan>Maxout for Keras' own loading

    net = network_config("discriminator", layer="maxout", maxout_pieces=3, spectral_norm=True,
                   init={"name": "normal", "std": 0.3})
    stacked = StackedMLP("discriminator", [4, 6, 5, 1], net, [0, 1], rng_salt=2, output_activation="sigmoid")
    _assert_same_as_keras(_saved(stacked.to_keras(1), tmp_path), 4)


def test_a_fourier_feature_discriminator_matches_keras_and_the_stacked_net(tmp_path):
    """Fourier features: the stacked D's outputs, its Keras export and the NumPy runner agree, per
    replica; the frequencies are fixed (not trainable) and drawn from the replica's own stream."""
    from toygan.training import keras_layers  # noqa: F401  registers toygan>FourierFeatures

    net = network_config("discriminator", fourier_features=6, fourier_scale=0.5)
    stacked = StackedMLP("discriminator", [3, 8, 5, 1], net, [0, 1], rng_salt=2, output_activation="linear")
    assert all(v.trainable for v in stacked.trainable) and not stacked.frequencies[0].trainable
    assert all(v is not stacked.frequencies[0] for v in stacked.trainable)
    assert stacked.kernels[0].shape == (2, 12, 8)  # sin and cos of 6 frequencies feed the first layer
    x = np.random.default_rng(4).uniform(-3, 3, (2, 50, 3)).astype(np.float32)
    out = stacked(tf.constant(x), training=False).numpy()
    for r in (0, 1):
        (tmp_path / f"r{r}").mkdir()
        path = _saved(stacked.to_keras(r), tmp_path / f"r{r}")
        _assert_same_as_keras(path, 3)
        np.testing.assert_allclose(keras_numpy.load(path)(x[r]), out[r], rtol=RTOL, atol=ATOL)
    same_seed = StackedMLP("discriminator", [3, 8, 5, 1], net, [1], rng_salt=2, output_activation="linear")
    np.testing.assert_array_equal(same_seed.frequencies[0].numpy()[0], stacked.frequencies[0].numpy()[1])
    assert 0.3 < float(np.std(stacked.frequencies[0].numpy())) < 0.7  # fourier_scale 0.5


def test_an_unknown_layer_names_itself(tmp_path):
    model = keras.Sequential([
        keras.Input(shape=(2,)), keras.layers.Dense(4), keras.layers.LayerNormalization(name="ln"), keras.layers.Dense(1),
    ], name="odd")
    with pytest.raises(keras_numpy.UnsupportedModel, match=r"odd\.keras: layer 'ln' \(LayerNormalization\).*LAYERS"):
        keras_numpy.load(_saved(model, tmp_path))


def test_an_unknown_activation_names_itself(tmp_path):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="softplus", name="out")])
    with pytest.raises(keras_numpy.UnsupportedModel, match=r"layer 'out' \(Dense\): activation 'softplus'"):
        keras_numpy.load(_saved(model, tmp_path))


def test_a_sample_job_matches_tensorflow_and_never_imports_it(tmp_path):
    """sampling.run on exported models, in a fresh process: TensorFlow stays out of sys.modules and
    the samples and D's outputs equal what the Keras models give on TensorFlow."""
    from toygan.config.validate import validate_config
    from toygan.config.settings import Latent
    from toygan.sampling.grid import figure_grid, grid_points
    from toygan.sampling.sample import latent, packed

    pack = 2
    G = StackedMLP("generator", [4, 16, 1], network_config("generator", batch_norm=True), [5], rng_salt=1, output_activation="linear")
    D = StackedMLP("discriminator", [pack, 16, 1], network_config("discriminator"), [5], rng_salt=2,
                   output_activation="sigmoid")
    gen, dis = _randomise(G.to_keras(0), 4), _randomise(D.to_keras(0), 5)
    inputs = {"generator": _saved(gen, tmp_path), "discriminator": _saved(dis, tmp_path),
              "data": str(tmp_path / "data.npy"), "run": str(tmp_path / "run.json")}
    real = np.random.default_rng(0).normal(size=(300, 1)).astype(np.float32)
    np.save(inputs["data"], real)
    write_json(inputs["run"], {"d_output": "probability"})
    cfg = validate_config({
        "datasets": {"d": {"kind": "normal", "n": 300}},
        "experiments": {"e": {"dataset": "d", "latent": {"dim": 4}, "training": {"pack": pack}}},
    })["experiments"]["e"]
    outputs = {k: str(tmp_path / f"{k}{ext}") for k, ext in
               [("samples", ".npy"), ("eval_samples", ".npy"), ("d_real", ".npy"), ("d_fake", ".npy"), ("d_grid", ".npz")]}
    code = (
        "import json, sys; from toygan.sampling import sample; from toygan.config.settings import Experiment; "
        "sample.run(Experiment.parse(json.loads(sys.argv[1])), 5, json.loads(sys.argv[2]), json.loads(sys.argv[3]), 700); "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'jax')); "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code, json.dumps(cfg), json.dumps(inputs), json.dumps(outputs)],
                   check=True, env={"PYTHONPATH": str(REPO / "workflow"), "PATH": ""})

    z = latent(Latent.from_dict(cfg["latent"]), 700, 5)
    expected_gen = np.asarray(gen(z, training=False), dtype=np.float64)
    np.testing.assert_allclose(np.load(outputs["eval_samples"]), expected_gen, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.load(outputs["samples"]), expected_gen[:300], rtol=RTOL, atol=ATOL)
    expected_real = np.asarray(dis(packed(real, pack), training=False))[:, 0]
    np.testing.assert_allclose(np.load(outputs["d_real"]), expected_real, rtol=RTOL, atol=ATOL)
    # D on the figure grid, made from the data (200 points over its padded range in 1-D)
    expected_grid = figure_grid(real)
    with np.load(outputs["d_grid"]) as grid:
        assert grid["d"].shape == (200,) and str(grid["label"]) == "D(x) = P(real)"
        np.testing.assert_array_equal(grid["grid_x"], expected_grid["grid_x"])
        on_points = np.tile(grid_points(expected_grid).astype(np.float32), (1, pack))
        np.testing.assert_allclose(grid["d"], np.asarray(dis(on_points, training=False))[:, 0], rtol=RTOL, atol=ATOL)


def test_the_sample_jobs_categorical_latent_is_one_hot_beside_the_same_continuous_values():
    from toygan.config.settings import Latent
    from toygan.sampling.sample import latent

    spec = dict(dim=2, distribution="uniform", low=-1.0, high=1.0)
    plain, coded = latent(Latent(**spec, categories=0), 9_000, 3), latent(Latent(**spec, categories=9), 9_000, 3)
    assert coded.shape == (9_000, 11) and coded.dtype == np.float32
    np.testing.assert_array_equal(coded[:, :2], plain)
    counts = coded[:, 2:].sum(axis=0)
    assert (coded[:, 2:].sum(axis=1) == 1).all() and counts.min() > 850 and counts.max() < 1150
