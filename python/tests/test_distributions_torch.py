"""kldiv.distributions against PyTorch's kl_divergence: every pair torch 1.13 registers (in
torch/distributions/kl.py), on random parameters, in float64. kldiv must give the same value (or
+inf where PyTorch does) and, for PyTorch's finite pairs, by a closed form of its own."""
import math

import numpy as np
import pytest
import torch
import torch.distributions as td

import kldiv.distributions as kd

T = lambda x: torch.tensor(x, dtype=torch.float64)  # noqa: E731


def _positive(rng, low=0.3, high=3.0):
    return float(np.round(rng.uniform(low, high), 3))


def _loc(rng):
    return float(np.round(rng.uniform(-2, 2), 3))


def _probability(rng):
    return float(np.round(rng.uniform(0.05, 0.95), 3))


# family → random (spec, torch distribution) pairs built from the same parameters.
def bernoulli(rng):
    p = _probability(rng)
    return kd.bernoulli(p), td.Bernoulli(probs=T(p))


def binomial(rng, n=12):
    p = _probability(rng)
    return kd.binomial(n, p), td.Binomial(total_count=n, probs=T(p))


def categorical(rng):
    w = np.round(rng.uniform(0.05, 1, size=5), 3)
    return kd.categorical(w), td.Categorical(probs=T(w / w.sum()))


def geometric(rng):
    p = _probability(rng)
    return kd.geometric(p), td.Geometric(probs=T(p))


def poisson(rng):
    r = _positive(rng)
    return kd.poisson(r), td.Poisson(T(r))


def continuous_bernoulli(rng):
    p = _probability(rng)
    return kd.continuous_bernoulli(p), td.ContinuousBernoulli(probs=T(p))


def _located(family, torch_family):
    def make(rng):
        loc, scale = _loc(rng), _positive(rng)
        return getattr(kd, family)(loc, scale), torch_family(T(loc), T(scale))
    return make


normal = _located("normal", td.Normal)
laplace = _located("laplace", td.Laplace)
gumbel = _located("gumbel", td.Gumbel)
cauchy = _located("cauchy", td.Cauchy)
log_normal = _located("log_normal", td.LogNormal)


def half_normal(rng):
    s = _positive(rng)
    return kd.half_normal(s), td.HalfNormal(T(s))


def exponential(rng):
    r = _positive(rng)
    return kd.exponential(r), td.Exponential(T(r))


def gamma(rng):
    a, b = _positive(rng), _positive(rng)
    return kd.gamma(a, b), td.Gamma(T(a), T(b))


def chi2(rng):
    k = _positive(rng, 1, 6)
    return kd.chi2(k), td.Chi2(T(k))


def beta(rng):
    a, b = _positive(rng), _positive(rng)
    return kd.beta(a, b), td.Beta(T(a), T(b))


def uniform(rng):
    low = float(np.round(rng.uniform(-1, 0.5), 3))
    high = float(np.round(low + rng.uniform(0.2, 2), 3))
    return kd.uniform(low, high), td.Uniform(T(low), T(high))


def unit_uniform(rng):  # inside [0, 1], so that beta and continuous_bernoulli can be Q
    low = float(np.round(rng.uniform(0.05, 0.4), 3))
    high = float(np.round(rng.uniform(0.6, 0.95), 3))
    return kd.uniform(low, high), td.Uniform(T(low), T(high))


def pareto(rng):
    s, a = _positive(rng, 0.5, 2), _positive(rng, 2.5, 5)
    return kd.pareto(s, a), td.Pareto(T(s), T(a))


def dirichlet(rng):
    a = np.round(rng.uniform(0.3, 3, size=4), 3)
    return kd.dirichlet(a), td.Dirichlet(T(a))


def _covariance(rng, d):
    a = np.round(rng.normal(size=(d, d)), 3)
    return a @ a.T + d * np.eye(d)


def multivariate_normal(rng, d=3):
    loc, cov = np.round(rng.normal(size=d), 3), _covariance(rng, d)
    return kd.multivariate_normal(loc, cov), td.MultivariateNormal(T(loc), covariance_matrix=T(cov))


def lowrank_multivariate_normal(rng, d=3, r=2):
    loc, w = np.round(rng.normal(size=d), 3), np.round(rng.normal(size=(d, r)), 3)
    diag = np.round(rng.uniform(0.3, 2, size=d), 3)
    return kd.lowrank_multivariate_normal(loc, w, diag), td.LowRankMultivariateNormal(T(loc), T(w), T(diag))


def diagonal_normal(rng, d=3):
    loc, scale = np.round(rng.normal(size=d), 3), np.round(rng.uniform(0.3, 2, size=d), 3)
    return kd.diagonal_normal(loc, scale), td.Independent(td.Normal(T(loc), T(scale)), 1)


SAME_FAMILY = [bernoulli, binomial, categorical, geometric, poisson, continuous_bernoulli, normal, laplace, gumbel,
               cauchy, log_normal, half_normal, exponential, gamma, chi2, beta, uniform, pareto, dirichlet,
               multivariate_normal, lowrank_multivariate_normal, diagonal_normal]

