"""kldiv.dask: the same values as the in-memory functions, computed block by block on a
distributed.LocalCluster with two worker processes (loopback only)."""
import dask.array as da
import distributed
import numpy as np
import pytest

import kldiv
import kldiv.dask


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_rows_on_a_cluster_equal_the_in_memory_values(client):
    rng = np.random.default_rng(9)
    a = rng.normal(0, 2, (40, 3000)).astype(np.float32)
    b = (a + rng.normal(0, 0.05, a.shape)).astype(np.float32)
    P, Q = da.from_array(a, chunks=(7, 3000)), da.from_array(b, chunks=(7, 3000))
    values = kldiv.dask.kl_divergence(P, Q, input="logits", temperature=1.5)
    assert values.shape == (40,) and values.numblocks == (6,)
    expected = kldiv.kl_divergence(a, b, input="logits", temperature=1.5)
    np.testing.assert_array_equal(values.compute(), expected)
    np.testing.assert_array_equal(kldiv.dask.entropy(P, input="logits").compute(), kldiv.entropy(a, input="logits"))
    summary = kldiv.dask.summarize(values)
    assert summary["count"] == 40
    assert summary["mean"] == pytest.approx(expected.mean(), rel=1e-15)
    assert summary["standard_error"] == pytest.approx(expected.std(ddof=1) / np.sqrt(40), rel=1e-12)
    assert summary["quantiles"][0.5] == pytest.approx(np.quantile(expected, 0.5), rel=1e-15)
    assert summary["max"] == expected.max()


def test_distributions_split_across_chunks_are_refused():
    P = da.ones((4, 10), chunks=(2, 5)) / 10
    with pytest.raises(ValueError, match="rechunk"):
        kldiv.dask.kl_divergence(P, P)
    with pytest.raises(TypeError, match="reduction"):
        kldiv.dask.kl_divergence(P.rechunk((2, 10)), P.rechunk((2, 10)), reduction="mean")
