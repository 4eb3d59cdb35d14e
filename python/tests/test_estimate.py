"""kldiv.estimate: the three estimators from Python, their uncertainty, and errors."""
import math

import numpy as np
import pytest
import scipy.stats

import kldiv.estimate as ke


def test_knn_on_gaussians_with_interval_and_reproducible_seed():
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 1, (20000, 3)), rng.normal(0, 1.5, (20000, 3))
    truth = 3 * (math.log(1.5) + 1 / (2 * 1.5 ** 2) - 0.5)  # D(N(0, I)‖N(0, 1.5² I)) in 3 dimensions
    r = ke.kl_divergence_knn(x, y, k=5, ci=0.9, resamples=40, seed=3)
    assert r.value == pytest.approx(truth, abs=0.04)  # measured 0.391 (n = 3e4) and 0.393 (1e5) on other seeds
    assert r.interval.level == 0.9 and r.interval.resamples == 40 and r.interval.low < r.interval.high
    assert ke.kl_divergence_knn(x, y, k=5, ci=0.9, resamples=40, seed=3, threads=1) == r
    bits = ke.kl_divergence_knn(x, y, k=5, base=2)
    assert bits.value == pytest.approx(r.value / math.log(2), rel=1e-12)


def test_histogram_and_counts():
    rng = np.random.default_rng(8)
    x, y = rng.normal(0, 1, 50000), rng.normal(1, 1, 50000)
    h = ke.kl_divergence_histogram(x, y)
    assert h.value == pytest.approx(0.5, abs=0.03) and "jeffreys" in h.method
    c = ke.kl_divergence_counts([10, 20, 30], [20, 20, 20])
    assert c.value == pytest.approx(sum(p * math.log(3 * p) for p in (1 / 6, 2 / 6, 3 / 6)), rel=1e-14)
    assert c.interval is None and c.test is None
    assert float(c) == c.value


def test_permutation_p_values():
    # A permutation p-value is (1 + k)/(B + 1) with k of the B permuted statistics at least the
    # observed one: a multiple of 1/200 here.
    def p_value(p_counts, q_counts):
        t = ke.kl_divergence_counts(p_counts, q_counts, estimator="laplace", permutations=199, seed=1)
        assert t.test.permutations == 199
        k = t.test.p_value * 200 - 1
        assert k == pytest.approx(round(k), abs=1e-9) and 0 <= round(k) <= 199
        return t.test.p_value
    # Samples far apart: no permutation reaches the observed divergence, p = 1/200.
    assert p_value([90, 5, 5], [5, 5, 90]) == pytest.approx(1 / 200, rel=1e-12)
    # Equal counts: every permutation reaches it, p = 1.
    assert p_value([20, 20, 20], [20, 20, 20]) == pytest.approx(1.0, rel=1e-12)
    # In between: close to the chi-squared test of homogeneity (SciPy's G-test, an asymptotic
    # peer); 199 permutations give a Monte Carlo standard error of about 0.02 near p = 0.1.
    g = scipy.stats.chi2_contingency([[10, 20, 30], [20, 20, 20]], lambda_="log-likelihood")
    assert abs(p_value([10, 20, 30], [20, 20, 20]) - g.pvalue) < 0.08


def test_entropy_and_cross_entropy_forms():
    rng = np.random.default_rng(9)
    x, y = rng.normal(0, 1, 20000), rng.normal(1, 2, 20000)
    entropy = 0.5 * math.log(2 * math.pi * math.e)               # H(N(0, 1))
    cross = 0.5 * math.log(2 * math.pi * 4) + (1 + 1) / 8        # H(N(0, 1), N(1, 2²))
    assert ke.entropy_knn(x).value == pytest.approx(entropy, abs=0.03)
    assert ke.cross_entropy_knn(x, y).value == pytest.approx(cross, abs=0.03)
    assert ke.entropy_histogram(x).value == pytest.approx(entropy, abs=0.03)
    assert ke.cross_entropy_histogram(x, y).value == pytest.approx(cross, abs=0.03)
    p = np.array([1 / 6, 2 / 6, 3 / 6])
    assert ke.entropy_counts([10, 20, 30]).value == pytest.approx(-(p * np.log(p)).sum(), rel=1e-14)
    assert ke.cross_entropy_counts([10, 20, 30], [20, 20, 20], base=2).value == pytest.approx(math.log2(3), rel=1e-14)
    with_ci = ke.entropy_knn(x, ci=0.9, resamples=30, seed=4)
    assert with_ci.interval.low < with_ci.value < with_ci.interval.high and with_ci.test is None


def test_errors_name_the_function():
    with pytest.raises(ValueError, match="kl_divergence_knn: "):
        ke.kl_divergence_knn(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="kl_divergence_counts: .*estimator = 'best'"):
        ke.kl_divergence_counts([1, 2], [2, 1], estimator="best")
    with pytest.raises(ValueError, match="samples must be 1-D or 2-D"):
        ke.kl_divergence_histogram(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


def test_docstring_examples():
    import doctest
    assert doctest.testmod(ke).failed == 0


def test_every_histogram_form_defaults_to_jeffreys_as_the_command_does():
    # `kldiv estimate --method histogram` counts with Jeffreys' pseudocounts for every measure; the
    # entropy form alone defaulted to the plug-in here (2.52 against the command's 3.16 nats).
    x = np.random.default_rng(4).normal(0, 1, (400, 2))
    for form, args in ((ke.entropy_histogram, (x,)), (ke.cross_entropy_histogram, (x, x + 0.1)),
                       (ke.kl_divergence_histogram, (x, x + 0.1))):
        r = form(*args)
        assert "jeffreys" in r.method
        assert r.value == form(*args, estimator="jeffreys").value


def test_an_estimate_names_its_unit():
    x = np.random.default_rng(5).normal(0, 1, (300, 1))
    nats, bits = ke.kl_divergence_knn(x, x + 0.5), ke.kl_divergence_knn(x, x + 0.5, base="bits")
    assert (nats.unit, bits.unit) == ("nats", "bits")
    assert bits.value == pytest.approx(nats.value / math.log(2), rel=1e-14)
    assert ke.entropy_counts([3, 1], base=10).unit == "dits"