# PyTorch's cross-family registrations with finite values (for suitable parameters).
CROSS_FAMILY = [
    (bernoulli, poisson), (beta, continuous_bernoulli), (beta, exponential), (beta, gamma), (beta, normal),
    (beta, uniform), (continuous_bernoulli, exponential), (continuous_bernoulli, normal),
    (continuous_bernoulli, uniform), (exponential, gamma), (exponential, gumbel), (exponential, normal),
    (gamma, exponential), (gamma, gumbel), (gamma, normal), (gumbel, normal), (laplace, normal), (normal, gumbel),
    (normal, laplace), (pareto, exponential), (pareto, gamma), (pareto, normal), (unit_uniform, beta),
    (unit_uniform, continuous_bernoulli), (uniform, exponential), (uniform, gamma), (uniform, gumbel),
    (uniform, normal), (uniform, pareto), (chi2, gamma), (gamma, chi2), (multivariate_normal, lowrank_multivariate_normal),
    (lowrank_multivariate_normal, multivariate_normal),
]

# PyTorch's pairs that are +inf whatever the parameters (P has mass where Q has none).
INFINITE = [
    (poisson, bernoulli), (poisson, binomial), (exponential, beta), (exponential, continuous_bernoulli),
    (exponential, pareto), (exponential, unit_uniform), (gamma, beta), (gamma, continuous_bernoulli), (gamma, pareto),
    (gamma, unit_uniform), (gumbel, beta), (gumbel, continuous_bernoulli), (gumbel, exponential), (gumbel, gamma),
    (gumbel, pareto), (gumbel, uniform), (laplace, beta), (laplace, continuous_bernoulli), (laplace, exponential),
    (laplace, gamma), (laplace, pareto), (laplace, uniform), (normal, beta), (normal, continuous_bernoulli),
    (normal, exponential), (normal, gamma), (normal, pareto), (normal, uniform), (pareto, beta),
    (pareto, continuous_bernoulli), (pareto, unit_uniform), (beta, pareto), (continuous_bernoulli, pareto),
]


def _cases(pairs, per_pair):
    rng = np.random.default_rng(2026)
    cases = []
    for make_p, make_q in pairs:
        for _ in range(per_pair):
            (p, tp), (q, tq) = make_p(rng), make_q(rng)
            cases.append(pytest.param(p, tp, q, tq, id=f"{p.spec}||{q.spec}"))
    return cases


def _torch_kl(tp, tq):
    return float(td.kl_divergence(tp, tq))


@pytest.mark.parametrize("p, tp, q, tq", _cases([(f, f) for f in SAME_FAMILY] + CROSS_FAMILY, 3))
def test_finite_pairs_match_torch_by_closed_form(p, tp, q, tq):
    expected = _torch_kl(tp, tq)
    result = kd.kl_divergence(p, q)
    if math.isinf(expected):  # parameters for which the pair is infinite (e.g. a uniform wider than Q's support)
        assert math.isinf(result.value)
        return
    assert result.method == "closed_form"
    # PyTorch evaluates the textbook formulas in float64: it loses ~1e-13 relative to cancellation.
    assert result.value == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("p, tp, q, tq", _cases(INFINITE, 1))
def test_infinite_pairs_are_infinite_like_torch(p, tp, q, tq):
    assert math.isinf(_torch_kl(tp, tq))
    result = kd.kl_divergence(p, q)
    assert result.value == math.inf
    assert result.method == "infinite_by_support"


def test_binomials_of_different_total_count():
    # P has more trials than Q: P puts mass on counts Q cannot reach, as PyTorch says.
    assert math.isinf(_torch_kl(td.Binomial(10, T(0.3)), td.Binomial(8, T(0.3))))
    assert kd.kl_divergence(kd.binomial(10, 0.3), kd.binomial(8, 0.3)).value == math.inf
    # Fewer trials: PyTorch raises NotImplementedError; kldiv sums the series.
    with pytest.raises(NotImplementedError):
        td.kl_divergence(td.Binomial(8, T(0.3)), td.Binomial(10, T(0.4)))
    expected = sum(math.comb(8, k) * 0.3 ** k * 0.7 ** (8 - k) *
                   math.log(math.comb(8, k) * 0.3 ** k * 0.7 ** (8 - k) / (math.comb(10, k) * 0.4 ** k * 0.6 ** (10 - k)))
                   for k in range(9))
    result = kd.kl_divergence(kd.binomial(8, 0.3), kd.binomial(10, 0.4))
    assert result.method == "summation"
    assert result.value == pytest.approx(expected, rel=1e-12)


def test_pairs_torch_cannot_do_get_a_number():
    with pytest.raises(NotImplementedError):
        td.kl_divergence(td.StudentT(T(3.0)), td.Normal(T(0.0), T(1.0)))
    result = kd.kl_divergence("student_t(3)", "normal(0, 1)")
    assert result.method == "quadrature"
    assert 0 < result.error < 1e-9
    # Reference: mpmath quad of p·ln(p/q) at 30 digits (tests/data/generate_distribution_kl.py's method).
    assert result.value == pytest.approx(kd.kl_divergence("student_t(3)", "normal(0, 1)", method="numerical").value,
                                         rel=1e-12)


def test_nearly_identical_normals_where_torch_cancels():
    # True value: ½(r² − 1 − ln r²) + z²/2 with r = 1 + 1e-9, z = 1e-9: ≈ 1.5e-18 (series).
    r, z = 1 + 1e-9, 1e-9
    p, q = kd.normal(0, r), kd.normal(z, 1)
    u = 2 * math.log1p(r - 1)  # r − 1 is exact
    truth = 0.5 * (u * u / 2 + u ** 3 / 6 + u ** 4 / 24) + 0.5 * z * z
    assert kd.kl_divergence(p, q).value == pytest.approx(truth, rel=1e-6)
    torch_value = _torch_kl(td.Normal(T(0.0), T(r)), td.Normal(T(z), T(1.0)))
    assert abs(torch_value - truth) > 0.2 * truth  # PyTorch's textbook formula: 1.0e-18, a third too small
