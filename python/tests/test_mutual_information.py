"""Mutual information (kldiv.estimate.mutual_information_*, kldiv.mutual_information) against
scikit-learn 1.2 on the same data, closed forms, the discrete estimators' definitions, resampling
and bad input."""
import math

import numpy as np
import pytest

import kldiv
import kldiv.estimate as ke

sklearn_mi = pytest.importorskip("sklearn.feature_selection._mutual_info")
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression  # noqa: E402
from sklearn.metrics import mutual_info_score  # noqa: E402

RNG = np.random.default_rng(20261208)


def correlated(n, rho):
    x = RNG.standard_normal(n)
    return x, rho * x + math.sqrt(1 - rho * rho) * RNG.standard_normal(n)


@pytest.mark.parametrize("n", [200, 5000])
@pytest.mark.parametrize("k", [1, 3, 7])
def test_ksg_equals_scikit_learn_on_the_same_data(n, k):
    # scikit-learn's estimator itself (before its scaling and noise, which only prepare the data).
    for rho in (0.0, 0.6, 0.95):
        x, y = correlated(n, rho)
        expected = sklearn_mi._compute_mi_cc(x, y, k)
        got = ke.mutual_information_knn(x, y, k=k).value
        assert max(got, 0.0) == pytest.approx(expected, abs=1e-12), (rho, got, expected)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_ross_equals_scikit_learn_on_the_same_data(k):
    x = RNG.standard_normal(3000)
    labels = (x + RNG.standard_normal(3000) > 0).astype(int) + 2 * (x > 1.2)
    labels[17] = 99  # seen once: left out by both
    expected = sklearn_mi._compute_mi_cd(x, labels, k)
    got = ke.mutual_information_mixed(x, labels, k=k).value
    assert max(got, 0.0) == pytest.approx(expected, abs=1e-12)


def test_discrete_equals_scikit_learn_and_the_chain_rule():
    a = RNG.integers(0, 5, 4000)
    b = (a + RNG.integers(0, 3, 4000)) % 6
    got = ke.mutual_information_discrete(a, b).value
    assert got == pytest.approx(mutual_info_score(a, b), rel=1e-12)
    # I(X;Y) = H(X) + H(Y) − H(X,Y) with the plug-in entropies of the counts
    joint = np.zeros((5, 6))
    np.add.at(joint, (a, b), 1)
    h = lambda c: ke.entropy_counts(c.ravel()).value  # noqa: E731
    assert got == pytest.approx(h(joint.sum(1)) + h(joint.sum(0)) - h(joint), rel=1e-12)
    assert ke.mutual_information_counts(joint).value == pytest.approx(got, rel=1e-14)
    mm = ke.mutual_information_counts(joint, estimator="miller_madow").value
    cells = np.count_nonzero(joint)
    assert mm == pytest.approx(got + (5 + 6 - cells - 1) / (2 * 4000), rel=1e-12)
    # strings as labels
    assert ke.mutual_information_discrete(np.array(["u", "v"])[a % 2], b).value == pytest.approx(
        mutual_info_score(a % 2, b), rel=1e-12)


def test_feature_ranking_as_scikit_learn_computes_it():
    n = 4000
    X = RNG.standard_normal((n, 4))
    X[:, 3] = RNG.integers(0, 3, n)
    y = X[:, 0] + 0.5 * X[:, 3] + 0.5 * RNG.standard_normal(n)
    classes = (y > 0.5).astype(int)
    # The noise of 1e-10 differs (each its own generator), so the estimates agree to its effect.
    ours = kldiv.mutual_information(X, y, discrete_features=[3])
    theirs = mutual_info_regression(X, y, discrete_features=[3], random_state=0)
    np.testing.assert_allclose(np.maximum(ours, 0), theirs, atol=1e-6)
    ours = kldiv.mutual_information(X, classes, discrete_features=[3], discrete_target=True)
    theirs = mutual_info_classif(X, classes, discrete_features=[3], random_state=0)
    np.testing.assert_allclose(np.maximum(ours, 0), theirs, atol=1e-6)
    # With scikit-learn's own preparation reproduced (scale, then its noise), the same to 1e-12.
    rng = np.random.RandomState(0)
    Xs = X[:, :3] / X[:, :3].std(axis=0)
    Xs += 1e-10 * np.maximum(1, np.mean(np.abs(Xs), axis=0)) * rng.standard_normal(size=(n, 3))
    ys = y / y.std()
    ys += 1e-10 * max(1, np.mean(np.abs(ys))) * rng.standard_normal(size=n)
    ours = kldiv.mutual_information(np.column_stack([Xs, X[:, 3]]), ys, discrete_features=[3], scale=False,
                                    jitter=0)
    theirs = mutual_info_regression(X, y, discrete_features=[3], random_state=0)
    np.testing.assert_allclose(np.maximum(ours, 0), theirs, atol=1e-12)
    # Ranks: the informative columns first.
    assert list(np.argsort(-kldiv.mutual_information(X, y, discrete_features=[3]))[:2]) == [0, 3]


