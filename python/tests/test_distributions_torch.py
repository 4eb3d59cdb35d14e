"""kldiv.distributions against PyTorch's kl_divergence: every pair torch 1.13 registers (in
torch/distributions/kl.py), on random parameters, in float64. kldiv must give the same value (or
+inf where PyTorch does) and, for PyTorch's finite pairs, by a closed form of its own — from specs
built from the same parameters, and from the torch objects themselves, single and batched (torch in,
tensors out); the families kldiv added for PyTorch (HalfCauchy, LogisticNormal, Independent of any
family) against torch and quadrature; NumPy batches and their broadcasting; torch classes kldiv
cannot express."""
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


# ---- torch.distributions objects given to kldiv directly (kldiv/torch_distributions.py)

def _torch_params(d):
    """The parameters the torch object was built from, by name (the form given: probs or logits, …)."""
    given = [k for k in d.arg_constraints if k in d.__dict__]
    if {"probs", "logits"} <= set(given):  # torch caches the other form: the first is the given one
        order = list(d.__dict__)
        given.remove(max("probs", "logits", key=order.index))
    return {k: getattr(d, k) for k in (given or d.arg_constraints)}


def _stack(ds):
    """One torch distribution of batch shape (len(ds),) + … from distributions of one family."""
    first = ds[0]
    if isinstance(first, td.Independent):
        return td.Independent(_stack([d.base_dist for d in ds]), first.reinterpreted_batch_ndims)
    return type(first)(**{k: torch.stack([_torch_params(d)[k] for d in ds]) for k in _torch_params(first)})


def _torch_value(result):
    assert isinstance(result, kd.KLBatchResult)
    assert isinstance(result.value, torch.Tensor) and isinstance(result.error, torch.Tensor)
    return result.value


@pytest.mark.parametrize("p, tp, q, tq", _cases([(f, f) for f in SAME_FAMILY] + CROSS_FAMILY, 2))
def test_torch_objects_give_torchs_values(p, tp, q, tq):
    expected = _torch_kl(tp, tq)
    result = kd.kl_divergence(tp, tq)
    value = _torch_value(result)
    assert value.shape == () and value.dtype == torch.float64
    # The same distributions as the specs (categorical weights normalized by torch: rounding apart).
    assert float(value) == pytest.approx(kd.kl_divergence(p, q).value, rel=1e-14, abs=1e-300)
    if math.isinf(expected):
        assert math.isinf(float(value))
        return
    assert result.method[()] == "closed_form"
    assert float(value) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("p, tp, q, tq", _cases(INFINITE, 1))
def test_torch_objects_infinite_pairs(p, tp, q, tq):
    result = kd.kl_divergence(tp, tq)
    assert math.isinf(float(_torch_value(result))) and result.method[()] == "infinite_by_support"


def _batched_cases(pairs, size=3):
    rng = np.random.default_rng(7)
    cases = []
    for make_p, make_q in pairs:
        ps, qs = zip(*[(make_p(rng)[1], make_q(rng)[1]) for _ in range(size)])
        cases.append(pytest.param(_stack(ps), _stack(qs), id=f"{make_p.__name__}||{make_q.__name__}"))
    return cases


@pytest.mark.parametrize("tp, tq", _batched_cases([(f, f) for f in SAME_FAMILY] + CROSS_FAMILY + INFINITE))
def test_batched_torch_objects_match_torch_elementwise(tp, tq):
    assert tp.batch_shape == (3,)
    expected = td.kl_divergence(tp, tq)
    result = kd.kl_divergence(tp, tq)
    value = _torch_value(result)
    assert value.shape == expected.shape == (3,) and result.method.shape == (3,)
    finite = torch.isfinite(expected)
    assert torch.equal(torch.isfinite(value), finite)
    torch.testing.assert_close(value[finite], expected[finite], rtol=1e-9, atol=1e-12)
    # Broadcasting as torch does: P's batch (3,) against Q's first element alone, and P as (3, 1).
    q0 = kd.kl_divergence(tp, _stack([_unstack(tq, 0)]))
    assert _torch_value(q0).shape == (3,)
    assert float(q0.value[0]) == float(value[0]) or math.isinf(float(value[0]))


def _unstack(d, i):
    if isinstance(d, td.Independent):
        return td.Independent(_unstack(d.base_dist, i), d.reinterpreted_batch_ndims)
    return type(d)(**{k: v[i] for k, v in _torch_params(d).items()})


