"""kldiv.divergence and its named members (kldiv/divergences.hpp) against SciPy, NumPy one-liners in
extended precision and mpmath's direct definitions; rows, dtypes, reductions and bad input."""
import math

import mpmath
import numpy as np
import pytest
import scipy.special
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy as scipy_entropy

import kldiv

RNG = np.random.default_rng(20261208)


def pair(n, zeros_p=0, zeros_q=0):
    p, q = RNG.random(n), RNG.random(n)
    p[:zeros_p] = 0
    q[n - zeros_q:] = 0
    return p / p.sum(), q / q.sum()


def mp_reference(p, q, measure, alpha=1.0, beta=0.5):
    """The textbook definition at 60 digits on the exact values of p/Σp and q/Σq."""
    mpmath.mp.dps = 60
    P = [mpmath.mpf(float(x)) for x in p]
    Q = [mpmath.mpf(float(x)) for x in q]
    sp, sq = mpmath.fsum(P), mpmath.fsum(Q)
    P = [x / sp for x in P]
    Q = [x / sq for x in Q]
    a = mpmath.mpf(alpha)
    if measure == "renyi_divergence":
        s = mpmath.fsum(x ** a * y ** (1 - a) for x, y in zip(P, Q) if x > 0 and y > 0)
        return float(mpmath.log(s) / (a - 1))
    if measure == "tsallis_divergence":
        s = mpmath.fsum(x ** a * y ** (1 - a) for x, y in zip(P, Q) if x > 0 and y > 0)
        return float((s - 1) / (a - 1))
    if measure == "squared_hellinger":
        return float(mpmath.fsum((mpmath.sqrt(x) - mpmath.sqrt(y)) ** 2 for x, y in zip(P, Q)) / 2)
    if measure == "pearson_chi2":
        return float(mpmath.fsum((x - y) ** 2 / y for x, y in zip(P, Q)))
    if measure == "skew_divergence":
        return float(mpmath.fsum(x * mpmath.log(x / (a * y + (1 - a) * x)) for x, y in zip(P, Q) if x > 0))
    raise ValueError(measure)


def test_against_scipy_and_numpy_one_liners():
    for n in (2, 10, 1000):
        p, q = pair(n)
        pl, ql = p.astype(np.longdouble), q.astype(np.longdouble)
        assert kldiv.js_distance(p, q) == pytest.approx(jensenshannon(p, q), rel=1e-13)
        assert kldiv.js_distance(p, q, base=2) == pytest.approx(jensenshannon(p, q, base=2), rel=1e-13)
        assert kldiv.hellinger(p, q) == pytest.approx(float(np.sqrt(0.5 * np.sum((np.sqrt(pl) - np.sqrt(ql)) ** 2))),
                                                      rel=1e-13)
        assert kldiv.total_variation(p, q) == pytest.approx(float(0.5 * np.abs(pl - ql).sum()), rel=1e-13)
        assert kldiv.pearson_chi2(p, q) == pytest.approx(float(((pl - ql) ** 2 / ql).sum()), rel=1e-13)
        assert kldiv.neyman_chi2(p, q) == pytest.approx(float(((pl - ql) ** 2 / pl).sum()), rel=1e-13)
        assert kldiv.triangular(p, q) == pytest.approx(float(((pl - ql) ** 2 / (pl + ql)).sum()), rel=1e-13)
        assert kldiv.bhattacharyya(p, q) == pytest.approx(float(-np.log(np.sqrt(pl * ql).sum())), rel=1e-13)
        assert kldiv.divergence(p, q, "kl") == pytest.approx(scipy.special.rel_entr(p, q).sum(), rel=1e-13)
        assert kldiv.divergence(p, q, "reverse_kl") == pytest.approx(scipy.special.rel_entr(q, p).sum(), rel=1e-13)
        for a in (0.3, 2.0, 5.0):
            direct = float(np.log((pl ** a * ql ** (1 - a)).sum()) / (a - 1))
            assert kldiv.renyi_divergence(p, q, a) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("delta", [1e-4, 1e-8, 1e-12])