@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_gaussian_closed_form_and_convergence(rho):
    truth = -0.5 * math.log(1 - rho * rho)
    errors = []
    for n in (1000, 100_000):
        x, y = correlated(n, rho)
        for method in ("ksg_1", "ksg_2"):
            got = ke.mutual_information_knn(x, y, method=method).value
            assert got == pytest.approx(truth, abs=5 * 0.8 / math.sqrt(n)), (n, method)
        errors.append(abs(ke.mutual_information_knn(x, y).value - truth))
    assert errors[1] < max(errors[0], 0.005)


def test_permutation_test_and_bootstrap():
    x, y = correlated(2000, 0.4)
    r = ke.mutual_information_knn(x, y, permutations=49, seed=3)
    assert r.test.p_value == pytest.approx(1 / 50)
    noise = RNG.standard_normal(2000)
    assert ke.mutual_information_knn(x, noise, permutations=49).test.p_value > 0.02
    assert ke.mutual_information_knn(x, y, permutations=49, seed=3, threads=1).test == r.test
    labels = (x > 0).astype(int)
    assert ke.mutual_information_mixed(x, labels, permutations=19).test.p_value == pytest.approx(1 / 20)
    a = RNG.integers(0, 3, 500)
    assert ke.mutual_information_discrete(a, a, permutations=19).test.p_value == pytest.approx(1 / 20)
    # Bootstrap: discrete estimators only (resampled rows repeat, which breaks the kNN counts).
    b = (a + RNG.integers(0, 2, 500)) % 3
    d = ke.mutual_information_discrete(a, b, ci=0.9, resamples=200)
    assert d.interval.low < d.value < d.interval.high and d.interval.level == 0.9
    with pytest.raises(kldiv.Error, match="resampled rows repeat"):
        ke.mutual_information_knn(x, y, ci=0.9)


def test_progress_reports_and_stops_the_permutations():
    x, y = correlated(500, 0.4)
    seen = []
    ke.mutual_information_knn(x, y, permutations=200, progress=lambda done, total, _: seen.append((done, total)))
    assert seen[0] == (0, 200) and seen[-1] == (200, 200)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))

    class Stop(Exception):
        pass

    def stop(done, total, _):
        if done >= 10:
            raise Stop  # as Ctrl-C's KeyboardInterrupt does
    with pytest.raises(Stop):
        ke.mutual_information_knn(x, y, permutations=10**6, progress=stop)


def test_bad_input():
    x = RNG.standard_normal(50)
    with pytest.raises(kldiv.Error, match="mutual_information_knn: k = 50 with 50 observations"):
        ke.mutual_information_knn(x, x, k=50)
    with pytest.raises(kldiv.Error, match="observations must be paired"):
        ke.mutual_information_knn(x, x[:40])
    with pytest.raises(kldiv.Error, match=r"y\[3, 0\] = nan"):
        bad = x.copy()
        bad[3] = np.nan
        ke.mutual_information_knn(x, bad)
    with pytest.raises(kldiv.Error, match="labels must be integers"):
        ke.mutual_information_mixed(x, x)
    with pytest.raises(kldiv.Error, match="percentile intervals only"):
        ke.mutual_information_discrete([1, 2, 1, 2], [0, 0, 1, 1], ci=0.9, interval="bca")
    with pytest.raises(kldiv.Error, match="discrete_features has shape"):
        kldiv.mutual_information(np.ones((50, 2)), x, discrete_features=[True])
    with pytest.raises(kldiv.Error, match="a discrete column holds labels"):
        kldiv.mutual_information(np.column_stack([x, x]), x, discrete_features=[1])
    with pytest.raises(kldiv.Error, match="y has shape"):
        kldiv.mutual_information(np.ones((50, 2)), x[:10])
    with pytest.raises(kldiv.Error, match="jitter = -1.0"):
        kldiv.mutual_information(np.ones((50, 2)), x, jitter=-1)
