"""kldiv.divergence_matrix against scipy.spatial.distance.cdist/pdist and the one-pair functions."""
import numpy as np
import pytest
import scipy.special
from scipy.spatial.distance import cdist, pdist, squareform

import kldiv

RNG = np.random.default_rng(11)


def rows(n, v):
    x = RNG.random((n, v))
    return x / x.sum(1, keepdims=True)


def test_against_scipy_cdist_and_pdist():
    a, b = rows(20, 50), rows(15, 50)
    np.testing.assert_allclose(kldiv.divergence_matrix(a, b, "js_distance"), cdist(a, b, "jensenshannon"),
                               rtol=1e-12)
    np.testing.assert_allclose(kldiv.divergence_matrix(a, b, "js_distance", base=2),
                               cdist(a, b, lambda u, v: __import__("scipy").spatial.distance.jensenshannon(u, v, 2)),
                               rtol=1e-12)
    square = kldiv.divergence_matrix(a, measure="js_distance")
    np.testing.assert_allclose(square, squareform(pdist(a, "jensenshannon")), rtol=1e-12, atol=1e-300)
    assert np.all(np.diag(square) == 0) and np.array_equal(square, square.T)
    # total variation is half the L1 (cityblock) distance
    np.testing.assert_allclose(kldiv.divergence_matrix(a, b, "total_variation"), cdist(a, b, "cityblock") / 2,
                               rtol=1e-13)
    hell = kldiv.divergence_matrix(a, b, "hellinger")
    np.testing.assert_allclose(hell, cdist(np.sqrt(a), np.sqrt(b)) / np.sqrt(2), rtol=1e-12)


def test_entries_equal_the_one_pair_functions():
    a, b = rows(6, 30), rows(5, 30)
    for measure, alpha in [("kl_divergence", 1.0), ("renyi_divergence", 3.0), ("skew_divergence", 0.5),
                           ("pearson_chi2", 1.0)]:
        d = kldiv.divergence_matrix(a, b, measure, alpha=alpha)
        for i in range(6):
            for j in range(5):
                one = kldiv.divergence(a[i], b[j], measure, alpha=alpha)
                if measure == "kl_divergence":  # Python's KL of one row runs the batched SIMD kernel
                    assert d[i, j] == pytest.approx(one, rel=1e-12)
                else:
                    assert d[i, j] == one  # bit for bit
    logits = RNG.standard_normal((8, 100)).astype(np.float32)
    probs = scipy.special.softmax(logits.astype(np.float64), axis=1)
    np.testing.assert_allclose(kldiv.divergence_matrix(logits, measure="hellinger", input="logits"),
                               kldiv.divergence_matrix(probs, measure="hellinger", normalize=True), rtol=1e-12)


def test_bad_input():
    with pytest.raises(kldiv.Error, match="divergence_matrix: a has 3 events and b 4"):
        kldiv.divergence_matrix(rows(2, 3), rows(2, 4))
    with pytest.raises(kldiv.Error, match="measure = 'bogus'"):
        kldiv.divergence_matrix(rows(2, 3), measure="bogus")
    with pytest.raises(kldiv.Error, match=r"a\[1\] sums to"):
        kldiv.divergence_matrix(np.array([[0.5, 0.5], [0.5, 0.6]]))