def test_nearly_equal_distributions_keep_their_digits(delta):
    p, _ = pair(50)
    q = p * (1 + delta * RNG.uniform(-1, 1, p.size))
    q /= q.sum()
    for measure, alpha in [("renyi_divergence", 0.5), ("renyi_divergence", 3.0), ("renyi_divergence", 1 - 1e-7),
                           ("tsallis_divergence", 0.2), ("squared_hellinger", 1.0), ("pearson_chi2", 1.0),
                           ("skew_divergence", 0.5)]:
        expected = mp_reference(p, q, measure, alpha)
        got = kldiv.divergence(p, q, measure, alpha=alpha)
        assert got == pytest.approx(expected, rel=1e-12), (measure, alpha)
        # The NumPy one-liner loses every digit here (shown for the record, not asserted).
    assert kldiv.hellinger(p, p) == 0.0
    assert kldiv.renyi_divergence(p, 4 * p, 2.5, normalize=True) == 0.0


def test_renyi_special_orders_and_limits():
    p, q = pair(20, zeros_p=3)
    kl = kldiv.kl_divergence(p, q)
    assert kldiv.renyi_divergence(p, q, 1.0) == kl
    assert kldiv.renyi_divergence(p, q, 0.0) == pytest.approx(-math.log(q[p > 0].sum()), rel=1e-14)
    assert kldiv.renyi_divergence(p, q, math.inf) == pytest.approx(math.log(np.max(p / q)), rel=1e-14)
    assert kldiv.renyi_divergence(p, q, 0.5) == pytest.approx(2 * kldiv.bhattacharyya(p, q), rel=1e-14)
    assert kldiv.renyi_divergence(p, q, 2.0) == pytest.approx(math.log1p(kldiv.pearson_chi2(p, q)), rel=1e-14)
    orders = [0, 0.1, 0.5, 0.999, 1, 1.001, 2, 10, math.inf]
    values = [kldiv.renyi_divergence(p, q, a) for a in orders]
    assert all(b >= a * (1 - 1e-14) for a, b in zip(values, values[1:]))  # non-decreasing in α
    assert kldiv.skew_divergence(p, q, 1.0) == kl
    assert kldiv.tsallis_divergence(p, q, 2.0) == pytest.approx(kldiv.pearson_chi2(p, q), rel=1e-13)
    # P outside Q's support
    p2, q2 = pair(20, zeros_q=3)
    assert kldiv.renyi_divergence(p2, q2, 2.0) == math.inf
    assert math.isfinite(kldiv.renyi_divergence(p2, q2, 0.7))
    with pytest.raises(kldiv.Error, match=r"renyi_divergence: p\[17\] = .* gives mass where q\[17\] = 0 gives none"):
        kldiv.renyi_divergence(p2, q2, 2.0, on_zero="error")


def test_rows_logits_dtypes_and_reductions():
    a = RNG.normal(size=(6, 200)) * 3
    b = a + RNG.normal(size=(6, 200)) * 0.1
    P, Q = scipy.special.softmax(a, axis=-1), scipy.special.softmax(b, axis=-1)
    for measure, alpha in [("renyi_divergence", 0.7), ("hellinger", 1.0), ("total_variation", 1.0),
                           ("js_distance", 1.0), ("tsallis_divergence", 2.5), ("triangular", 1.0)]:
        from_logits = kldiv.divergence(a, b, measure, alpha=alpha, input="logits")
        from_probs = kldiv.divergence(P, Q, measure, alpha=alpha)
        one_by_one = np.array([kldiv.divergence(P[i], Q[i], measure, alpha=alpha) for i in range(6)])
        assert from_logits.shape == (6,)
        np.testing.assert_allclose(from_logits, one_by_one, rtol=1e-12)
        np.testing.assert_array_equal(from_probs, one_by_one)
        # float32 logits: the divergences of the float32 values, in double precision.
        a32, b32 = a.astype(np.float32), b.astype(np.float32)
        P32 = scipy.special.softmax(a32.astype(np.float64), axis=-1)
        Q32 = scipy.special.softmax(b32.astype(np.float64), axis=-1)
        np.testing.assert_allclose(kldiv.divergence(a32, b32, measure, alpha=alpha, input="logits"),
                                   [kldiv.divergence(P32[i], Q32[i], measure, alpha=alpha) for i in range(6)],
                                   rtol=1e-12)
        w = np.arange(1.0, 7.0)
        mean = kldiv.divergence(a, b, measure, alpha=alpha, input="logits", reduction="mean", weights=w)
        assert mean == pytest.approx(float((w * from_logits).sum() / w.sum()), rel=1e-14)
        # along another axis, keepdims
        t = kldiv.divergence(a.T, b.T, measure, alpha=alpha, input="logits", axis=0, keepdims=True)
        assert t.shape == (1, 6)
        np.testing.assert_allclose(t[0], from_logits, rtol=1e-14)
    h16 = kldiv.hellinger(P.astype(np.float16), Q.astype(np.float16), normalize=True)
    np.testing.assert_allclose(h16, [kldiv.hellinger(P[i].astype(np.float16).astype(np.float64),
                                                     Q[i].astype(np.float16).astype(np.float64), normalize=True)
                                     for i in range(6)], rtol=1e-12)


