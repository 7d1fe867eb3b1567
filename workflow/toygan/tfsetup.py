"""Import TensorFlow once, configured for deterministic CPU work with a fixed thread count.

Only the train and sample steps call this; every other rule stays TensorFlow-free.
"""

from __future__ import annotations

import os


def import_tensorflow(threads: int = 1, deterministic: bool = True):
    """Return the ``tensorflow`` module with ``threads`` intra- and inter-op threads.

    Must run before anything else touches TensorFlow: thread pools are fixed at first use.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide CUDA-probe noise on CPU machines
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # already initialised in this process (tests): keep the first setting
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return tf
