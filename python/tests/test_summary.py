"""kldiv.summarize against NumPy (the peer whose quantile method it follows) and math.fsum."""
import math

import numpy as np
import pytest

import kldiv


def test_agrees_with_numpy_bit_for_bit():
    rng = np.random.default_rng(3)
    levels = (0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0, 1 / 3)
    for n in (1, 2, 3, 10, 101, 10000):
        v = rng.lognormal(0, 2, n)
        s = kldiv.summarize(v, levels)
        for q in levels:
            assert s["quantiles"][q] == np.quantile(v, q), (n, q)
        assert s["count"] == n and s["min"] == v.min() and s["max"] == v.max()
        assert s["mean"] == pytest.approx(math.fsum(v.tolist()) / n, rel=1e-15)
        if n > 1:
            assert s["stddev"] == pytest.approx(np.std(v, ddof=1), rel=1e-12)
            assert s["standard_error"] == pytest.approx(np.std(v, ddof=1) / math.sqrt(n), rel=1e-12)
        else:
            assert s["stddev"] == 0.0 and s["standard_error"] == 0.0


def test_mean_keeps_its_digits():
    # 1e16 and a thousand 1s: a plain float sum loses every 1 (1e16 + 1 rounds back to 1e16).
    v = np.array([1e16] + [1.0] * 1000)
    assert kldiv.summarize(v)["mean"] == pytest.approx((1e16 + 1000) / 1001, rel=1e-15)


def test_infinite_values():
    s = kldiv.summarize([0.5, 1.0, math.inf], (0.0, 0.5, 0.75, 1.0))
    assert s["mean"] == math.inf and math.isnan(s["stddev"]) and math.isnan(s["standard_error"])
    # between 1 and +inf the quantile is +inf (NumPy's lerp gives nan at t >= 0.5)
    assert s["quantiles"] == {0.0: 0.5, 0.5: 1.0, 0.75: math.inf, 1.0: math.inf}
    assert math.isnan(np.quantile([0.5, 1.0, math.inf], 0.75))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"kldiv.summarize: no values"):
        kldiv.summarize([])
    with pytest.raises(ValueError, match=r"kldiv.summarize: values\[1\] = nan"):
        kldiv.summarize([1.0, math.nan])
    with pytest.raises(ValueError, match=r"quantile level 1.5, but levels must be in \[0, 1\]"):
        kldiv.summarize([1.0], (1.5,))
