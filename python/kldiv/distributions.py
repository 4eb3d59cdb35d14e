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

Batches. Parameters with more axes than the family's event needs (a scalar parameter given as an
array, a vector parameter as a matrix, …) make a :class:`DistributionBatch`, broadcast by NumPy's
rules over the leading axes as PyTorch does (``kd.normal(np.zeros(3), 1)`` is 3 normals;
``kd.multivariate_normal(np.zeros((4, 2)), np.eye(2))`` 4 Gaussians on ℝ²). ``torch.distributions``
objects are accepted wherever a distribution is (converted by :mod:`kldiv.torch_distributions`;
a non-empty ``batch_shape`` is a batch). When either argument is a batch or a torch object,
:func:`kl_divergence` broadcasts P against Q and returns a :class:`KLBatchResult`: the same fields as
:class:`KLResult`, each an array of the broadcast batch shape (``value`` and ``error`` are float64
NumPy arrays, or torch tensors of the torch inputs' dtype and device when a torch object came in —
as ``torch.distributions.kl_divergence`` returns them, without gradients).

    >>> r = kd.kl_divergence(kd.normal([0.0, 1.0], 1), "normal(0, 2)")
    >>> r.value.round(6).tolist(), r.method.tolist()
    ([0.318147, 0.443147], ['closed_form', 'closed_form'])
"""
from __future__ import annotations

import numbers
import sys
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


class KLBatchResult(NamedTuple):
    """D(P‖Q) for a batch of pairs: KLResult's fields, each of the broadcast batch shape.

    ``value`` and ``error`` are float64 NumPy arrays, or torch tensors (the dtype the torch inputs'
    parameters promote to, on their device) when a torch distribution came in; ``method`` is an array
    of str, ``samples`` of int64, ``converged`` of bool; ``unit`` one str. ``result.item(i, j)`` is
    the KLResult of one element; ``float(result)`` works for a batch of one.
    """

    value: Any
    method: np.ndarray
    error: Any
    samples: np.ndarray
    unit: str
    converged: np.ndarray

    @property
    def shape(self) -> tuple:
        return self.method.shape

    def item(self, *index: int) -> KLResult:
        """The KLResult of one element (no index for a batch of one)."""
        if not index and self.method.size != 1:
            raise _error("KLBatchResult.item", f"the batch has shape {self.shape}; give the index of one element")
        at = index if index else (0,) * len(self.shape)
        return KLResult(float(self.value[at]), str(self.method[at]), float(self.error[at]), int(self.samples[at]),
                        self.unit, bool(self.converged[at]))

    def __float__(self) -> float:
        return self.item().value


class DistributionBatch:
    """Distributions of one shape, by NumPy's rules: ``shape``, ``len``, indexing (an element is a
    Distribution, a slice a DistributionBatch), iteration over the first axis, ``specs``."""

    def __init__(self, items: np.ndarray):
        items = np.asarray(items, dtype=object)
        for d in items.flat:
            if not isinstance(d, Distribution):
                raise TypeError(f"DistributionBatch: expected Distributions, got {type(d).__name__}")
        self._items = items

    @property
    def shape(self) -> tuple:
        return self._items.shape

    @property
    def ndim(self) -> int:
        return self._items.ndim

    @property
    def size(self) -> int:
        return self._items.size

    @property
    def items(self) -> np.ndarray:
        """The Distributions, as a NumPy array of objects."""
        return self._items

    @property
    def specs(self) -> np.ndarray:
        return np.vectorize(lambda d: d.spec, otypes=[object])(self._items) if self.size else self._items.copy()

    @property
    def family(self) -> str:
        """The elements' family (one name; several joined by '/' if mixed)."""
        names = dict.fromkeys(d.family for d in self._items.flat)
        return "/".join(names)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        item = self._items[index]
        return DistributionBatch(item) if isinstance(item, np.ndarray) else item

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return f"DistributionBatch(shape={self.shape}, family={self.family!r})"


