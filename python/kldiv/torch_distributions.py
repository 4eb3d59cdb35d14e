"""torch.distributions objects as kldiv distributions.

:func:`kldiv.distributions.kl_divergence` calls :func:`from_torch` on any ``torch.distributions``
object it is given; ``import kldiv`` never imports this module (nor torch): it is imported the first
time a torch object arrives. Each torch family that kldiv has maps to its kldiv family, its
parameters read from the object in the form the user gave them (``probs`` or ``logits``,
``covariance_matrix``, ``precision_matrix`` or ``scale_tril``), in float64 whatever the tensors'
dtype (float32 values are exact in float64)::

    Bernoulli Binomial Categorical OneHotCategorical Geometric Poisson NegativeBinomial Multinomial
    Normal HalfNormal LogNormal Laplace Cauchy HalfCauchy Gumbel Exponential Gamma Chi2 InverseGamma
    Beta ContinuousBernoulli Uniform Pareto Weibull StudentT VonMises Dirichlet MultivariateNormal
    LowRankMultivariateNormal LogisticNormal Wishart
    Independent(X, n)        diagonal_normal for X Normal, else independent([...]) of X's elements
    MixtureSameFamily        mixture of the component family (univariate, or (diagonal) normals)

A torch object with a non-empty ``batch_shape`` becomes a :class:`DistributionBatch` of that shape
(its ``event_shape`` stays inside each element). Other classes (FisherSnedecor, Kumaraswamy,
RelaxedBernoulli, LKJCholesky, a TransformedDistribution of your own, …) raise TypeError naming the
class.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import torch
import torch.distributions as td

from . import _kldiv

Distribution = _kldiv.Distribution


def _number(x: Any) -> str:
    return repr(float(x))


def _written(t: torch.Tensor) -> str:
    if t.dim() == 0:
        return _number(t)
    return "[" + ", ".join(_written(row) for row in t) + "]"


class _Element:
    """One batch element of a torch distribution: its parameters indexed at idx, event axes kept."""

    def __init__(self, d: td.Distribution, index: tuple):
        self.d, self.index = d, index

    def __call__(self, t: Any, rank: int = 0) -> str:
        t = torch.as_tensor(t).detach().to("cpu", torch.float64)
        event = tuple(t.shape[t.dim() - rank:]) if rank else ()
        return _written(t.expand(tuple(self.d.batch_shape) + event)[self.index])


def _given(d: td.Distribution, *names: str) -> str:
    """Which of names the user gave: torch's constructors store it, and cache the others in the
    object's __dict__ later, when first asked for (lazy_property), so it comes first there."""
    order = list(d.__dict__)
    present = [n for n in names if n in d.__dict__]
    return min(present, key=order.index) if present else names[0]


def _probs_or_logits(d: td.Distribution, e: _Element, rank: int) -> str:
    form = _given(d, "probs", "logits")
    return f"{form}={e(getattr(d, form), rank)}"


def _scalars(family: str, *names: str) -> Callable[[td.Distribution, _Element], str]:
    return lambda d, e: f"{family}({', '.join(e(getattr(d, n)) for n in names)})"


def _gaussian_matrix(d: td.Distribution, e: _Element) -> str:
    form = _given(d, "covariance_matrix", "precision_matrix", "scale_tril")
    value = d._unbroadcasted_scale_tril if form == "scale_tril" else getattr(d, form)
    return f"{form}={e(value, 2)}"


def _independent(d: td.Independent, e: _Element) -> str:
    base, n = d.base_dist, d.reinterpreted_batch_ndims
    inner = tuple(base.batch_shape)[len(base.batch_shape) - n:]
    indices = [e.index + j for j in itertools.product(*(range(k) for k in inner))]
    if _builder(base) is _BUILDERS[td.Normal]:  # the diagonal Gaussian, as kldiv writes it
        locs = [_Element(base, i)(base.loc) for i in indices]
        scales = [_Element(base, i)(base.scale) for i in indices]
        return f"diagonal_normal([{', '.join(locs)}], [{', '.join(scales)}])"
    return f"independent([{', '.join(_spec(base, i) for i in indices)}])"


def _mixture(d: td.MixtureSameFamily, e: _Element) -> str:
    mix, components = d.mixture_distribution, d.component_distribution
    k = components.batch_shape[-1]
    weights = _Element(mix, e.index)(mix.probs, 1)
    return f"mixture({weights}, [{', '.join(_spec(components, e.index + (j,)) for j in range(k))}])"