def test_batch_results_carry_torchs_dtype_and_the_element_results():
    p32 = td.Normal(torch.zeros(2, 3), torch.tensor([1.0, 2.0, 3.0]))
    q32 = td.Normal(torch.tensor([[0.5], [1.0]]), torch.ones(1))
    r = kd.kl_divergence(p32, q32)
    assert r.value.dtype == torch.float32 and r.error.dtype == torch.float32 and r.value.shape == (2, 3)
    torch.testing.assert_close(r.value, td.kl_divergence(p32, q32), rtol=1e-6, atol=0)
    assert r.method.shape == r.samples.shape == r.converged.shape == (2, 3) and r.unit == "nats"
    one = r.item(1, 2)
    assert isinstance(one, kd.KLResult) and one.method == "closed_form"
    # Computed in float64, returned in torch's float32.
    assert one.value == pytest.approx(kd.kl_divergence("normal(0, 3)", "normal(1, 1)").value, rel=1e-7)
    bits = kd.kl_divergence(p32.expand((2, 3)), q32, base="bits")
    assert bits.unit == "bits"
    torch.testing.assert_close(bits.value, r.value / math.log(2))
    # float64 wins over float32, as torch promotes.
    mixed = kd.kl_divergence(td.Normal(T(0.0), T(1.0)), td.Normal(torch.tensor(1.0), torch.tensor(2.0)))
    assert mixed.value.dtype == torch.float64 and float(mixed) == pytest.approx(math.log(2) + 2 / 8 - 0.5, rel=1e-15)
    # A torch object against a spec or a kldiv batch: torch in, tensors out.
    against_spec = kd.kl_divergence(td.Normal(T([0.0, 1.0]), T(1.0)), "normal(0, 2)")
    torch.testing.assert_close(against_spec.value, T([0.3181471805599453, 0.4431471805599453]), rtol=1e-14, atol=0)


def test_logits_and_probability_forms_are_read_as_given():
    logits = T([-30.0, 0.3, 2.0])
    tp, tq = td.Categorical(logits=logits), td.Categorical(logits=T([0.0, 0.0, 1.0]))
    assert float(kd.kl_divergence(tp, tq).value) == pytest.approx(float(td.kl_divergence(tp, tq)), rel=1e-12)
    bp, bq = td.Bernoulli(logits=T(-40.0)), td.Bernoulli(logits=T(-38.0))
    # Far in the tail the logits keep digits that probs would lose.
    truth = float(td.kl_divergence(bp, bq))
    assert float(kd.kl_divergence(bp, bq).value) == pytest.approx(truth, rel=1e-9)
    mp_, mq = (td.MultivariateNormal(T([0.0, 1.0]), precision_matrix=T([[2.0, 0.3], [0.3, 1.0]])),
               td.MultivariateNormal(T([0.5, 0.0]), scale_tril=T([[1.0, 0.0], [0.4, 2.0]])))
    assert float(kd.kl_divergence(mp_, mq).value) == pytest.approx(float(td.kl_divergence(mp_, mq)), rel=1e-12)
    oh = td.OneHotCategorical(probs=T([0.2, 0.3, 0.5])), td.OneHotCategorical(logits=T([0.1, 0.0, -1.0]))
    assert float(kd.kl_divergence(*oh).value) == pytest.approx(float(td.kl_divergence(*oh)), rel=1e-12)


