"""KL divergence between parametric distributions, written as specs or built by name.

A distribution is a spec such as ``"normal(0, 1)"`` or ``"gamma(concentration=2, rate=3)"`` (the
same text ``kldiv dist`` takes; ``kldiv dist --list`` or :func:`families` lists them), or the
:class:`Distribution` that the family functions of this module build from Python values::

    >>> import kldiv.distributions as kd
    >>> r = kd.kl_divergence("normal(0, 1)", kd.laplace(0, 2))
    >>> r.method, round(r.value, 6)
    ('closed_form', 0.366298)
    >>> kd.kl_divergence(kd.mixture([0.3, 0.7], [kd.normal(0, 1), kd.normal(2, 0.5)]), "normal(1, 1.5)").method
    'quadrature'

Parameters are positional in PyTorch's order and meaning (``normal(loc, scale)``,
``gamma(concentration, rate)``, ``student_t(df, loc, scale)``, ``exponential(rate)``, …) or named;
vectors and matrices are lists or NumPy arrays. The result carries the value, the method that gave
it (``closed_form``, ``infinite_by_support``, ``quadrature``, ``summation`` or ``monte_carlo``) and
an estimate of its absolute error.
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any, NamedTuple

import numpy as np

from . import _kldiv
from .measures import _base_value, _error, _integer, _named, _real, _threads
from .progress import _reporter

Distribution = _kldiv.Distribution


class KLResult(NamedTuple):
    """D(P‖Q) with how it was obtained. ``float(result)`` is the value."""

    value: float    # in ``unit``; may be inf
    method: str     # closed_form, infinite_by_support, quadrature, summation or monte_carlo
    error: float    # estimated absolute error (quadrature estimate, Monte Carlo standard error; 0 for closed forms)
    samples: int    # Monte Carlo samples (0 otherwise)
    unit: str       # "nats", "bits", ...
    converged: bool = True  # Monte Carlo: the standard error met mc_error (False: max_samples stopped it first)

    def __float__(self) -> float:
        return self.value


def _as_distribution(d: Distribution | str) -> Distribution:
    if isinstance(d, Distribution):
        return d
    if isinstance(d, str):
        return Distribution(d)
    raise TypeError(f"kl_divergence: expected a spec string or a kldiv.distributions.Distribution, got {type(d).__name__}")


def kl_divergence(p: Distribution | str, q: Distribution | str, *, base: float | str | None = None,
                  method: str = "automatic", tolerance: float = 1e-10, mc_error: float = 1e-3,
                  max_samples: int = 1 << 26, seed: int = 2026, threads: int = 0, progress=None) -> KLResult:
    """D(P‖Q) for two parametric distributions.

    ``method``: ``"automatic"`` (closed form where there is one, then quadrature or summation for
    univariate pairs, then Monte Carlo; alias ``"auto"``), ``"closed_form"``, ``"numerical"`` or
    ``"monte_carlo"``.
    ``tolerance`` is the relative target of quadrature and summation; ``mc_error`` the Monte Carlo
    target standard error in nats, reached with at most ``max_samples`` samples drawn from ``seed``
    on ``threads`` threads (0: all cores); ``converged`` says whether it was reached (when not, a
    warning says so). ``progress`` shows or reports the samples drawn (kldiv.progress). Results are
    in nats unless ``base`` is given ("bits", "dits" or a number).
    """
    function = "kl_divergence"
    result = KLResult(*_kldiv.distribution_kl(
        _as_distribution(p), _as_distribution(q), base=_base_value(function, base), method=method,
        tolerance=_real(function, "tolerance", tolerance), mc_error=_real(function, "mc_error", mc_error),
        max_samples=_integer(function, "max_samples", max_samples, 0),
        seed=_integer(function, "seed", seed, 0), threads=_threads(function, threads),
        progress=_reporter(function, progress, "Monte Carlo", "samples")))
    if not result.converged:
        warnings.warn(f"{function}: Monte Carlo stopped at max_samples = {result.samples} with a standard error of "
                      f"{result.error:.3g} {result.unit}, above mc_error = {mc_error!r} nats; give a larger "
                      "max_samples to reach it", RuntimeWarning, stacklevel=2)
    return result


class GaussianMixtureEstimates(NamedTuple):
    """Closed-form bounds and approximations of D(P‖Q) between Gaussian mixtures, in nats."""

    lower_bound: float   # Durrieu, Thiran & Kelly (2012), or 0
    upper_bound: float   # the smaller of Hershey & Olsen's variational bound and Durrieu et al.'s
    variational: float   # Hershey & Olsen's (2007) variational approximation (exact when well separated)
    product: float       # Hershey & Olsen's product-of-Gaussians approximation


def gaussian_mixture_estimates(p: Distribution | str, q: Distribution | str) -> GaussianMixtureEstimates:
    """Bounds and approximations of D(P‖Q) for mixtures of normals or multivariate normals (or single
    Gaussians), with no sampling; ValueError for other families."""
    return GaussianMixtureEstimates(*_kldiv.gaussian_mixture_estimates(_as_distribution(p), _as_distribution(q)))


class NormalKL(NamedTuple):
    """The loss of :func:`normal_kl` and its gradients (None where not asked for)."""

    loss: Any              # float, or per-row values with reduction="none"
    grad_mean_p: Any
    grad_log_var_p: Any
    grad_mean_q: Any
    grad_log_var_q: Any


def normal_kl(mean_p, log_var_p, mean_q=None, log_var_q=None, *, reduction: str = "mean", base: float | None = None,
              gradients: bool = True, threads: int | None = None) -> NormalKL:
    """D(N(μp, diag e^lvp) ‖ N(μq, diag e^lvq)) for a batch of diagonal Gaussians — a VAE's KL term.

    The last axis holds the latent dimensions, every other axis is the batch; without ``mean_q`` and
    ``log_var_q`` Q is the standard normal N(0, I). Each coordinate's term is written without
    cancellation (exact also for nearly equal Gaussians, where −½Σ(1 + lv − μ² − e^lv) loses all
    digits). ``reduction``: "mean" (default, over rows), "sum" or "none". With ``gradients`` the
    gradients of the (reduced) loss with respect to the means and log-variances come back in the
    inputs' shape and dtype (float32 stays float32; other dtypes compute in float64).
    """
    function = "normal_kl"
    if (mean_q is None) != (log_var_q is None):
        raise _error(function, "give both mean_q and log_var_q, or neither (the standard normal)")
    given = [np.asarray(a) for a in (mean_p, log_var_p, mean_q, log_var_q) if a is not None]
    shape = given[0].shape
    for a in given:
        if a.shape != shape:
            raise _error(function, f"the inputs have shapes {[g.shape for g in given]}, but all must be equal")
    if len(shape) == 0:
        raise _error(function, "the inputs must have at least one axis (the latent dimensions)")
    dtype = np.float32 if all(a.dtype == np.float32 for a in given) else np.float64
    rows = [np.ascontiguousarray(a, dtype=dtype).reshape(int(np.prod(shape[:-1])), shape[-1]) for a in given]
    mq, lq = (rows[2], rows[3]) if len(rows) == 4 else (None, None)
    try:
        loss, grads = _kldiv.normal_kl_rows(rows[0], rows[1], mq, lq, base=_base_value(function, base),
                                            reduction=reduction, gradients=bool(gradients),
                                            threads=_threads(function, threads))
    except ValueError as e:
        raise _named(function, e) from None
    if reduction == "none":
        value = loss.reshape(shape[:-1]) if len(shape) > 1 else float(loss[0])
    else:
        value = float(loss[0])
    return NormalKL(value, *(None if g is None else g.reshape(shape) for g in grads))


def parse(spec: str) -> Distribution:
    """The distribution a spec describes; ValueError names the problem."""
    return Distribution(spec)


def families() -> list[dict[str, Any]]:
    """The families: name, aliases, parameters (name, rule, default), named alternatives, support."""
    return _kldiv.distribution_families()


def closed_form_pairs() -> list[tuple[str, str]]:
    """The (P, Q) family pairs that have a closed form."""
    return _kldiv.closed_form_pairs()


def _written(x: Any) -> str:
    if isinstance(x, Distribution):
        return x.spec
    if isinstance(x, str):
        return str(Distribution(x).spec)
    if isinstance(x, (numbers.Real, np.generic)) and np.ndim(x) == 0:
        return repr(float(x))
    items = x.tolist() if isinstance(x, np.ndarray) else x
    if isinstance(items, (list, tuple)):
        return "[" + ", ".join(_written(v) for v in items) + "]"
    raise TypeError(f"kldiv.distributions: cannot use {x!r} as a parameter (numbers, lists, arrays, distributions)")


def _family(name: str):
    def build(*args: Any, **kwargs: Any) -> Distribution:
        parts = [_written(a) for a in args] + [f"{k}={_written(v)}" for k, v in kwargs.items()]
        return Distribution(f"{name}({', '.join(parts)})")

    build.__name__ = name
    build.__doc__ = f"The {name} distribution, parameters as in `kldiv dist --list` (positional or named)."
    return build


def _define_families() -> list[str]:
    names = []
    for family in families():
        for name in [family["name"], *family["aliases"]]:
            globals()[name] = _family(name)
            names.append(name)
    return names


__all__ = ["Distribution", "KLResult", "kl_divergence", "GaussianMixtureEstimates", "gaussian_mixture_estimates",
           "NormalKL", "normal_kl", "parse", "families", "closed_form_pairs",
           *_define_families()]
