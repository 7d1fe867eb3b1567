"""The in-graph counter-based generator: uniform, independent across keys, reproducible."""

import numpy as np
from scipy import stats

from toygan.training.tfsetup import import_tensorflow

tf = import_tensorflow(1)
from toygan.training import rng  # noqa: E402


def draw(seed, counter, n=100_000, kind="uniform"):
    fn = rng.uniform if kind == "uniform" else rng.normal
    return fn([n], tf.constant(seed, tf.int64), tf.constant(counter, tf.int64)).numpy().astype(np.float64)


def test_uniform_is_uniform_and_serially_uncorrelated():
    u = draw(0, 0)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert u.min() >= 0 and u.max() < 1
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    low_high = rng.uniform([1000], tf.constant(1, tf.int64), tf.constant(2, tf.int64), -1.0, 1.0).numpy()
    assert low_high.min() >= -1 and low_high.max() < 1 and low_high.min() < -0.99


def test_same_key_same_numbers_other_keys_independent():
    np.testing.assert_array_equal(draw(3, 7), draw(3, 7))
    base = draw(3, 7)
    for other in (draw(4, 7), draw(3, 8), draw(3, 7 + 2**32), draw(3 + 2**32, 7)):
        assert not np.array_equal(base, other)
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.015
        assert stats.ks_2samp(base, other).pvalue > 1e-3


def test_no_position_of_a_draw_is_special():
    """The first number of every key was once 0 (a uniform row index 0, a latent at `low`)."""
    firsts = np.array([draw(seed, counter, n=3)[0] for seed in range(4) for counter in range(50)])
    assert len(np.unique(firsts)) == len(firsts) and stats.kstest(firsts, "uniform").pvalue > 1e-3


def test_normal_moments():
    z = draw(5, 1, n=200_001, kind="normal")
    assert z.shape == (200_001,)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert stats.kstest(z, "norm").pvalue > 1e-3


def test_same_numbers_inside_xla():
    f = tf.function(lambda s, c: rng.uniform([777], s, c), jit_compile=True)
    np.testing.assert_array_equal(f(tf.constant(9, tf.int64), tf.constant(4, tf.int64)).numpy(),
                                  draw(9, 4, n=777).astype(np.float32))


def test_a_vector_of_keys_draws_each_replica_as_alone():
    """Draws keep one op per step whatever the replica count; a replica's numbers must not
    depend on its neighbours, eagerly or compiled."""
    seeds = tf.constant([3, 4 + 2**33, 11], tf.int64)
    counter = tf.constant(5 + 2**34, tf.int64)
    for fn, shape in ((rng.uniform, [7, 3]), (rng.normal, [5, 3]), (rng.normal, [1])):
        together = fn(shape, seeds, counter).numpy()
        xla = tf.function(lambda s, c: fn(shape, s, c), jit_compile=True)
        compiled = xla(seeds, counter).numpy()
        assert together.shape == (3, *shape)
        for r in range(3):
            np.testing.assert_array_equal(together[r], fn(shape, seeds[r], counter).numpy())
            np.testing.assert_array_equal(compiled[r], xla(seeds[r], counter).numpy())


def test_a_categorical_latent_is_one_hot_equally_likely_and_leaves_the_continuous_part_alone():
    from toygan.config.settings import Latent
    from toygan.training.draws import Draws

    spec = dict(dim=3, distribution="normal", low=-1.0, high=1.0)
    plain = Draws([0, 5], Latent(**spec, categories=0)).fixed_latent(20_000)
    coded = Draws([0, 5], Latent(**spec, categories=7)).fixed_latent(20_000)
    assert coded.shape == (2, 20_000, 3 + 7)
    np.testing.assert_array_equal(coded[..., :3], plain)
    code = coded[..., 3:]
    assert set(np.unique(code)) == {0.0, 1.0} and (code.sum(axis=-1) == 1).all()
    for replica in code:
        counts = replica.sum(axis=0)
        assert stats.chisquare(counts).pvalue > 1e-4, counts
        # the code does not follow the continuous values (a stream of its own)
        assert abs(np.corrcoef(replica.argmax(axis=1), plain[0, :, 0])[0, 1]) < 0.03
    assert not np.array_equal(code[0], code[1])
