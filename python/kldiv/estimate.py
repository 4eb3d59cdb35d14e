"""KL divergence, cross-entropy and entropy estimated from data: samples or count vectors, with
uncertainty.

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
its statistic (KL only). Results are in nats unless ``base`` is given. ``progress`` shows or
reports the progress of the neighbour searches, the bootstrap and the permutations (kldiv.progress).

Each estimator has its KL, cross-entropy and entropy forms: ``kl_divergence_knn``,
``cross_entropy_knn``, ``entropy_knn``, and likewise ``_histogram`` (differential, through the bin
volumes) and ``_counts``.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from . import _kldiv
from .measures import _base_value, _error, _integer, _named, _numpy, _threads
from .progress import _reporter


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
    unit: str = "nats"                 # of value and interval: "nats", "bits", …

    def __float__(self) -> float:
        return self.value


def _level(function, ci):
    """The bootstrap level: None for no interval, else a number in (0, 1) (NaN and 0 were taken as
    "no interval", silently)."""
    if ci is None:
        return None
    if isinstance(ci, (bool, np.bool_)) or not isinstance(ci, (int, float, np.integer, np.floating)):
        raise TypeError(f"{function}: ci = {ci!r}, but it must be a number in (0, 1), or None for no interval")
    if not 0.0 < float(ci) < 1.0:
        raise _error(function, f"ci = {float(ci)!r}, but the interval's level must be in (0, 1), e.g. 0.95")
    return float(ci)


def _options(function, base, ci, resamples, interval, permutations, seed, threads, progress, **kwargs):
    options = dict(measure="kl_divergence", method="knn", k=5, l=0, form="wang_kulkarni_verdu", estimator="plug_in",
                   bins="freedman_diaconis", bin_count=0)
    options.update(kwargs)
    for name in ("k", "l", "bin_count"):
        options[name] = _integer(function, name, options[name], 0)
    options.update(base=_base_value(function, base), ci=_level(function, ci),
                   resamples=_integer(function, "resamples", resamples, 0), interval=interval,
                   permutations=_integer(function, "permutations", permutations, 0),
                   seed=_integer(function, "seed", seed, 0), threads=_threads(function, threads),
                   knn_progress=_reporter(function, progress, "nearest neighbours", "points"),
                   bootstrap_progress=_reporter(function, progress, "bootstrap", "resamples"),
                   permutation_progress=_reporter(function, progress, "permutation test", "permutations"))
    return options


def _samples(function, name, a):
    a = np.asarray(_numpy(a), dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise _error(function, f"{name} has shape {a.shape}, but samples must be 1-D or 2-D "
                         "(one observation per row)")
    return np.ascontiguousarray(a)


def _counts(function, name, counts):
    a = np.asarray(_numpy(counts))
    if a.dtype.kind == "b":
        raise TypeError(f"{function}: {name} has dtype bool, but counts must be numbers, not booleans")
    return np.ascontiguousarray(a, dtype=np.float64)


def _result(function, call):
    try:
        r = call()
    except ValueError as e:
        raise _named(function, e) from None
    return Estimate(r["value"], r["method"], Interval(*r["interval"]) if "interval" in r else None,
                    PermutationTest(*r["test"]) if "test" in r else None, r["unit"])


def _from_samples(function, measure, x, y, uncertainty, **method_options):
    options = _options(function, *uncertainty, measure=measure, **method_options)
    X = _samples(function, "x", x)
    Y = X if y is None else _samples(function, "y", y)
    return _result(function, lambda: _kldiv.estimate_samples(X, Y, options))


def _from_counts(function, measure, p_counts, q_counts, estimator, uncertainty):
    options = _options(function, *uncertainty, measure=measure, method="counts", estimator=estimator)
    p = _counts(function, "p_counts", p_counts)
    q = p if q_counts is None else _counts(function, "q_counts", q_counts)
    return _result(function, lambda: _kldiv.estimate_counts(p, q, options))


def kl_divergence_knn(x, y, *, k: int = 5, l: int | None = None, form: str = "wang_kulkarni_verdu",
                      base=None, ci=None, resamples=1000, interval="percentile", permutations=0, seed=2026,
                      threads=None, progress=None) -> Estimate:
    """D(P‖Q) from x ~ P and y ~ Q by k nearest neighbours (Wang, Kulkarni & Verdú 2009, with k in x
    and l in y; or ``form="perez_cruz"``, Pérez-Cruz 2008)."""
    uncertainty = (base, ci, resamples, interval, permutations, seed, threads, progress)
    return _from_samples("kl_divergence_knn", "kl_divergence", x, y, uncertainty, method="knn", k=k,
                         l=0 if l is None else l, form=form)


def cross_entropy_knn(x, y, *, k: int = 5, base=None, ci=None, resamples=1000, interval="percentile", seed=2026,
                      threads=None, progress=None) -> Estimate:
    """H(P, Q) = −E_P[ln q] from x ~ P and y ~ Q by the k-th neighbours in y (Leonenko et al. 2008)."""
    uncertainty = (base, ci, resamples, interval, 0, seed, threads, progress)
    return _from_samples("cross_entropy_knn", "cross_entropy", x, y, uncertainty, method="knn", k=k)


def entropy_knn(x, *, k: int = 5, base=None, ci=None, resamples=1000, interval="percentile", seed=2026,
                threads=None, progress=None) -> Estimate:
    """H(P) from x ~ P by k nearest neighbours (Kozachenko & Leonenko 1987)."""
    uncertainty = (base, ci, resamples, interval, 0, seed, threads, progress)
    return _from_samples("entropy_knn", "entropy", x, None, uncertainty, method="knn", k=k)


def kl_divergence_histogram(x, y, *, bins: str = "freedman_diaconis", bin_count: int = 0,
                            estimator: str = "jeffreys", base=None, ci=None, resamples=1000, interval="percentile",
                            permutations=0, seed=2026, threads=None, progress=None) -> Estimate:
    """D(P‖Q) from x ~ P and y ~ Q by a histogram shared by both samples (``bins``:
    "freedman_diaconis" (alias "fd"), "scott", "sturges", "quantile" or "fixed" with ``bin_count``;
    up to 3 variables) and a count estimator (Jeffreys' pseudocounts by default: the plug-in is
    +inf as soon as a bin holds x's but no y's)."""
    uncertainty = (base, ci, resamples, interval, permutations, seed, threads, progress)
    return _from_samples("kl_divergence_histogram", "kl_divergence", x, y, uncertainty, method="histogram",
                         bins=bins, bin_count=bin_count, estimator=estimator)


def cross_entropy_histogram(x, y, *, bins: str = "freedman_diaconis", bin_count: int = 0,
                            estimator: str = "jeffreys", base=None, ci=None, resamples=1000, interval="percentile",
                            seed=2026, threads=None, progress=None) -> Estimate:
    """Differential H(P, Q) through a histogram shared by x and y: the count estimator's value plus
    Σ θ̂_P ln(bin volume)."""
    uncertainty = (base, ci, resamples, interval, 0, seed, threads, progress)
    return _from_samples("cross_entropy_histogram", "cross_entropy", x, y, uncertainty, method="histogram",
                         bins=bins, bin_count=bin_count, estimator=estimator)


def entropy_histogram(x, *, bins: str = "freedman_diaconis", bin_count: int = 0, estimator: str = "jeffreys",
                      base=None, ci=None, resamples=1000, interval="percentile", seed=2026,
                      threads=None, progress=None) -> Estimate:
    """Differential H(P) through a histogram of x: −Σ θ̂ ln(θ̂ / bin volume), θ̂ by the count
    estimator (Jeffreys' pseudocounts by default, as for every histogram and on the command line;
    ``estimator="plug_in"`` for the raw frequencies)."""
    uncertainty = (base, ci, resamples, interval, 0, seed, threads, progress)
    return _from_samples("entropy_histogram", "entropy", x, None, uncertainty, method="histogram",
                         bins=bins, bin_count=bin_count, estimator=estimator)


def kl_divergence_counts(p_counts, q_counts, *, estimator: str = "plug_in", base=None, ci=None, resamples=1000,
                         interval="percentile", permutations=0, seed=2026, threads=None, progress=None) -> Estimate:
    """D(P‖Q) from two count vectors over the same events (``estimator``: "plug_in", "miller_madow",
    "laplace", "jeffreys", "perks", "minimax", "james_stein")."""
    uncertainty = (base, ci, resamples, interval, permutations, seed, threads, progress)
    return _from_counts("kl_divergence_counts", "kl_divergence", p_counts, q_counts, estimator, uncertainty)


def cross_entropy_counts(p_counts, q_counts, *, estimator: str = "plug_in", base=None, ci=None, resamples=1000,
                         interval="percentile", seed=2026, threads=None, progress=None) -> Estimate:
    """H(P, Q) from two count vectors over the same events."""
    uncertainty = (base, ci, resamples, interval, 0, seed, threads, progress)
    return _from_counts("cross_entropy_counts", "cross_entropy", p_counts, q_counts, estimator, uncertainty)


def entropy_counts(counts, *, estimator: str = "plug_in", base=None, ci=None, resamples=1000, interval="percentile",
                   seed=2026, threads=None, progress=None) -> Estimate:
    """H(P) from one count vector (``estimator`` as for kl_divergence_counts)."""
    uncertainty = (base, ci, resamples, interval, 0, seed, threads, progress)
    return _from_counts("entropy_counts", "entropy", counts, None, estimator, uncertainty)


__all__ = ["Estimate", "Interval", "PermutationTest", "kl_divergence_knn", "cross_entropy_knn", "entropy_knn",
           "kl_divergence_histogram", "cross_entropy_histogram", "entropy_histogram", "kl_divergence_counts",
           "cross_entropy_counts", "entropy_counts"]
