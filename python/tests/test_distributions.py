"""kldiv.distributions: specs and family functions, results, errors, and normal_kl (a VAE's KL term)
against PyTorch autograd."""
import math

import numpy as np
import pytest
import torch

import kldiv.distributions as kd


def test_specs_and_family_functions_build_the_same_distribution():
    assert kd.gamma(concentration=2, rate=np.float32(3)).spec == "gamma(2, 3)"
    assert kd.parse("StudentT(3)").spec == "student_t(3, 0, 1)"
    assert kd.mvn(np.zeros(2), np.eye(2)).spec == "multivariate_normal([0, 0], scale_tril=[[1, 0], [0, 1]])"
    mix = kd.mixture([1, 3], [kd.normal(0, 1), "laplace(0, 2)"])
    assert mix.spec == "mixture([0.25, 0.75], [normal(0, 1), laplace(0, 2)])"
    assert mix.family == "mixture"
    assert repr(kd.normal(0.1, 2)) == "Distribution('normal(0.1, 2)')"


def test_result_carries_value_method_error_and_unit():
    r = kd.kl_divergence("normal(0, 1)", kd.normal(1, 2))
    assert r.method == "closed_form" and r.error == 0 and r.samples == 0 and r.unit == "nats"
    assert r.value == pytest.approx(math.log(2) + 2 / 8 - 0.5, rel=1e-15)
    assert float(r) == r.value
    bits = kd.kl_divergence("normal(0, 1)", "normal(1, 2)", base=2)
    assert bits.unit == "bits" and bits.value == pytest.approx(r.value / math.log(2), rel=1e-15)
    inf = kd.kl_divergence("normal(0, 1)", "beta(1, 2)")
    assert inf.value == math.inf and inf.method == "infinite_by_support"


def test_monte_carlo_result_has_samples_and_standard_error():
    r = kd.kl_divergence("mvn([0, 0], [[1, 0], [0, 1]])", "mvn([1, 0], [[2, 0], [0, 1]])", method="monte_carlo",
                         mc_error=0.01, seed=7)
    truth = 0.5 * (0.5 - 1 + math.log(2) + 0.5)
    assert r.method == "monte_carlo" and r.samples > 0
    assert 0 < r.error <= 0.01 * 1.2  # the target, met up to the pilot's estimate of the spread
    assert abs(r.value - truth) < 5 * r.error
    again = kd.kl_divergence("mvn([0, 0], [[1, 0], [0, 1]])", "mvn([1, 0], [[2, 0], [0, 1]])", method="monte_carlo",
                             mc_error=0.01, seed=7, threads=1)
    assert again == r  # same seed, any thread count: the same bits


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"normal: scale = -1, but it must be finite and > 0"):
        kd.normal(0, -1)
    with pytest.raises(ValueError, match=r"unknown family 'frechet'"):
        kd.kl_divergence("frechet(1, 2)", "normal(0, 1)")
    with pytest.raises(ValueError, match=r"method = 'exact'"):
        kd.kl_divergence("normal(0, 1)", "normal(0, 2)", method="exact")
    with pytest.raises(TypeError, match="expected a spec string"):
        kd.kl_divergence(3.0, "normal(0, 1)")
    with pytest.raises(TypeError, match="cannot use"):
        kd.normal({"loc": 0}, 1)


def test_families_and_closed_form_pairs_are_listed():
    names = {f["name"] for f in kd.families()}
    assert {"normal", "gamma", "wishart", "mixture", "student_t"} <= names
    gamma = next(f for f in kd.families() if f["name"] == "gamma")
    assert [p["name"] for p in gamma["parameters"]] == ["concentration", "rate"]
    pairs = set(kd.closed_form_pairs())
    assert {("normal", "normal"), ("gamma", "gamma"), ("wishart", "wishart"), ("weibull", "gamma")} <= pairs
    assert ("student_t", "normal") not in pairs


