"""What does rejection sampling by a discriminator do to a finished run's modes? A probe of
discriminator rejection sampling (DRS; Azadi et al. 2019) on the runs of one point of a preset,
on the ring or the grid.

    snakemake results/summary/sweeps/r1_strong.tsv --cores 2 -d SCRATCH \
        --configfile workflow/benchmarks/ring_defaults_screen.yaml
    python workflow/benchmarks/drs_probe.py SCRATCH r1_strong__r1_gamma_0p3

    snakemake results/summary/metrics_by_experiment.tsv --cores 2 -d SCRATCH \
        --configfile workflow/benchmarks/readme_example.yaml
    python workflow/benchmarks/drs_probe.py SCRATCH n64x3_150 --preset workflow/benchmarks/readme_example.yaml \
        --retrained-only --percentiles 50 20 --fourier 3 --kept 2500

For each seed of the point: draw 400,000 samples from the trained G, and keep each with
probability min(1, exp(logit D(x) - M)), M a percentile of the logits (100 = the maximum,
plain rejection sampling; lower percentiles accept more, as DRS's shift does). D is first the
run's own D as training left it (not with --retrained-only), then that D trained --steps more
Adam steps (BCE, no penalty, batches of 512 real rows and 512 samples of the frozen G; a
critic's output is trained as a logit), as DRS recommends, and with --fourier SCALE ... also a
new D for each scale: 3 x 128 ReLU layers on 64 random Fourier features of x (toygan's
FourierFeatures layer, frequencies ~ N(0, SCALE^2)), trained --steps steps the same way.
Printed: the workflow's own metrics (toygan.evaluation) of the first --kept kept samples and
the acceptance rate, per seed, then mean ± s.e. over the seeds. Needs TensorFlow (the
training of D); nothing is written.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow"))

from toygan.config.schema import section_defaults
from toygan.config.settings import Evaluation, Experiment, Rejection
from toygan.config.validate import validate_config
from toygan.evaluation import reference
from toygan.evaluation.run_metrics import evaluate_run
from toygan.io import read_json
from toygan.sampling import keras_numpy, rejection
from toygan.sampling.sample import latent

PRESET = REPO / "workflow" / "benchmarks" / "ring_defaults_screen.yaml"
N_DRAWN, N_KEPT, BATCH = 400_000, 100_000, 512


def logits(d: np.ndarray, output: str) -> np.ndarray:
    return rejection.logits(d) if output == "probability" else d.astype(np.float64)


def fourier_d(dim: int, scale: float, seed: int):
    """A fresh D that sees 64 random Fourier features of x; outputs a probability."""
    import keras
    from toygan.training.keras_layers import FourierFeatures

    model = keras.Sequential([keras.Input((dim,)), FourierFeatures(64),
                              *[keras.layers.Dense(128, activation="relu") for _ in range(3)],
                              keras.layers.Dense(1, activation="sigmoid")])
    frequencies = np.random.default_rng(seed).normal(0.0, scale, (dim, 64)).astype(np.float32)
    model.layers[0].set_weights([frequencies])
    return model


def train_d(model, real: np.ndarray, fake: np.ndarray, steps: int, seed: int, output: str = "probability"):
    """``model`` trained ``steps`` more steps to tell ``real`` from ``fake`` (G frozen), as a
    rejection row's D is (Adam 1e-3, batches of 512); a critic's raw output as a logit."""
    from toygan.training.rejection_d import train_d as train

    settings = Rejection.parse({**section_defaults("rejection"), "of": "", "steps": steps, "batch_size": BATCH,
                                "learning_rate": 1e-3})
    train(model, real, fake, settings, np.random.default_rng(seed), from_logits=output != "probability")
    return lambda x: model.predict(x, batch_size=65536, verbose=0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workdir", type=Path, help="the -d directory of a finished run of --preset")
    ap.add_argument("point", help="an experiment (or sweep point) of the preset, on the ring or the grid")
    ap.add_argument("--preset", type=Path, default=PRESET)
    ap.add_argument("--steps", type=int, default=2000, help="extra D steps before rejection (default 2000)")
    ap.add_argument("--percentiles", type=float, nargs="+", default=[100, 99, 95, 90])
    ap.add_argument("--kept", type=int, default=N_KEPT,
                    help=f"score the first KEPT kept samples (default {N_KEPT:,}; the benchmark tables use 2,500)")
    ap.add_argument("--retrained-only", action="store_true", help="skip the D as training left it")
    ap.add_argument("--fourier", type=float, nargs="*", default=[], metavar="SCALE",
                    help="also a new Fourier-feature D per scale")
    args = ap.parse_args(argv)

    cfg = validate_config(yaml.safe_load(args.preset.read_text()), [str(args.preset)])
    exp = Experiment.parse(cfg["experiments"][args.point])
    dataset = cfg["experiments"][args.point]["dataset"]
    settings = Evaluation.parse(cfg["evaluation"])
    res = args.workdir / "results"
    held = res / "heldout" / dataset
    heldout, floor, modes = np.load(held / "a.npy"), read_json(held / "floor.json"), read_json(held / "modes.json")
    truth = reference.truth_sample(cfg["datasets"][dataset], settings)
    real = np.load(res / "data" / f"{dataset}.npy").astype(np.float32)

    scored: dict[str, list[dict]] = {}  # sampler: one metrics dict per seed

    def describe(x: np.ndarray, run: dict, sampler: str, accepted: float = 1.0) -> str:
        r = evaluate_run(x[: args.kept], run, heldout, floor, modes, settings, truth, dataset)
        scored.setdefault(sampler, []).append({**r, "accepted": accepted})
        return (f"HQ {r['high_quality_fraction']:.3f}  reverse KL {r['reverse_kl']:.4f}  width × real "
                f"{np.mean(r['mode_width_ratio']):.2f} ({r['width_ratio_min']:.2f}–{r['width_ratio_max']:.2f})  "
                f"{r['verdict']}")

    for seed in exp.seeds:
        models = res / "models" / args.point / f"seed{seed}"
        run = read_json(models / "run.json")
        generator = keras_numpy.load(models / "generator.keras")
        x = generator(latent(exp.latent, N_DRAWN, seed + 100)).astype(np.float32)
        print(f"{args.point} seed {seed}: plain sampler: {describe(x, run, 'plain sampler')}", flush=True)
        pool = generator(latent(exp.latent, 200_000, seed + 7)).astype(np.float32)
        import keras

        saved = keras.models.load_model(models / "discriminator.keras", compile=False)
        discriminators = {  # name: (D, what it outputs)
            **({} if args.retrained_only else
               {"D as trained": (keras_numpy.load(models / "discriminator.keras"), run["d_output"])}),
            f"D + {args.steps} steps": (train_d(saved, real, pool, args.steps, seed, run["d_output"]), run["d_output"]),
            **{f"Fourier D (scale {s:g}), {args.steps} steps":
               (train_d(fourier_d(real.shape[1], s, seed), real, pool, args.steps, seed), "probability")
               for s in args.fourier},
        }
        rng = np.random.default_rng(seed)
        for name, (d, output) in discriminators.items():
            logit = logits(np.asarray(d(x))[:, 0], output)
            for q in args.percentiles:
                kept = rng.uniform(size=len(x)) < np.minimum(1.0, np.exp(logit - np.percentile(logit, q)))
                sampler = f"{name}, M at percentile {q:g}"
                print(f"  {sampler}: accepts {kept.mean():.2f}: {describe(x[kept], run, sampler, kept.mean())}",
                      flush=True)
    print_summary(scored)


def print_summary(scored: dict[str, list[dict]]) -> None:
    """One line per sampler over the seeds: mean ± s.e. and the verdicts."""
    print(f"\nover {len(next(iter(scored.values())))} seeds (mean ± s.e.; width: mean, narrowest–widest mode):")

    def ms(runs: list[dict], key: str, fmt: str) -> str:
        v = np.array([r[key] for r in runs], float)
        se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
        return f"{v.mean():{fmt}} ± {se:{fmt}}"

    for sampler, runs in scored.items():
        verdicts = collections.Counter(r["verdict"] for r in runs)
        widths = np.mean([np.mean(r["mode_width_ratio"]) for r in runs])
        print(f"  {sampler}: accepts {ms(runs, 'accepted', '.2f')}; modes {ms(runs, 'modes_captured', '.1f')}; "
              f"HQ {ms(runs, 'high_quality_fraction', '.3f')} (lowest {min(r['high_quality_fraction'] for r in runs):.3f}); "
              f"reverse KL {ms(runs, 'reverse_kl', '.4f')}; width {widths:.2f} "
              f"({min(r['width_ratio_min'] for r in runs):.2f}–{max(r['width_ratio_max'] for r in runs):.2f}); "
              + ", ".join(f"{n} {v}" for v, n in verdicts.most_common()))


if __name__ == "__main__":
    main()
