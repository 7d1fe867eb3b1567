"""Run a saved Keras ``Sequential`` model (``.keras``) with NumPy alone: no TensorFlow.

A sample job runs two small MLPs once; importing TensorFlow to do so costs 3-5 s, the
forward pass milliseconds. Keras' own NumPy backend is no way out: it imports JAX, which
toygan does not install. A ``.keras`` file is a zip of ``config.json`` (the layers) and
``model.weights.h5`` (their variables, ``layers/<class in snake case>[_<k>]/vars/<i>`` in
creation order, the k-th layer of a class counted from 1 after the first), so
this module reads both and applies the layers it knows, in float32 as Keras does.

A layer it does not know is an error naming the file, the layer and its class: add the
layer to ``LAYERS`` (and a case to tests/test_sampling.py, which checks every layer kind
against Keras itself) rather than falling back to TensorFlow.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np


class UnsupportedModel(ValueError):
    """The saved model uses something this module cannot run; the message says what."""


def _sigmoid(x):
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def _elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(np.float32)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805

ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, np.float32(0)),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "elu": _elu,
    "selu": lambda x: (_SELU_SCALE * _elu(x, _SELU_ALPHA)).astype(np.float32),
    "leaky_relu": lambda x: np.where(x > 0, x, np.float32(0.2) * x),  # Keras' default slope
}


def _activation(spec, where: str) -> Callable:
    name = spec if isinstance(spec, str) else (spec or {}).get("config", {}).get("name", spec)
    if name is None:
        return ACTIVATIONS["linear"]
    if name not in ACTIVATIONS:
        raise UnsupportedModel(f"{where}: activation {name!r} is not one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def _dense(cfg, weights, where):
    kernel = weights[0]
    bias = weights[1] if cfg.get("use_bias", True) else None
    act = _activation(cfg.get("activation"), where)

    def call(x):
        y = x @ kernel
        return act(y + bias if bias is not None else y)

    return call


def _batch_norm(cfg, weights, where):
    if cfg.get("axis", -1) not in (-1, [-1], 1, [1]):
        raise UnsupportedModel(f"{where}: BatchNormalization over axis {cfg['axis']} (only the last axis)")
    it = iter(weights)
    gamma = next(it) if cfg.get("scale", True) else np.float32(1)
    beta = next(it) if cfg.get("center", True) else np.float32(0)
    mean, var = next(it), next(it)
    scale = (gamma / np.sqrt(var + np.float32(cfg["epsilon"]))).astype(np.float32)
    return lambda x: (x - mean) * scale + beta  # inference: the moving statistics


def _leaky_relu(cfg, weights, where):
    slope = np.float32(cfg.get("negative_slope", cfg.get("alpha", 0.3)))
    return lambda x: np.where(x > 0, x, slope * x)


def _activation_layer(cfg, weights, where):
    return _activation(cfg["activation"], where)


def _relu_layer(cfg, weights, where):
    if cfg.get("max_value") is not None or cfg.get("threshold", 0) or cfg.get("negative_slope", 0):
        raise UnsupportedModel(f"{where}: ReLU with max_value, threshold or negative_slope")
    return ACTIVATIONS["relu"]


def _maxout(cfg, weights, where):
    pieces = int(cfg["pieces"])  # toygan.training.keras_layers.Maxout: the pieces of a unit are adjacent
    return lambda x: x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces).max(axis=-1)


def _fourier(cfg, weights, where):
    frequencies = weights[0]  # toygan.training.keras_layers.FourierFeatures: sin, then cos

    def call(x):
        phase = np.float32(2.0 * np.pi) * (x @ frequencies)
        return np.concatenate([np.sin(phase), np.cos(phase)], axis=-1).astype(np.float32)

    return call


# Keras class name -> builder(layer config, its weights in file order, where) -> x -> y
LAYERS: dict[str, Callable] = {
    "Dense": _dense,
    "BatchNormalization": _batch_norm,
    "LeakyReLU": _leaky_relu,
    "Activation": _activation_layer,
    "ReLU": _relu_layer,
    "Maxout": _maxout,
    "FourierFeatures": _fourier,
}


class NumpyModel:
    """A loaded model: ``model(x)`` maps float32 rows (n, in) to (n, out)."""

    def __init__(self, name: str, calls: list[Callable]):
        self.name = name
        self._calls = calls

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        for call in self._calls:
            x = call(x)
        return x


def _snake_case(name: str) -> str:
    """Keras' own naming.to_snake_case: the weights file keys layers by their class."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _weights(h5, key: str) -> list[np.ndarray]:
    group = h5.get(f"layers/{key}/vars")
    if group is None:
        return []
    return [np.asarray(group[str(i)], dtype=np.float32) for i in range(len(group))]


def load(path: str | Path, weights: Sequence[np.ndarray] | None = None) -> NumpyModel:
    """Read a ``.keras`` file written by ``keras.Model.save``; its layers must be in ``LAYERS``.
    ``weights`` replaces the file's weights (all of them, in the model's order, as
    ``model.get_weights()`` lists them): the same network at another point of training."""
    import h5py  # a Keras dependency, so always installed with it

    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
        with zf.open("model.weights.h5") as fh, h5py.File(fh, "r") as h5:
            if config.get("class_name") != "Sequential":
                raise UnsupportedModel(f"{path}: a {config.get('class_name')} model; only Sequential models load without TensorFlow")
            calls, used = [], {}
            replacement = None if weights is None else iter(weights)
            for layer in config["config"]["layers"]:
                cls, cfg = layer["class_name"], layer["config"]
                where = f"{path}: layer {cfg.get('name')!r} ({cls})"
                if cls == "InputLayer":
                    continue
                dtype = cfg.get("dtype")
                policy = dtype.get("config", {}).get("name") if isinstance(dtype, dict) else dtype
                if policy not in (None, "float32"):
                    raise UnsupportedModel(f"{where}: dtype policy {policy!r}, not float32")
                if cls not in LAYERS:
                    raise UnsupportedModel(
                        f"{where}: no NumPy implementation in toygan.sampling.keras_numpy (known: {sorted(LAYERS)}); "
                        "add one to LAYERS there"
                    )
                # Keras' saving_lib names a container's layers this way (the InputLayer is not among them).
                key = _snake_case(cls)
                used[key] = used.get(key, -1) + 1
                key = f"{key}_{used[key]}" if used[key] else key
                stored = _weights(h5, key)
                if replacement is not None:
                    given = [np.asarray(w, dtype=np.float32) for _, w in zip(stored, replacement)]
                    if len(given) != len(stored):
                        raise UnsupportedModel(f"{where}: fewer replacement weights than the model has")
                    stored = given
                calls.append(LAYERS[cls](cfg, stored, where))
            if replacement is not None and next(replacement, None) is not None:
                raise UnsupportedModel(f"{path}: more replacement weights than the model has")
    return NumpyModel(config["config"].get("name", path.stem), calls)