def _torch_vae_kl(mu_p, lv_p, mu_q=None, lv_q=None, reduction="mean"):
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (mu_p, lv_p, mu_q, lv_q)
               if a is not None]
    if len(tensors) == 2:
        m, lv = tensors
        per_row = -0.5 * (1 + lv - m ** 2 - lv.exp()).sum(-1)
    else:
        m, lv, mq, lvq = tensors
        per_row = 0.5 * (lvq - lv + (lv.exp() + (m - mq) ** 2) / lvq.exp() - 1).sum(-1)
    loss = per_row.mean() if reduction == "mean" else per_row.sum()
    loss.backward()
    return loss.item(), [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_normal_kl_matches_pytorch_autograd(reduction):
    rng = np.random.default_rng(5)
    mu, lv, mq, lq = rng.normal(size=(4, 12, 7)) * 0.7
    loss, grads = _torch_vae_kl(mu, lv, reduction=reduction)
    r = kd.normal_kl(mu, lv, reduction=reduction)
    assert r.loss == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(r.grad_mean_p, grads[0], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(r.grad_log_var_p, grads[1], rtol=1e-13, atol=1e-16)
    assert r.grad_mean_q is None and r.grad_log_var_q is None
    loss, grads = _torch_vae_kl(mu, lv, mq, lq, reduction=reduction)
    r = kd.normal_kl(mu, lv, mq, lq, reduction=reduction)
    assert r.loss == pytest.approx(loss, rel=1e-13)
    for ours, theirs in zip(r[1:], grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_normal_kl_shapes_dtypes_and_nearly_standard_posteriors():
    rng = np.random.default_rng(6)
    mu = (rng.normal(size=(3, 5, 8)) * 1e-6).astype(np.float32)
    lv = (rng.normal(size=(3, 5, 8)) * 1e-6).astype(np.float32)
    r = kd.normal_kl(mu, lv, reduction="none")
    assert r.loss.shape == (3, 5) and r.grad_mean_p.dtype == np.float32 and r.grad_mean_p.shape == (3, 5, 8)
    m, v = mu.astype(np.float64), lv.astype(np.float64)
    exact = 0.5 * (np.expm1(v) - v + m * m)  # expm1 keeps the digits for |v| ~ 1e-6 to 1e-16 relative
    np.testing.assert_allclose(r.loss, exact.sum(-1), rtol=1e-9)
    textbook = -0.5 * (1 + v - m ** 2 - np.exp(v)).sum(-1)
    assert np.max(np.abs(textbook - exact.sum(-1)) / exact.sum(-1)) > 1e-4  # the usual expression cancels
    assert kd.normal_kl(mu[0, 0], lv[0, 0], gradients=False).grad_mean_p is None
    with pytest.raises(ValueError, match=r"normal_kl: log_var_p\[0, 0\] = nan"):
        kd.normal_kl(mu, lv * np.nan)
    with pytest.raises(ValueError, match="give both mean_q and log_var_q"):
        kd.normal_kl(mu, lv, mu)


def test_gaussian_mixture_estimates_bracket_the_quadrature_value():
    p, q = "mixture([0.3, 0.7], [normal(0, 1), normal(2, 0.5)])", "normal(1, 1.5)"
    truth = kd.kl_divergence(p, q)
    assert truth.method == "quadrature"
    e = kd.gaussian_mixture_estimates(p, q)
    assert e.lower_bound <= truth.value <= e.upper_bound
    single = kd.gaussian_mixture_estimates("normal(0, 1)", "normal(1, 2)")
    assert single.variational == pytest.approx(kd.kl_divergence("normal(0, 1)", "normal(1, 2)").value, rel=1e-12)
    with pytest.raises(ValueError, match="gamma"):
        kd.gaussian_mixture_estimates("normal(0, 1)", "gamma(2, 1)")


def test_docstring_examples():
    import doctest
    assert doctest.testmod(kd).failed == 0