def test_conversions_give_the_same_specs_as_kldiv():
    from kldiv.torch_distributions import from_torch

    assert from_torch(td.Wishart(T(4.0), covariance_matrix=T([[2.0, 0.5], [0.5, 1.0]]))).spec == \
        kd.wishart(4, covariance_matrix=[[2, 0.5], [0.5, 1]]).spec
    assert from_torch(td.StudentT(T(3.0), T(1.0), T(2.0))).spec == "student_t(3, 1, 2)"
    assert from_torch(td.VonMises(T(0.5), T(2.0))).spec == "von_mises(0.5, 2)"
    assert from_torch(td.Weibull(T(2.0), T(1.5))).spec == "weibull(2, 1.5)"
    assert from_torch(td.Multinomial(5, probs=T([0.2, 0.8]))).spec == "multinomial(5, [0.2, 0.8])"
    assert from_torch(td.NegativeBinomial(T(3.0), probs=T(0.25))).spec == "negative_binomial(3, 0.25)"
    mix = td.MixtureSameFamily(td.Categorical(probs=T([0.25, 0.75])), td.Normal(T([0.0, 2.0]), T([1.0, 0.5])))
    assert from_torch(mix).spec == "mixture([0.25, 0.75], [normal(0, 1), normal(2, 0.5)])"
    gmm = td.MixtureSameFamily(td.Categorical(probs=T([[0.5, 0.5]] * 3)),
                               td.Independent(td.Normal(torch.zeros(3, 2, 4, dtype=torch.float64), T(1.0)), 1))
    batch = from_torch(gmm)
    assert batch.shape == (3,) and batch[0].family == "gaussian_mixture"
    nested = from_torch(td.Independent(td.Independent(td.Gamma(T([[1.0, 2.0], [3.0, 4.0]]), T(1.0)), 1), 1))
    assert nested.spec == "independent([gamma(1, 1), gamma(2, 1), gamma(3, 1), gamma(4, 1)])"
    assert from_torch(td.Independent(td.Normal(torch.zeros(2, 3, dtype=torch.float64), T(1.0)), 1)).shape == (2,)
    # Mixtures: torch has no KL for them; kldiv answers from the same mixture, however written.
    assert kd.kl_divergence(mix, "normal(1, 1)").value == \
        pytest.approx(kd.kl_divergence("mixture([1, 3], [normal(0, 1), normal(2, 0.5)])", "normal(1, 1)").value,
                      rel=1e-15)


@pytest.mark.parametrize("make, name", [
    (lambda: td.FisherSnedecor(T(3.0), T(4.0)), "FisherSnedecor"),
    (lambda: td.Kumaraswamy(T(2.0), T(3.0)), "Kumaraswamy"),
    (lambda: td.RelaxedBernoulli(T(0.5), probs=T(0.3)), "RelaxedBernoulli"),
    (lambda: td.LKJCholesky(3, T(1.0)), "LKJCholesky"),
    (lambda: td.TransformedDistribution(td.Normal(T(0.0), T(1.0)), [td.transforms.TanhTransform()]),
     "TransformedDistribution"),
])
def test_torch_classes_kldiv_cannot_express_are_refused_by_name(make, name):
    with pytest.raises(TypeError, match=f"torch.distributions.{name} has no kldiv family"):
        kd.kl_divergence(make(), "normal(0, 1)")
    with pytest.raises(TypeError, match=name):
        kd.kl_divergence(td.Normal(T(0.0), T(1.0)), make())


# ---- the families PyTorch answers that kldiv added: half_cauchy, logistic_normal, independent

def test_half_cauchy_against_torch_and_quadrature():
    from scipy import integrate

    s1, s2 = np.array([0.7, 1.0, 3.0]), np.array([2.3, 2.0, 0.4])
    result = kd.kl_divergence(td.HalfCauchy(T(s1)), td.HalfCauchy(T(s2)))
    torch.testing.assert_close(result.value, td.kl_divergence(td.HalfCauchy(T(s1)), td.HalfCauchy(T(s2))),
                               rtol=1e-12, atol=0)
    assert list(result.method) == ["closed_form"] * 3
    for a, b, v in zip(s1, s2, result.value.tolist()):
        density = lambda x, s: 2 / (math.pi * s * (1 + (x / s) ** 2))  # noqa: E731
        # Substituting x = tan(t): a finite interval for quad.
        ref, _ = integrate.quad(lambda t: density(math.tan(t), a) * math.log(density(math.tan(t), a) /
                                                                           density(math.tan(t), b)) / math.cos(t) ** 2,
                                0, math.pi / 2, epsabs=1e-14, epsrel=1e-12, limit=200)
        assert v == pytest.approx(ref, rel=1e-9)
    # Pairs torch cannot answer: by quadrature, +inf by tails.
    q = kd.kl_divergence(td.HalfNormal(T(1.2)), td.HalfCauchy(T(0.8)))
    assert q.method[()] == "quadrature" and float(q.value) == pytest.approx(0.18505784550746266562, rel=1e-9)
    assert math.isinf(float(kd.kl_divergence(td.HalfCauchy(T(1.0)), td.HalfNormal(T(1.0))).value))