def test_torch_tensors_come_back_as_tensors():
    torch = pytest.importorskip("torch")
    a = torch.randn(4, 30, dtype=torch.float64)
    b = torch.randn(4, 30, dtype=torch.float64)
    h = kldiv.hellinger(a, b, input="logits")
    assert isinstance(h, torch.Tensor) and h.shape == (4,)
    P, Q = torch.softmax(a, -1), torch.softmax(b, -1)
    direct = torch.sqrt(0.5 * ((P.sqrt() - Q.sqrt()) ** 2).sum(-1))
    assert torch.allclose(h, direct, rtol=1e-12, atol=0)


def test_generalized_js_divergence():
    ps = np.stack([pair(12)[0] for _ in range(4)])
    w = np.array([0.1, 0.2, 0.3, 0.4])
    m = (w[:, None] * ps).sum(0)
    expected = scipy_entropy(m) - sum(wi * scipy_entropy(pi) for wi, pi in zip(w, ps))
    assert kldiv.generalized_js_divergence(ps, w) == pytest.approx(expected, rel=1e-12)
    assert kldiv.generalized_js_divergence(ps[:2], [0.3, 0.7]) == pytest.approx(
        kldiv.js_divergence(ps[0], ps[1], beta=0.3), rel=1e-14)
    assert kldiv.generalized_js_divergence(np.eye(3)) == pytest.approx(math.log(3), rel=1e-15)
    assert kldiv.generalized_js_divergence(np.eye(3), base=2) == pytest.approx(math.log2(3), rel=1e-15)
    assert kldiv.generalized_js_divergence(np.stack([ps[0]] * 3)) == 0.0
    with pytest.raises(kldiv.Error, match="weights sums to 0.9"):
        kldiv.generalized_js_divergence(ps[:2], [0.5, 0.4])
    with pytest.raises(kldiv.Error, match="must be 2-D"):
        kldiv.generalized_js_divergence(ps[0])


def test_bad_input_names_the_function_value_and_rule():
    p, q = pair(5)
    with pytest.raises(kldiv.Error, match="divergence: measure = 'hellinger2', but it must be kl_divergence"):
        kldiv.divergence(p, q, "hellinger2")
    with pytest.raises(TypeError, match="must be the name of a measure"):
        kldiv.divergence(p, q, 3)
    with pytest.raises(kldiv.Error, match="alpha = nan, but the order of tsallis_divergence"):
        kldiv.tsallis_divergence(p, q, float("nan"))
    with pytest.raises(kldiv.Error, match=r"weight of Q in skew_divergence must lie in \(0, 1\]"):
        kldiv.skew_divergence(p, q, 0.0)
    with pytest.raises(TypeError, match="alpha = 'x', but it must be a real number"):
        kldiv.renyi_divergence(p, q, "x")
    with pytest.raises(kldiv.Error, match="sums to"):
        kldiv.hellinger(p * 2, q)
    with pytest.raises(TypeError):
        kldiv.hellinger(p, q, alpha_typo=1)
    # a mean over weights whose total overflows is refused as such (it read "total weight is 0")
    with pytest.raises(kldiv.Error, match="weights sum to more than the largest double"):
        kldiv.hellinger(np.stack([p, p]), q, reduction="mean", weights=[1e308, 1e308])
