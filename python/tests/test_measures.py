"""Tests of the kldiv Python package: agreement with SciPy on random cases, accuracy where the
peers fail (against mpmath), the NumPy habits (axis, keepdims, dtypes, layouts), reductions,
threads, and bad input."""
import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats

import kldiv

RNG = np.random.default_rng(20261123)


def random_probs(shape):
    x = RNG.random(shape)
    return x / x.sum(-1, keepdims=True)


def test_one_distribution_gives_a_float_and_matches_scipy():
    p, q = random_probs(50), random_probs(50)
    d = kldiv.kl_divergence(p, q)
    assert isinstance(d, float)
    assert d == pytest.approx(scipy.stats.entropy(p, q), rel=1e-12)
    assert kldiv.entropy(p, base=2) == pytest.approx(scipy.stats.entropy(p, base=2), rel=1e-12)
    assert kldiv.cross_entropy(p, q) == pytest.approx(-(p * np.log(q)).sum(), rel=1e-12)
    assert kldiv.jeffreys(p, q) == pytest.approx(scipy.stats.entropy(p, q) + scipy.stats.entropy(q, p), rel=1e-12)


def test_batches_along_any_axis_match_rel_entr():
    p, q = random_probs((4, 3, 30)), random_probs((4, 3, 30))
    expected = scipy.special.rel_entr(p, q).sum(-1)
    np.testing.assert_allclose(kldiv.kl_divergence(p, q), expected, rtol=1e-12)
    moved = kldiv.kl_divergence(np.moveaxis(p, -1, 1), np.moveaxis(q, -1, 1), axis=1)
    np.testing.assert_allclose(moved, expected, rtol=1e-12)
    kept = kldiv.kl_divergence(p, q, keepdims=True)
    assert kept.shape == (4, 3, 1)
    assert kldiv.kl_divergence(p, q, reduction="mean") == pytest.approx(expected.mean(), rel=1e-12)
    assert kldiv.kl_divergence(p, q, reduction="sum") == pytest.approx(expected.sum(), rel=1e-12)


def test_js_divergence_matches_its_definition():
    p, q = random_probs(40), random_probs(40)
    m = 0.3 * p + 0.7 * q
    expected = 0.3 * scipy.stats.entropy(p, m) + 0.7 * scipy.stats.entropy(q, m)
    assert kldiv.js_divergence(p, q, beta=0.3) == pytest.approx(expected, rel=1e-12)


def test_logits_float32_and_temperature():
    a = RNG.normal(0, 2, (6, 1000)).astype(np.float32)
    b = (a + RNG.normal(0, 0.5, a.shape)).astype(np.float32)
    got = kldiv.kl_divergence(a, b, input="logits", temperature=2.0)
    sa = scipy.special.softmax(a.astype(np.float64) / 2.0, axis=-1)
    sb = scipy.special.softmax(b.astype(np.float64) / 2.0, axis=-1)
    np.testing.assert_allclose(got, scipy.special.rel_entr(sa, sb).sum(-1), rtol=2e-6)
    lp = scipy.special.log_softmax(a.astype(np.float64), axis=-1)
    lq = scipy.special.log_softmax(b.astype(np.float64), axis=-1)
    np.testing.assert_allclose(kldiv.kl_divergence(lp, lq, input="log_probs"),
                               kldiv.kl_divergence(a.astype(np.float64), b.astype(np.float64), input="logits"),
                               rtol=1e-12)


def test_nearly_identical_distributions_where_scipy_fails():
    rng = np.random.default_rng(7)
    p = rng.random(1000)
    p /= p.sum()
    q = p * (1 + 1e-9 * rng.standard_normal(1000))
    q /= q.sum()
    mpmath.mp.dps = 50
    sp = mpmath.fsum(mpmath.mpf(float(x)) for x in p)
    sq = mpmath.fsum(mpmath.mpf(float(x)) for x in q)
    ref = mpmath.fsum((mpmath.mpf(float(a)) / sp) * mpmath.log((mpmath.mpf(float(a)) / sp) / (mpmath.mpf(float(b)) / sq))
                      for a, b in zip(p, q))
    got = kldiv.kl_divergence(p, q)
    assert abs(got - float(ref)) <= 1e-12 * float(ref)
    scipy_error = abs(float(scipy.special.rel_entr(p, q).sum()) - float(ref)) / float(ref)
    assert scipy_error > 1.0  # the peer is wrong here; kldiv is not