_BUILDERS: dict[type, Callable[[Any, _Element], str]] = {
    td.Bernoulli: lambda d, e: f"bernoulli({_probs_or_logits(d, e, 0)})",
    td.Binomial: lambda d, e: f"binomial({e(d.total_count)}, {_probs_or_logits(d, e, 0)})",
    td.Categorical: lambda d, e: f"categorical({_probs_or_logits(d, e, 1)})",
    td.OneHotCategorical: lambda d, e: f"categorical({_probs_or_logits(d._categorical, e, 1)})",
    td.Geometric: lambda d, e: f"geometric({_probs_or_logits(d, e, 0)})",
    td.Poisson: _scalars("poisson", "rate"),
    td.NegativeBinomial: lambda d, e: f"negative_binomial({e(d.total_count)}, {_probs_or_logits(d, e, 0)})",
    td.Multinomial: lambda d, e: f"multinomial({_number(d.total_count)}, {_probs_or_logits(d._categorical, e, 1)})",
    td.Normal: _scalars("normal", "loc", "scale"),
    td.HalfNormal: _scalars("half_normal", "scale"),
    td.LogNormal: _scalars("log_normal", "loc", "scale"),
    td.Laplace: _scalars("laplace", "loc", "scale"),
    td.Cauchy: _scalars("cauchy", "loc", "scale"),
    td.HalfCauchy: _scalars("half_cauchy", "scale"),
    td.Gumbel: _scalars("gumbel", "loc", "scale"),
    td.Exponential: _scalars("exponential", "rate"),
    td.Gamma: _scalars("gamma", "concentration", "rate"),
    td.Chi2: _scalars("chi2", "df"),
    td.Beta: _scalars("beta", "concentration1", "concentration0"),
    td.ContinuousBernoulli: lambda d, e: f"continuous_bernoulli({_probs_or_logits(d, e, 0)})",
    td.Uniform: _scalars("uniform", "low", "high"),
    td.Pareto: _scalars("pareto", "scale", "alpha"),
    td.Weibull: _scalars("weibull", "scale", "concentration"),
    td.StudentT: _scalars("student_t", "df", "loc", "scale"),
    td.VonMises: _scalars("von_mises", "loc", "concentration"),
    td.Dirichlet: lambda d, e: f"dirichlet({e(d.concentration, 1)})",
    td.MultivariateNormal: lambda d, e: f"multivariate_normal({e(d.loc, 1)}, {_gaussian_matrix(d, e)})",
    td.LowRankMultivariateNormal:
        lambda d, e: f"lowrank_multivariate_normal({e(d.loc, 1)}, {e(d.cov_factor, 2)}, {e(d.cov_diag, 1)})",
    td.LogisticNormal: lambda d, e: f"logistic_normal({e(d.loc, 1)}, {e(d.scale, 1)})",
    td.Wishart: lambda d, e: f"wishart({e(d.df)}, {_gaussian_matrix(d, e)})",
    td.Independent: _independent,
    td.MixtureSameFamily: _mixture,
}
if hasattr(td, "InverseGamma"):  # PyTorch 2.1 and later
    _BUILDERS[td.InverseGamma] = _scalars("inverse_gamma", "concentration", "rate")


def _builder(d: td.Distribution):
    for cls in type(d).__mro__:  # a subclass of a known family is that family
        if cls in _BUILDERS:
            return _BUILDERS[cls]
        if cls is td.TransformedDistribution:  # LogNormal, … are matched above; others are not ours
            break
    raise TypeError(f"kl_divergence: torch.distributions.{type(d).__name__} has no kldiv family "
                    f"(kldiv.distributions.families() lists them; torch_distributions converts "
                    f"{', '.join(sorted(c.__name__ for c in _BUILDERS))})")


def _spec(d: td.Distribution, index: tuple) -> str:
    return _builder(d)(d, _Element(d, index))


def from_torch(d: td.Distribution):
    """The kldiv Distribution of a torch distribution, or a DistributionBatch of its batch_shape."""
    from .distributions import DistributionBatch

    if not isinstance(d, td.Distribution):
        raise TypeError(f"from_torch: expected a torch.distributions.Distribution, got {type(d).__name__}")
    _builder(d)
    shape = tuple(d.batch_shape)
    if not shape:
        return Distribution(_spec(d, ()))
    items = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        items[index] = Distribution(_spec(d, index))
    return DistributionBatch(items)


def value_type(d: td.Distribution) -> tuple[torch.dtype, torch.device]:
    """The floating dtype and the device of d's parameters (float64 on the CPU where it has none)."""
    for v in vars(d).values():
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            return v.dtype, v.device
        if isinstance(v, td.Distribution):
            return value_type(v)
    return torch.float64, torch.device("cpu")


def as_tensor(values: np.ndarray, like: list) -> torch.Tensor:
    """values as a tensor of the dtype the torch distributions in like promote to, on the first's device."""
    types = [value_type(d) for d in like]
    dtype = types[0][0]
    for t, _ in types[1:]:
        dtype = torch.promote_types(dtype, t)
    return torch.as_tensor(np.asarray(values, dtype=np.float64)).to(device=types[0][1], dtype=dtype)
