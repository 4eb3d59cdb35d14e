"""KL divergence estimated from data: two samples, or two count vectors, with uncertainty.

    >>> import numpy as np, kldiv.estimate as ke
    >>> rng = np.random.default_rng(1)
    >>> x, y = rng.normal(0, 1, (2000, 2)), rng.normal(0.5, 1, (2000, 2))   # true D = 0.25 nats
    >>> r = ke.kl_divergence_knn(x, y, k=5, ci=0.9, resamples=50)
    >>> r.method, round(r.value, 1), r.interval.low < r.value < r.interval.high
    ('knn (Wang-Kulkarni-Verdu, k=5, l=5)', 0.2, True)

Samples are arrays with one observation per row (a 1-D array is one variable); counts are 1-D
arrays over the same events. ``ci`` asks for a bootstrap confidence interval at that level
(``resamples``, ``interval="percentile"|"bca"``, ``seed``: the same seed gives the same interval on
any number of threads); ``permutations`` runs a permutation test of P = Q with the estimator as
its statistic. Results are in nats unless ``base`` is given.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from . import _kldiv
from .measures import _base_value, _named


class Interval(NamedTuple):
    low: float
    high: float
    level: float
    resamples: int


class PermutationTest(NamedTuple):
    statistic: float
    p_value: float
    permutations: int


class Estimate(NamedTuple):
    """An estimate with how it was made; ``float(e)`` is the value."""

    value: float
    method: str
    interval: Optional[Interval]       # with ci=…
    test: Optional[PermutationTest]    # with permutations=…

    def __float__(self) -> float:
        return self.value


def _options(function, base, ci, resamples, interval, permutations, seed, threads, **kwargs):
    options = dict(method="knn", k=5, l=0, form="wang_kulkarni_verdu", estimator="plug_in", bins="fd", bin_count=0)
    options.update(kwargs)
    options.update(base=_base_value(function, base), ci=0.0 if ci is None else float(ci), resamples=int(resamples),
                   interval=interval, permutations=int(permutations), seed=int(seed),
                   threads=0 if threads is None else int(threads))
    return options


def _samples(function, name, a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{function}: {name} has shape {a.shape}, but samples must be 1-D or 2-D "
                         "(one observation per row)")
    return np.ascontiguousarray(a)


def _result(function, call):
    try:
        r = call()
    except ValueError as e:
        raise _named(function, e) from None
    return Estimate(r["value"], r["method"], Interval(*r["interval"]) if "interval" in r else None,
                    PermutationTest(*r["test"]) if "test" in r else None)


def kl_divergence_knn(x, y, *, k: int = 5, l: int | None = None, form: str = "wang_kulkarni_verdu",
                      base=None, ci=None, resamples=1000, interval="percentile", permutations=0, seed=2026,
                      threads=None) -> Estimate:
    """D(P‖Q) from x ~ P and y ~ Q by k nearest neighbours (Wang, Kulkarni & Verdú 2009, with k in x
    and l in y; or ``form="perez_cruz"``, Pérez-Cruz 2008)."""
    function = "kl_divergence_knn"
    options = _options(function, base, ci, resamples, interval, permutations, seed, threads, method="knn", k=int(k),
                       l=0 if l is None else int(l), form=form)
    X, Y = _samples(function, "x", x), _samples(function, "y", y)
    return _result(function, lambda: _kldiv.estimate_samples(X, Y, options))


def kl_divergence_histogram(x, y, *, bins: str = "fd", bin_count: int = 0, estimator: str = "jeffreys", base=None,
                            ci=None, resamples=1000, interval="percentile", permutations=0, seed=2026,
                            threads=None) -> Estimate:
    """D(P‖Q) from x ~ P and y ~ Q by a histogram shared by both samples (``bins``: "fd", "scott",
    "sturges", "quantile" or "fixed" with ``bin_count``; up to 3 variables) and a count estimator
    (Jeffreys' pseudocounts by default: the plug-in is +inf as soon as a bin holds x's but no y's)."""
    function = "kl_divergence_histogram"
    options = _options(function, base, ci, resamples, interval, permutations, seed, threads, method="histogram",
                       bins=bins, bin_count=int(bin_count), estimator=estimator)
    X, Y = _samples(function, "x", x), _samples(function, "y", y)
    return _result(function, lambda: _kldiv.estimate_samples(X, Y, options))


def kl_divergence_counts(p_counts, q_counts, *, estimator: str = "plug_in", base=None, ci=None, resamples=1000,
                         interval="percentile", permutations=0, seed=2026, threads=None) -> Estimate:
    """D(P‖Q) from two count vectors over the same events (``estimator``: "plug_in", "miller_madow",
    "laplace", "jeffreys", "perks", "minimax", "james_stein")."""
    function = "kl_divergence_counts"
    options = _options(function, base, ci, resamples, interval, permutations, seed, threads, estimator=estimator)
    p = np.ascontiguousarray(np.asarray(p_counts, dtype=np.float64))
    q = np.ascontiguousarray(np.asarray(q_counts, dtype=np.float64))
    return _result(function, lambda: _kldiv.estimate_counts(p, q, options))


__all__ = ["Estimate", "Interval", "PermutationTest", "kl_divergence_knn", "kl_divergence_histogram",
           "kl_divergence_counts"]