def test_threads_do_not_change_results():
    # Fewer rows than threads: the blocks of each row are shared out among the threads, and the
    # partial sums must fold to the same bits as one thread's (rows.cpp, "few long rows"). Then
    # more rows than threads (whole rows per thread), with a mean over rows.
    a = RNG.normal(0, 2, (2, 300000)).astype(np.float32)
    b = (a + RNG.normal(0, 0.01, a.shape)).astype(np.float32)
    one = kldiv.kl_divergence(a, b, input="logits", threads=1)
    for threads in (2, 3, 5):
        assert np.array_equal(kldiv.kl_divergence(a, b, input="logits", threads=threads), one), threads
    many = np.repeat(a[:, :20000], 4, axis=0), np.repeat(b[:, :20000], 4, axis=0)
    mean_one = kldiv.kl_divergence(*many, input="logits", reduction="mean", threads=1)
    assert kldiv.kl_divergence(*many, input="logits", reduction="mean", threads=3) == mean_one
    # and the values are the right ones: the direct sum in long double (x87, 64-bit significand;
    # the float64 direct sum cancels to about 1e-7 here), within the 2e-6 relative stated for float
    # rows (docs/measures/batched_rows.md: single-precision weights and φ)
    def log_softmax(x):
        x = x.astype(np.longdouble)
        return x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    la, lb = log_softmax(a), log_softmax(b)
    direct = (np.exp(la) * (la - lb)).sum(axis=1)
    np.testing.assert_allclose(one, direct.astype(np.float64), rtol=2e-6)


def test_no_rows_give_an_empty_result_as_numpy_does():
    empty = np.empty((0, 3))
    for f in (kldiv.kl_divergence, kldiv.js_divergence, kldiv.cross_entropy):
        out = f(empty, empty)
        assert out.shape == (0,) and out.dtype == np.float64
    assert kldiv.entropy(empty).shape == (0,)
    assert kldiv.kl_divergence(empty, empty, reduction="sum") == 0.0
    with pytest.raises(kldiv.Error, match="reduction = mean over rows whose total weight is 0"):
        kldiv.kl_divergence(empty, empty, reduction="mean")
    # No events: not a distribution (NumPy's reshape error no longer leaks).
    for shape, axis in (((0,), -1), ((3, 0), -1), ((0, 4), 0)):
        with pytest.raises(kldiv.Error, match=r"^kl_divergence: p has shape .*no events along axis"):
            kldiv.kl_divergence(np.empty(shape), np.empty(shape), axis=axis)


def test_counts_and_integer_arrays():
    assert kldiv.entropy([3, 1], normalize=True) == pytest.approx(scipy.stats.entropy([3, 1]), rel=1e-12)
    assert kldiv.kl_divergence([1, 0], [0.5, 0.5], base=2) == pytest.approx(1.0, rel=1e-15)
    assert kldiv.kl_divergence([0.5, 0.5], [1, 0]) == math.inf


def test_bad_input_raises_value_error_naming_the_function():
    with pytest.raises(ValueError, match=r"kl_divergence: p\[1\] = -0.2, but probabilities must be >= 0"):
        kldiv.kl_divergence([1.2, -0.2], [0.5, 0.5])
    with pytest.raises(ValueError, match="must sum to 1"):
        kldiv.kl_divergence([0.2, 0.2], [0.5, 0.5])
    with pytest.raises(ValueError, match="must be equal or broadcast against each other"):
        kldiv.kl_divergence(random_probs(3), random_probs(4))
    with pytest.raises(ValueError, match="on_zero = error forbids"):
        kldiv.kl_divergence([0.5, 0.5], [1.0, 0.0], on_zero="raise")
    with pytest.raises(ValueError, match="input = 'probabilities'"):
        kldiv.kl_divergence([0.5, 0.5], [0.5, 0.5], input="probabilities")
    with pytest.raises(ValueError, match="axis = 3"):
        kldiv.kl_divergence([0.5, 0.5], [0.5, 0.5], axis=3)
    with pytest.raises(TypeError, match="real numbers"):
        kldiv.kl_divergence(["a", "b"], [0.5, 0.5])
    with pytest.raises(ValueError, match="beta = 1"):
        kldiv.js_divergence([0.5, 0.5], [0.5, 0.5], beta=1.0)