def test_logistic_normal_against_torch_and_quadrature():
    from scipy import integrate, stats

    loc_p, scale_p = T([[0.4, -1.0, 2.0], [0.0, 0.0, 0.0]]), T([0.8, 1.5, 0.3])
    loc_q, scale_q = T([-0.3, 0.0, 1.0]), T([1.7, 1.0, 1.0])
    tp, tq = td.LogisticNormal(loc_p, scale_p), td.LogisticNormal(loc_q, scale_q)
    result = kd.kl_divergence(tp, tq)
    assert result.value.shape == (2,) and list(result.method) == ["closed_form"] * 2
    torch.testing.assert_close(result.value, td.kl_divergence(tp, tq), rtol=1e-12, atol=0)
    # K = 2 by quadrature over the simplex (in the logit of x0), densities by the change of variables.
    p1, q1 = stats.norm(0.4, 0.8), stats.norm(-0.3, 1.7)
    ref, _ = integrate.quad(lambda y: p1.pdf(y) * (p1.logpdf(y) - q1.logpdf(y)), -np.inf, np.inf, epsabs=1e-14)
    one = kd.kl_divergence(td.LogisticNormal(T([0.4]), T([0.8])), td.LogisticNormal(T([-0.3]), T([1.7])))
    assert float(one.value) == pytest.approx(ref, rel=1e-9)
    assert float(one.value) == pytest.approx(0.44927353248018632393, rel=1e-14)  # mpmath, generate_new_families_kl.py
    # Against a Dirichlet (neither torch nor a closed form): Monte Carlo from kldiv's density and sampler.
    mc = kd.kl_divergence(td.LogisticNormal(T([0.4]), T([0.8])), td.Dirichlet(T([2.5, 1.5])), mc_error=2e-3)
    assert mc.method[()] == "monte_carlo"
    assert abs(float(mc.value) - 0.1172648407887221421) < 5 * float(mc.error)


@pytest.mark.parametrize("make", [
    lambda c: td.Beta(T(c[..., 0]), T(c[..., 1])),
    lambda c: td.Gamma(T(c[..., 0]), T(c[..., 1])),
    lambda c: td.Gumbel(T(c[..., 0] - 1), T(c[..., 1])),
    lambda c: td.Exponential(T(c[..., 0])),
])
def test_independent_of_any_family_against_torch(make):
    rng = np.random.default_rng(3)
    c_p, c_q = rng.uniform(0.5, 3, size=(2, 3, 4, 2)), rng.uniform(0.5, 3, size=(3, 4, 2))
    tp, tq = td.Independent(make(c_p), 2), td.Independent(make(c_q), 2)  # batch (2,) / (), event (3, 4)
    result = kd.kl_divergence(tp, tq)
    assert result.value.shape == (2,) and list(result.method) == ["closed_form"] * 2
    torch.testing.assert_close(result.value, td.kl_divergence(tp, tq), rtol=1e-10, atol=0)
    # The sum of the componentwise divergences.
    parts = kd.kl_divergence(make(c_p), make(c_q)).value
    torch.testing.assert_close(result.value, parts.sum((-1, -2)), rtol=1e-13, atol=0)


def test_independent_structures_must_match():
    tp = td.Independent(td.Beta(T([1.0, 2.0]), T(2.0)), 1)
    with pytest.raises(ValueError, match="a product of as many components"):
        kd.kl_divergence(tp, td.Independent(td.Beta(T([1.0, 2.0, 3.0]), T(2.0)), 1))
    # A product of one component against that family is that pair; Independent(Normal) meets every Gaussian.
    assert float(kd.kl_divergence(td.Independent(td.Gamma(T([2.0]), T(3.0)), 1), "gamma(0.8, 1.1)").value) == \
        pytest.approx(0.19537590094235923268, rel=1e-14)
    g = td.Independent(td.Normal(T([0.5, -1.0]), T([1.3, 0.4])), 1)
    mvn = td.MultivariateNormal(T([0.0, 2.0]), covariance_matrix=T([[1.0, 0.0], [0.0, 9.0]]))
    assert float(kd.kl_divergence(g, mvn).value) == pytest.approx(float(td.kl_divergence(
        td.MultivariateNormal(g.mean, torch.diag(g.variance)), mvn)), rel=1e-12)


# ---- batches from NumPy parameters

