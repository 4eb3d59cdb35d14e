"""kldiv.joint against scikit-learn's contingency mutual information, SciPy's entropies and the chain rules."""
import math

import numpy as np
import pytest
from scipy.stats import entropy

import kldiv.joint as kj

RNG = np.random.default_rng(7)


def test_against_scipy_and_scikit_learn():
    counts = RNG.integers(0, 20, (4, 6)).astype(float)
    p = counts / counts.sum()
    px, py = p.sum(1), p.sum(0)
    assert kj.joint_entropy(counts, normalize=True) == pytest.approx(entropy(p.ravel()), rel=1e-14)
    assert kj.conditional_entropy(p) == pytest.approx(entropy(p.ravel()) - entropy(px), rel=1e-13)
    assert kj.mutual_information(p) == pytest.approx(entropy(px) + entropy(py) - entropy(p.ravel()), rel=1e-12)
    metrics = pytest.importorskip("sklearn.metrics")
    assert kj.mutual_information(counts, normalize=True) == pytest.approx(
        metrics.mutual_info_score(None, None, contingency=counts.astype(np.int64)), rel=1e-12)
    assert kj.mutual_information(p, base=2) == pytest.approx(kj.mutual_information(p) / math.log(2), rel=1e-15)


def test_chain_rules():
    t = RNG.random((3, 4, 5))
    t /= t.sum()
    # I(X; (Y,Z)) = I(X;Z) + I(X;Y|Z)
    assert kj.mutual_information(t.reshape(3, 20)) == pytest.approx(
        kj.mutual_information(t.sum(1)) + kj.conditional_mutual_information(t), rel=1e-13)
    p, q = t.sum(2), RNG.random((3, 4))
    q /= q.sum()
    kl = lambda a, b: float(np.sum(a * np.log(a / b)))  # noqa: E731
    assert kl(p.ravel(), q.ravel()) == pytest.approx(kl(p.sum(1), q.sum(1)) + kj.conditional_kl(p, q), rel=1e-12)


def test_bad_input():
    with pytest.raises(Exception, match="mutual_information: joint sums to 10"):
        kj.mutual_information([[1, 2], [3, 4]])
    with pytest.raises(Exception, match="three variables must be 3-D"):
        kj.conditional_mutual_information(np.ones((2, 2)) / 4)
    with pytest.raises(Exception, match="on_zero = smooth"):
        kj.mutual_information(np.ones((2, 2)) / 4, on_zero="smooth")
    with pytest.raises(TypeError):
        kj.mutual_information(np.ones((2, 2), dtype=bool))