def test_every_option():
    p, q = random_probs((3, 20)), random_probs((3, 20))
    nats = kldiv.kl_divergence(p, q)
    np.testing.assert_allclose(kldiv.kl_divergence(p, q, base=10), nats / math.log(10), rtol=1e-15)
    zero_q = q.copy()
    zero_q[:, 0] = 0.0
    zero_q /= zero_q.sum(-1, keepdims=True)
    smoothed = kldiv.kl_divergence(p, zero_q, on_zero="smooth", epsilon=1e-3)
    ps, qs = (p + 1e-3), (zero_q + 1e-3)
    ps, qs = ps / ps.sum(-1, keepdims=True), qs / qs.sum(-1, keepdims=True)
    np.testing.assert_allclose(smoothed, scipy.special.rel_entr(ps, qs).sum(-1), rtol=1e-12)
    assert np.isinf(kldiv.kl_divergence(p, zero_q)).all()
    counts = np.array([[3, 1, 0, 6]])
    np.testing.assert_allclose(kldiv.entropy(counts, normalize=True), scipy.stats.entropy(counts, axis=-1),
                               rtol=1e-12)
    kept = kldiv.entropy(np.moveaxis(p, -1, 0), axis=0, keepdims=True)
    assert kept.shape == (1, 3)
    np.testing.assert_allclose(kept[0], scipy.stats.entropy(p, axis=-1), rtol=1e-12)
    logits = np.log(p)
    np.testing.assert_allclose(kldiv.cross_entropy(logits, np.log(q), input="log_probs", reduction="mean"),
                               (-(p * np.log(q)).sum(-1)).mean(), rtol=1e-12)
    strided = np.asfortranarray(p)  # not contiguous along the events: copied, same values
    np.testing.assert_allclose(kldiv.entropy(strided), kldiv.entropy(p), rtol=0)


def test_float16_rows_go_to_the_core_as_they_are():
    rng = np.random.default_rng(12)
    logits = rng.normal(0, 3, (2, 7, 300)).astype(np.float16)
    other = rng.normal(0, 3, (2, 7, 300)).astype(np.float16)
    # float16 widens exactly: the same values as float32 give the same divergences.
    got = kldiv.kl_divergence(logits, other, input="logits")
    want = kldiv.kl_divergence(logits.astype(np.float32), other.astype(np.float32), input="logits")
    assert got.shape == (2, 7)
    np.testing.assert_allclose(got, want, rtol=1e-14)
    probs = scipy.special.softmax(logits.astype(np.float64), axis=-1).astype(np.float16)
    np.testing.assert_allclose(kldiv.entropy(probs, normalize=True),
                               kldiv.entropy(probs.astype(np.float32), normalize=True), rtol=1e-14)


def test_reductions_are_the_cores():
    rng = np.random.default_rng(13)
    p, q = rng.dirichlet(np.ones(40), size=(3, 5)), rng.dirichlet(np.ones(40), size=(3, 5))
    rows = kldiv.jeffreys(p, q)
    assert kldiv.jeffreys(p, q, reduction="sum") == pytest.approx(math.fsum(rows.ravel()), rel=1e-15)
    assert kldiv.jeffreys(p, q, reduction="mean") == pytest.approx(math.fsum(rows.ravel()) / 15, rel=1e-15)
    q[1, 2] = np.eye(40)[0]
    assert kldiv.kl_divergence(p, q, reduction="mean") == math.inf
    with pytest.raises(kldiv.Error, match=r"^kl_divergence: reduction = 'max', but it must be none, sum or mean$"):
        kldiv.kl_divergence(p, q, reduction="max")


def test_the_core_error_reaches_users_named_for_their_function():
    with pytest.raises(kldiv.Error) as raised:
        kldiv.js_divergence([0.5, 0.6], [0.5, 0.5])
    assert isinstance(raised.value, ValueError)
    assert raised.value.function == "js_divergence"
    assert raised.value.message.startswith("p sums to 1.1")
    assert str(raised.value) == "js_divergence: " + raised.value.message
