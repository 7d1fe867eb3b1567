"""The persistent XLA compilation cache: where it lives, and that it never changes a result."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from toygan.imports import unimportable
from toygan.training import tfsetup

from conftest import REPO

# Trains a tiny experiment in a fresh process (XLA reads its cache flag once per process) and
# prints a digest of every trained variable and of the loss history.
TRAIN = """
import hashlib, numpy as np
from toygan.training.tfsetup import import_tensorflow
import_tensorflow(1)
from toygan.config.validate import validate_config
from toygan.training.group import GroupTrainer
cfg = validate_config({
    "datasets": {"d": {"kind": "normal", "n": 200}},
    "experiments": {"e": {"dataset": "d", "generator": {"batch_norm": True},
                          "training": {"epochs": 30, "batches": 4, "checkpoint_every": 0}}},
})
t = GroupTrainer(cfg["experiments"]["e"], np.random.default_rng(0).normal(size=(200, 1)), [3, 4])
t.fit()
h = hashlib.sha256()
for v in t.state_vars:
    h.update(v.numpy().tobytes())
for a in t.history.losses():
    h.update(a.tobytes())
print(h.hexdigest())
"""


def _train(cache: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow"), tfsetup.CACHE_ENV: cache}
    env.pop("TF_XLA_FLAGS", None)
    out = subprocess.run([sys.executable, "-c", TRAIN], env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _entries(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


@pytest.mark.slow  # three train jobs in fresh interpreters: about a minute
def test_training_is_bit_identical_without_with_a_cold_and_with_a_warm_cache(tmp_path):
    cache = tmp_path / "xla"
    uncached = _train("off")
    cold = _train(str(cache))
    written = _entries(cache)
    assert written, "the cold run wrote no compiled executable"
    warm = _train(str(cache))
    assert _entries(cache) == written, "the warm run compiled again instead of reading the cache"
    assert uncached == cold == warm


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv(tfsetup.CACHE_ENV, "off")
    assert tfsetup.xla_cache_dir() is None
    monkeypatch.setenv(tfsetup.CACHE_ENV, str(tmp_path))
    explicit = tfsetup.xla_cache_dir()
    assert explicit.parent == tmp_path and explicit.name.startswith("tf")
    monkeypatch.delenv(tfsetup.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tfsetup.xla_cache_dir() == tmp_path / "xdg" / "toygan" / "xla" / explicit.name


def test_other_xla_flags_compile_into_another_cache(monkeypatch, tmp_path):
    """An executable built under ``--xla_cpu_max_isa=AVX2`` is not the one built without it."""
    monkeypatch.setenv(tfsetup.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    plain = tfsetup.xla_cache_dir()
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_max_isa=AVX2")
    assert tfsetup.xla_cache_dir() != plain


def test_keras_extras_stay_out_of_a_train_job_but_import_later():
    """Keras' optional imports (scikit-learn, pandas, matplotlib) cost a train job 1.2 s for
    features it never uses: import_tensorflow hides them, and only while it imports. The
    trainer's own modules add no scipy.stats (0.4 s) either."""
    code = (
        "import sys\n"
        "from toygan.training.tfsetup import import_tensorflow, KERAS_OPTIONAL\n"
        "import_tensorflow(1)\n"
        "import toygan.training.job, toygan.training.group, toygan.training.export, toygan.training.checkpoint\n"
        "print(sorted(m for m in (*KERAS_OPTIONAL, 'scipy.stats') if m in sys.modules))\n"
        "import sklearn.mixture, pandas, matplotlib\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow")}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["[]", "ok"]


def test_unimportable_leaves_modules_already_imported_alone():
    import json

    with unimportable(["json", "toygan_no_such_module_x"]):
        assert sys.modules["json"] is json
        assert sys.modules["toygan_no_such_module_x"] is None
    assert "toygan_no_such_module_x" not in sys.modules


def test_a_train_job_asked_for_a_gpu_it_cannot_see_fails_before_training(tmp_path):
    """No silent fallback: on a CPU-only machine, training.gpu: true stops the job before any
    work, with a message naming the devices and how to install GPU support."""
    import numpy as np

    from toygan.config.validate import validate_config
    from toygan.training import job, tfsetup as setup

    cfg = validate_config({"datasets": {"d": {"kind": "normal", "n": 200}},
                           "experiments": {"e": {"dataset": "d", "training": {"epochs": 2, "gpu": True}}}})
    np.save(tmp_path / "data.npy", np.zeros((200, 1)))
    out = tmp_path / "seed0"
    try:
        job.run(cfg["experiments"]["e"], str(tmp_path / "data.npy"), [0], [str(out)], str(tmp_path / "ckpt.npz"),
                name="e")
    except setup.NoGpuError as err:
        message = str(err)
    else:
        import tensorflow as tf

        assert tf.config.list_physical_devices("GPU"), "trained without a GPU and without a word"
        return  # a machine with a GPU: nothing to refuse
    assert "training.gpu is true" in message and "sees no GPU" in message and "CPU:0" in message
    assert "pip install -e '.[cuda]'" in message and "training.gpu: false" in message
    assert not out.exists() and not (tmp_path / "ckpt.npz").exists()


def test_provenance_names_what_the_digits_depend_on():
    tf = tfsetup.import_tensorflow(1)
    where = tfsetup.provenance(tf, 1)
    assert where["tensorflow"] == tf.__version__ and where["threads"] == 1
    assert where["cpu"] and any(d.endswith("CPU:0") for d in where["devices"])
