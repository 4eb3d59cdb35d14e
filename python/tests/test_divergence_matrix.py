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


def test_dask_blocks_equal_one_machine():
    da = pytest.importorskip("dask.array")
    import dask
    import kldiv.dask as kd
    a, b = rows(23, 40), rows(17, 40)
    A, B = da.from_array(a, chunks=(7, 40)), da.from_array(b, chunks=(5, 40))
    with dask.config.set(scheduler="threads"):
        for measure in ("js_distance", "hellinger", "renyi_divergence"):
            d = kd.divergence_matrix(A, B, measure, alpha=0.7).compute()
            assert np.array_equal(d, kldiv.divergence_matrix(a, b, measure, alpha=0.7))
        square = kd.divergence_matrix(A, measure="hellinger").compute()
        assert np.array_equal(square, kldiv.divergence_matrix(a, a, "hellinger"))
        per_row = kd.divergence(A[:17], B, "total_variation").compute()
        assert np.array_equal(per_row, kldiv.divergence(a[:17], b, "total_variation"))
    with pytest.raises(kldiv.Error, match="split into 2 chunks"):
        kd.divergence_matrix(da.from_array(a, chunks=(7, 20)))