def test_family_functions_with_batch_axes_give_batches():
    batch = kd.normal(np.zeros(3), np.ones(3))
    assert isinstance(batch, kd.DistributionBatch) and batch.shape == (3,) and len(batch) == 3
    assert batch.family == "normal" and list(batch.specs) == ["normal(0, 1)"] * 3
    assert isinstance(batch[1], kd.Distribution) and batch[1:].shape == (2,)
    assert kd.normal(np.arange(6.0).reshape(2, 3), 1).shape == (2, 3)
    assert kd.normal(0, 1).spec == "normal(0, 1)"  # scalars stay single distributions
    # Event axes stay inside each element.
    assert isinstance(kd.categorical([0.2, 0.8]), kd.Distribution)
    assert kd.categorical(np.ones((4, 3))).shape == (4,)
    assert kd.categorical(logits=np.zeros((2, 5, 3))).shape == (2, 5)
    assert kd.dirichlet(np.ones((5, 3)))[0].spec == "dirichlet([1, 1, 1])"
    assert kd.mvn(np.zeros((4, 2)), np.eye(2)).shape == (4,)
    assert kd.mvn(np.zeros(2), np.stack([np.eye(2)] * 3)).shape == (3,)
    assert kd.lowrank_multivariate_normal(np.zeros((2, 3)), np.ones((3, 1)), np.ones(3)).shape == (2,)
    assert kd.multinomial(np.array([5, 6]), [0.5, 0.5]).shape == (2,)
    assert kd.student_t(np.array([3.0, 4.0])).specs.tolist() == ["student_t(3, 0, 1)", "student_t(4, 0, 1)"]
    with pytest.raises(ValueError, match=r"do not broadcast"):
        kd.normal(np.zeros(3), np.ones(4))


def test_batches_broadcast_in_kl_divergence():
    p = kd.normal(np.zeros((2, 1)), 1)
    q = kd.normal([0.0, 1.0, 2.0], 2)
    r = kd.kl_divergence(p, q)
    assert isinstance(r, kd.KLBatchResult) and r.shape == (2, 3) and isinstance(r.value, np.ndarray)
    expected = [[math.log(2) + (1 + m * m) / 8 - 0.5 for m in (0, 1, 2)]] * 2
    np.testing.assert_allclose(r.value, expected, rtol=1e-14)
    assert r.method.tolist() == [["closed_form"] * 3] * 2 and r.error.tolist() == [[0.0] * 3] * 2
    # A batch against a single distribution, in either order; and against torch's own broadcasting.
    assert kd.kl_divergence("normal(0, 1)", q).shape == (3,)
    torch.testing.assert_close(torch.from_numpy(kd.kl_divergence(kd.normal(np.zeros((2, 1)), 1), q).value),
                               td.kl_divergence(td.Normal(torch.zeros(2, 1, dtype=torch.float64), T(1.0)),
                                                td.Normal(T([0.0, 1.0, 2.0]), T(2.0))), rtol=1e-13, atol=0)
    # Mixed methods per element.
    mixed = kd.kl_divergence(kd.student_t(np.array([3.0, 1e6])), "normal(0, 1)")
    assert mixed.method.tolist() == ["quadrature", "quadrature"] and (mixed.error > 0).all()
    with pytest.raises(ValueError, match=r"P has batch shape \(3,\) and Q has batch shape \(4,\)"):
        kd.kl_divergence(q, kd.normal(np.zeros(4), 1))
    with pytest.raises(ValueError, match=r"do not broadcast"):
        kd.kl_divergence(td.Normal(torch.zeros(3), 1.0), td.Normal(torch.zeros(4), 1.0))
    # Multivariate batches: the event is the vector.
    m = kd.kl_divergence(kd.mvn(np.zeros((3, 2)), np.eye(2)), kd.mvn([1.0, 0.0], 2 * np.eye(2)))
    np.testing.assert_allclose(m.value, [0.5 * (1 - 2 + 2 * math.log(2) + 0.5)] * 3, rtol=1e-14)
    assert float(kd.kl_divergence(kd.normal(np.zeros(1), 1), "normal(1, 1)")) == pytest.approx(0.5, rel=1e-15)
    with pytest.raises(ValueError, match=r"KLBatchResult.item: the batch has shape \(2, 3\)"):
        float(r)
    assert r.item(1, 2) == kd.kl_divergence("normal(0, 1)", "normal(2, 2)")


def test_scalars_keep_returning_klresult():
    r = kd.kl_divergence(kd.normal(0, 1), "normal(1, 2)")
    assert type(r) is kd.KLResult and isinstance(r.value, float)


def test_import_kldiv_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, kldiv, kldiv.distributions as kd; kd.kl_divergence(kd.normal([0, 1], 1), 'normal(0, 1)'); " \
           "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
