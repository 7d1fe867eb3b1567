"""Which real rows each step sees: contiguous blocks of the (shuffled) epoch, or i.i.d. draws."""

from __future__ import annotations

import tensorflow as tf


def block_layout(n_rows: int, batches: int, batch_size: int | None) -> list[tuple[int, int, int]]:
    """Runs of equal blocks as (first row, number of blocks, rows per block): ``batch_size``
    rows each when given, else ``batches`` blocks (training.batch_size, training.batches)."""
    if batch_size:
        size = min(batch_size, n_rows)
        full, rest = divmod(n_rows, size)
    else:
        batches = min(batches, n_rows)
        size = n_rows // batches
        full, rest = batches - 1, n_rows - (batches - 1) * size
        if rest == size:
            full, rest = batches, 0
    layout = [(0, full, size)] if full else []
    if rest:
        layout.append((full * size, 1, rest))
    return layout


class RealRows:
    """The real rows of every step; with replacement, the block layout only sets the batch sizes."""

    def __init__(self, data: tf.Tensor, settings, draws):
        self.data = data
        self.n_rows, self.dim = data.shape
        self.shuffle = settings.exp.training.shuffle
        self.with_replacement = settings.exp.training.with_replacement
        self.draws = draws

    def for_epoch(self, epoch):
        """The epoch's rows, (1|R, n, d): replicas differ only when shuffled."""
        if self.shuffle and not self.with_replacement:
            return tf.gather(self.data, self.draws.permutations(epoch, self.n_rows))
        return self.data[None]

    def block(self, epoch_rows, step, start, size):
        if self.with_replacement:
            return tf.gather(self.data, self.draws.row_indices(step, size, self.n_rows))
        if isinstance(start, int):
            return epoch_rows[:, start : start + size]
        return tf.slice(epoch_rows, tf.stack([0, start, 0]), [tf.shape(epoch_rows)[0], size, self.dim])
