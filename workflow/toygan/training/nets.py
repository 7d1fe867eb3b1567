"""G and D as stacked MLPs: the one place that turns the settings into networks."""

from __future__ import annotations

from .. import streams
from . import losses
from .networks import StackedMLP


def build_generator(settings, dim: int, seeds: list[int]) -> StackedMLP:
    exp = settings.exp
    return StackedMLP(
        "generator", [exp.latent.width, *exp.generator.hidden, dim], exp.generator, seeds,
        rng_salt=streams.GENERATOR_INIT, output_activation="linear",
    )


def build_discriminator(settings, dim: int, seeds: list[int]) -> StackedMLP:
    exp = settings.exp
    sigmoid = exp.loss.name in losses.SIGMOID_LOSSES
    return StackedMLP(
        "discriminator", [dim * exp.training.pack, *exp.discriminator.hidden, 1], exp.discriminator, seeds,
        rng_salt=streams.DISCRIMINATOR_INIT, output_activation="sigmoid" if sigmoid else "linear",
    )
