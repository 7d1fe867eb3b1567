"""G and D as stacked MLPs: the one place that turns the settings into networks."""

from __future__ import annotations

from . import losses
from .networks import StackedMLP


def build_generator(settings, dim: int, seeds: list[int]) -> StackedMLP:
    gen = settings.cfg["generator"]
    return StackedMLP(
        "generator", [settings.latent["dim"], *gen["hidden"], dim], gen, seeds,
        rng_salt=1, output_activation="linear",
    )


def build_discriminator(settings, dim: int, seeds: list[int]) -> StackedMLP:
    dis = settings.cfg["discriminator"]
    sigmoid = settings.loss_name in losses.SIGMOID_LOSSES
    return StackedMLP(
        "discriminator", [dim * settings.training["pack"], *dis["hidden"], 1], dis, seeds,
        rng_salt=2, output_activation="sigmoid" if sigmoid else "linear",
    )
