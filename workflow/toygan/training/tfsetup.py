"""Import TensorFlow once, configured for deterministic CPU work with a fixed thread count,
and create the compiled epoch loop so that a train job pays as little as possible before its
first step.

Only train jobs (and the trainer's tests) call this; every other rule stays TensorFlow-free.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from ..imports import unimportable

log = logging.getLogger(__name__)

# Where XLA keeps compiled executables between jobs; "off" (or empty) disables the cache.
CACHE_ENV = "TOYGAN_XLA_CACHE"
_CACHE_FLAG = "--tf_xla_persistent_cache_directory"


def _machine_key() -> str:
    """TensorFlow version, CPU features and XLA_FLAGS: an executable compiled on one node is
    never loaded on another with other instructions (a cluster's nodes often share a home
    directory), nor one compiled under other code-generation flags (``--xla_cpu_max_isa``)."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "")
    except OSError:
        flags = platform.processor()
    xla_flags = os.environ.get("XLA_FLAGS", "")
    digest = hashlib.sha256(f"{platform.machine()} {flags} {xla_flags}".encode()).hexdigest()[:12]
    return f"tf{metadata.version('tensorflow')}-{digest}"


def xla_cache_dir() -> Path | None:
    """The persistent XLA compilation cache of this user and machine, or None when disabled.

    Default ``$XDG_CACHE_HOME/toygan/xla`` (``~/.cache/toygan/xla``): beside no results, so a
    fresh ``results/``, a second workdir or another experiment of the same network shapes all
    reuse it. Entries are keyed by a fingerprint of the compiled computation, so a hit runs the
    very executable a fresh compilation would build: results never depend on the cache.
    """
    value = os.environ.get(CACHE_ENV)
    if value is not None and value.strip().lower() in ("", "off", "0", "false", "no"):
        return None
    root = Path(value) if value else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "toygan" / "xla"
    return root / _machine_key()


def _enable_xla_cache() -> None:
    if "tensorflow" in sys.modules or _CACHE_FLAG in os.environ.get("TF_XLA_FLAGS", ""):
        return  # XLA reads its flags once; an explicit setting wins
    path = xla_cache_dir()
    if path is None:
        return
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        log.warning("no XLA compilation cache (%s): every train job compiles afresh", err)
        return
    os.environ["TF_XLA_FLAGS"] = f"{os.environ.get('TF_XLA_FLAGS', '')} {_CACHE_FLAG}={path}".strip()


# Keras imports these when they are installed, for features a train job never uses (the
# scikit-learn wrappers, DataFrame inputs, image-gallery plots): 1.2 of the 3.3 s that
# `import tensorflow` took, scikit-learn alone 0.7 s (startup.py measures it).
KERAS_OPTIONAL = ("sklearn", "pandas", "matplotlib")


def import_tensorflow(threads: int = 1, deterministic: bool = True):
    """Return the ``tensorflow`` module with ``threads`` intra- and inter-op threads.

    Must run before anything else touches TensorFlow: thread pools are fixed at first use, and
    XLA reads the persistent cache directory once.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide CUDA-probe noise on CPU machines
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _enable_xla_cache()
    with unimportable(KERAS_OPTIONAL):
        import keras  # noqa: F401  (TensorFlow imports it too; here while the extras are hidden)
        import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # already initialised in this process (tests): keep the first setting
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return tf


GPU_INSTALL = ".venv/bin/pip install -e '.[cuda]'"  # TensorFlow's and-cuda extra at the pinned version


class NoGpuError(RuntimeError):
    """training.gpu asks for a GPU and TensorFlow sees none: training would run on the CPU."""


def require_gpu(tf) -> None:
    """Refuse to train on the CPU what the config asked to train on a GPU."""
    if tf.config.list_physical_devices("GPU"):
        return
    seen = ", ".join(d.name for d in tf.config.list_physical_devices()) or "none"
    raise NoGpuError(
        f"training.gpu is true, but TensorFlow {tf.__version__} sees no GPU on this node (devices: {seen}). "
        "The tensorflow wheel uses an NVIDIA GPU only with the CUDA libraries installed beside it: on a node "
        f"with an NVIDIA driver run `{GPU_INSTALL}` (see docs/cluster.md), or set training.gpu: false "
        "to train on the CPU."
    )


def _cpu_model() -> tuple[str, list[str]]:
    """The CPU's model name and the vector instruction sets that change XLA's code."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name in ("", platform.machine(), platform.processor()):
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    isa = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")
           if f in flags]
    return name, isa


def provenance(tf, threads: int) -> dict:
    """What a run's float digits depend on: TensorFlow, the CPU and its instruction sets, the
    thread count and the devices TensorFlow used (recorded in run.json and the train log)."""
    cpu, isa = _cpu_model()
    return {
        "tensorflow": tf.__version__,
        "cpu": cpu,
        "isa": isa,
        "threads": threads,
        "devices": [d.name for d in tf.config.list_logical_devices()],
    }


def compiled_loop(fn, xla: bool = True):
    """``fn`` (the trainer's epoch loop) as one compiled graph function.

    No AutoGraph: the loop's control flow is explicit (``tf.while_loop``, Python loops over
    Python values), and AutoGraph's rewriting of every function it calls was half of the
    tracing time, a fixed cost of each train job; the graph is the same without it. A Python
    ``if`` on a tensor inside ``fn`` therefore raises at tracing instead of becoming a
    ``tf.cond``: write ``tf.cond`` / ``tf.where`` there.
    """
    import tensorflow as tf

    return tf.function(fn, jit_compile=xla, reduce_retracing=True, autograph=False)
