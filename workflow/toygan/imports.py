"""Import helpers for the heavy libraries a job needs only part of."""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def unimportable(names):
    """Make ``import name`` raise ImportError inside the block (``sys.modules[name] = None`` is
    Python's documented way), for modules not yet imported; afterwards they import as usual.

    For libraries that import optional extras when they are installed (Keras and POT take
    scikit-learn, about a second of a job's start-up) that the job never calls."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
