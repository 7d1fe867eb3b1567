"""The trainer's public names; the implementation lives in toygan.training (one module per concern)."""

from .training.batches import block_layout
from .training.group import MAX_CHUNK, GroupTrainer
from .training.monitor import History, event_epochs

__all__ = ["GroupTrainer", "History", "MAX_CHUNK", "block_layout", "event_epochs"]