def _is_torch(d: Any) -> bool:
    torch = sys.modules.get("torch")  # no torch imported: no torch object can reach us
    return torch is not None and isinstance(d, torch.distributions.Distribution)


def _as_distribution(d: Distribution | str) -> Distribution:
    if isinstance(d, Distribution):
        return d
    if isinstance(d, str):
        return Distribution(d)
    raise TypeError("kl_divergence: expected a spec string, a kldiv.distributions.Distribution or "
                    f"DistributionBatch, or a torch.distributions object, got {type(d).__name__}")


def _as_items(d: Any) -> np.ndarray:
    if isinstance(d, DistributionBatch):
        return d.items
    if _is_torch(d):
        from . import torch_distributions
        converted = torch_distributions.from_torch(d)
        return converted.items if isinstance(converted, DistributionBatch) else _scalar_items(converted)
    return _scalar_items(_as_distribution(d))


def _scalar_items(d: Distribution) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = d
    return out


def kl_divergence(p: Any, q: Any, *, base: float | str | None = None,
                  method: str = "automatic", tolerance: float = 1e-10, mc_error: float = 1e-3,
                  max_samples: int = 1 << 26, seed: int = 2026, threads: int = 0,
                  progress=None) -> KLResult | KLBatchResult:
    """D(P‖Q) for two parametric distributions, or for batches of them.

    P and Q are specs, Distributions, DistributionBatches or torch.distributions objects. Two single
    distributions give a KLResult; a batch or a torch object on either side gives a KLBatchResult
    over the broadcast batch shape (torch objects: value and error as tensors, see the module's
    notes).

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
    options = dict(base=_base_value(function, base), method=method,
                   tolerance=_real(function, "tolerance", tolerance), mc_error=_real(function, "mc_error", mc_error),
                   max_samples=_integer(function, "max_samples", max_samples, 0),
                   seed=_integer(function, "seed", seed, 0), threads=_threads(function, threads),
                   progress=_reporter(function, progress, "Monte Carlo", "samples"))
    torch_in = [d for d in (p, q) if _is_torch(d)]
    if torch_in or isinstance(p, DistributionBatch) or isinstance(q, DistributionBatch):
        return _batch_kl(function, p, q, torch_in, options, mc_error)
    result = KLResult(*_kldiv.distribution_kl(_as_distribution(p), _as_distribution(q), **options))
    if not result.converged:
        warnings.warn(f"{function}: Monte Carlo stopped at max_samples = {result.samples} with a standard error of "
                      f"{result.error:.3g} {result.unit}, above mc_error = {mc_error!r} nats; give a larger "
                      "max_samples to reach it", RuntimeWarning, stacklevel=2)
    return result


def _batch_kl(function: str, p: Any, q: Any, torch_in: list, options: dict, mc_error: float) -> KLBatchResult:
    ps, qs = _as_items(p), _as_items(q)
    try:
        ps, qs = np.broadcast_arrays(ps, qs)
    except ValueError:
        raise _error(function, f"P has batch shape {ps.shape} and Q has batch shape {qs.shape}, which do not "
                               "broadcast (NumPy's rules, as torch.distributions.kl_divergence)") from None
    shape = ps.shape
    value, error = np.empty(shape), np.empty(shape)
    method, samples = np.empty(shape, dtype=object), np.zeros(shape, dtype=np.int64)
    converged, unit = np.ones(shape, dtype=bool), None
    for index in np.ndindex(*shape):
        r = KLResult(*_kldiv.distribution_kl(ps[index], qs[index], **options))
        value[index], method[index], error[index], samples[index], converged[index] = (
            r.value, r.method, r.error, r.samples, r.converged)
        unit = r.unit
    if unit is None:  # an empty batch
        unit = KLResult(*_kldiv.distribution_kl(Distribution("normal(0, 1)"), Distribution("normal(0, 1)"),
                                                **options)).unit
    method = method.astype(str)
    if not converged.all():
        warnings.warn(f"{function}: Monte Carlo stopped at max_samples for {int((~converged).sum())} of "
                      f"{converged.size} pairs, above mc_error = {mc_error!r} nats; give a larger max_samples "
                      "to reach it", RuntimeWarning, stacklevel=3)
    if torch_in:
        from . import torch_distributions
        value, error = (torch_distributions.as_tensor(a, torch_in) for a in (value, error))
    return KLBatchResult(value, method, error, samples, unit, converged)


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


def _event_ranks(info: dict[str, Any]) -> dict[str, int] | None:
    """Each parameter's number of event axes (0 scalar, 1 vector, 2 matrix); None for the families of
    distributions (mixture, independent), which are not batched."""
    ranks = {}
    for p in info["parameters"]:
        rule = p["rule"]
        if "specs" in rule:
            return None
        ranks[p["name"]] = 1 if rule.startswith("list of") else 2 if rule in ("positive definite", "d x r matrix") else 0
    for a in info["named_alternatives"]:
        ranks[a] = ranks.get("probs", 0) if a == "logits" else 2
    return ranks


def _batch_shape(name: str, ranks: dict[str, int] | None, named: dict[str, Any]):
    """The broadcast batch shape of the arguments and each argument broadcast to it with its event
    axes; None where no argument has batch axes."""
    if ranks is None:
        return None
    arrays = {}
    for key, value in named.items():
        if key not in ranks or isinstance(value, (str, Distribution)):
            return None
        try:
            arrays[key] = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None
    shapes = [a.shape[:a.ndim - ranks[k]] for k, a in arrays.items() if a.ndim > ranks[k]]
    if not shapes:
        return None
    try:
        shape = np.broadcast_shapes(*shapes)
        return shape, {k: np.broadcast_to(a, shape + a.shape[max(a.ndim - ranks[k], 0):] if a.ndim >= ranks[k]
                                          else shape + a.shape) for k, a in arrays.items()}
    except ValueError:
        raise _error(name, "the parameters' batch shapes " + ", ".join(
            f"{k} {a.shape[:max(a.ndim - ranks[k], 0)]}" for k, a in arrays.items()) +
            " do not broadcast (NumPy's rules; the last axes are each parameter's event: "
            + ", ".join(f"{k} {ranks[k]}" for k in arrays) + ")") from None


def _family(name: str, info: dict[str, Any]):
    ranks = _event_ranks(info)
    positional = [p["name"] for p in info["parameters"]]

    def one(args, kwargs) -> Distribution:
        parts = [_written(a) for a in args] + [f"{k}={_written(v)}" for k, v in kwargs.items()]
        return Distribution(f"{name}({', '.join(parts)})")

    def build(*args: Any, **kwargs: Any) -> Distribution | DistributionBatch:
        named = dict(zip(positional, args)) if len(args) <= len(positional) else None
        batched = None
        if named is not None and not set(named) & set(kwargs):
            batched = _batch_shape(name, ranks, {**named, **kwargs})
        if batched is None:
            return one(args, kwargs)
        shape, arrays = batched
        items = np.empty(shape, dtype=object)
        for index in np.ndindex(*shape):
            items[index] = one([], {k: a[index] for k, a in arrays.items()})
        return DistributionBatch(items)

    build.__name__ = name
    build.__doc__ = (f"The {name} distribution, parameters as in `kldiv dist --list` (positional or named); "
                     "parameters with batch axes give a DistributionBatch (NumPy broadcasting).")
    return build


def _define_families() -> list[str]:
    names = []
    for family in families():
        for name in [family["name"], *family["aliases"]]:
            globals()[name] = _family(name, family)
            names.append(name)
    return names


__all__ = ["Distribution", "DistributionBatch", "KLResult", "KLBatchResult", "kl_divergence", "GaussianMixtureEstimates", "gaussian_mixture_estimates",
           "NormalKL", "normal_kl", "parse", "families", "closed_form_pairs",
           *_define_families()]
