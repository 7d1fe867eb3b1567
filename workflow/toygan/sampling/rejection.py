"""Discriminator rejection sampling (Azadi et al. 2019), without TensorFlow: draw from a trained
G and keep each sample x with probability min(1, exp(logit D(x) - M)).

D is a rejection row's own D, trained against the frozen G (toygan.training.rejection_d). M
is a percentile of the logits of G's samples: at 100 this is plain rejection sampling, which
reweights every sample by D's density-ratio estimate; lower percentiles (DRS's shift) keep
every sample D rates above M and thin only those below, so the samples between the modes go
while the modes keep the masses G gave them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from .. import streams
from ..config.settings import Rejection

log = logging.getLogger(__name__)

CHUNK = 100_000  # G's samples drawn at a time; the first chunk's logits set M


class RejectionError(RuntimeError):
    """Too few samples pass: the row's settings keep less than 1 in max_draws."""


def logits(probability: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of D's outputs, finite at 0 and 1."""
    p = np.clip(np.asarray(probability, np.float64), 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def kept(logit: np.ndarray, shift: float, uniform: np.ndarray) -> np.ndarray:
    """Which samples pass: u < min(1, exp(logit - M))."""
    return uniform < np.exp(np.minimum(0.0, logit - shift))


def draw(
    generator: Callable[[np.ndarray], np.ndarray],
    discriminator: Callable[[np.ndarray], np.ndarray],
    latent: Callable[[int, np.random.Generator], np.ndarray],
    n: int,
    seed: int,
    settings: Rejection,
    row: str = "",
) -> tuple[np.ndarray, dict]:
    """``n`` samples of ``generator`` that pass rejection by ``discriminator`` (which outputs
    P(real)), and what it took: {"accepted": the fraction kept, "drawn": samples drawn,
    "shift": M}. ``latent(k, rng)`` draws k latent rows."""
    rng = np.random.default_rng([seed, streams.SAMPLE_REJECTION])
    chunk = max(CHUNK, n)
    out: list[np.ndarray] = []
    have = drawn = 0
    shift = None
    while have < n:
        if drawn >= settings.max_draws * n:
            raise RejectionError(
                f"rejection.{row}: seed {seed} kept {have:,} of the {n:,} samples needed after drawing "
                f"{drawn:,} (1 in {drawn // max(have, 1):,}; rejection.{row}.max_draws is {settings.max_draws}): "
                f"lower rejection.{row}.percentile to keep more"
            )
        x = generator(latent(chunk, rng)).astype(np.float64)
        finite = np.isfinite(x).all(axis=1)
        logit = np.full(len(x), -np.inf)
        logit[finite] = logits(discriminator(x[finite].astype(np.float32))[:, 0])
        if shift is None:
            shift = float(np.percentile(logit[finite], settings.percentile)) if finite.any() else 0.0
        keep = kept(logit, shift, rng.uniform(size=len(x))) & finite
        out.append(x[keep])
        have += int(keep.sum())
        drawn += len(x)
    stats = {"accepted": have / drawn, "drawn": drawn, "shift": shift}
    log.info("rejection: kept %.1f%% of %d samples of G (M = %.3f, the %g-th percentile of the logits)",
             100 * stats["accepted"], drawn, shift, settings.percentile)
    return np.concatenate(out)[:n], stats
