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
from .measures import _base_value, _error, _integer, _named, _numpy, _real, _threads
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
    try:
        a = np.asarray(_numpy(a), dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: {name} must hold numbers ({e})") from None
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


def _mutual_information(function, kind, x, y, k, method, estimator, uncertainty):
    base, ci, resamples, interval, permutations, seed, threads, progress = uncertainty
    options = dict(k=_integer(function, "k", k, 1, 64), method=method, estimator=estimator,
                   base=_base_value(function, base), ci=_level(function, ci),
                   resamples=_integer(function, "resamples", resamples, 0), interval=interval,
                   permutations=_integer(function, "permutations", permutations, 0),
                   seed=_integer(function, "seed", seed, 0), threads=_threads(function, threads),
                   bootstrap_progress=_reporter(function, progress, "bootstrap", "resamples"),
                   permutation_progress=_reporter(function, progress, "permutation test", "permutations"))
    return _result(function, lambda: _kldiv.mutual_information(kind, x, y, options))


def _labels(function, name, labels):
    a = np.asarray(_numpy(labels))
    if a.ndim != 1:
        raise _error(function, f"{name} has shape {a.shape}, but labels must be 1-D (one per observation)")
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            raise _error(function, f"{name} holds non-integer numbers, but labels must be integers (or any "
                                   "values NumPy can sort: strings, booleans)")
        return a.astype(np.int64)
    if a.dtype.kind in "iub":
        return a.astype(np.int64)
    try:
        return np.unique(a, return_inverse=True)[1].astype(np.int64)  # strings, objects: their codes
    except TypeError as e:
        raise TypeError(f"{function}: {name} mixes values that cannot be ordered ({e}); labels must be all "
                        "numbers or all strings") from None


def mutual_information_knn(x, y, *, k: int = 3, method: str = "ksg_1", base=None, ci=None, resamples=1000,
                           interval="percentile", permutations=0, seed=2026, threads=None, progress=None) -> Estimate:
    """I(X;Y) of continuous samples (one observation per row, paired) by Kraskov–Stögbauer–Grassberger:
    ``method`` "ksg_1" (scikit-learn's mutual_info_regression) or "ksg_2"; maximum norm, ``k``
    neighbours (1 to 64). ``permutations``: the test of independence (y's rows permuted); ``ci`` is
    refused (resampled rows repeat, which breaks the neighbour counts). Repeated values (ties) break
    the estimator: declare such data discrete or break the ties. Not clipped at 0 (scikit-learn
    reports max(0, I))."""
    function = "mutual_information_knn"
    return _mutual_information(function, "knn", _samples(function, "x", x), _samples(function, "y", y), k, method,
                               "plug_in", (base, ci, resamples, interval, permutations, seed, threads, progress))


def mutual_information_mixed(x, labels, *, k: int = 3, base=None, ci=None, resamples=1000, interval="percentile",
                             permutations=0, seed=2026, threads=None, progress=None) -> Estimate:
    """I(X;Y) of continuous samples x and discrete labels (Ross 2014; scikit-learn's mutual_info_classif)."""
    function = "mutual_information_mixed"
    return _mutual_information(function, "mixed", _samples(function, "x", x), _labels(function, "labels", labels), k,
                               "ksg_1", "plug_in",
                               (base, ci, resamples, interval, permutations, seed, threads, progress))


def mutual_information_discrete(x_labels, y_labels, *, estimator: str = "plug_in", base=None, ci=None,
                                resamples=1000, interval="percentile", permutations=0, seed=2026,
                                threads=None, progress=None) -> Estimate:
    """I(X;Y) of two paired label vectors: the MI of their estimated joint distribution (``estimator`` as
    for kl_divergence_counts; "miller_madow" corrects the plug-in value's bias)."""
    function = "mutual_information_discrete"
    return _mutual_information(function, "discrete", _labels(function, "x_labels", x_labels),
                               _labels(function, "y_labels", y_labels), 3, "ksg_1", estimator,
                               (base, ci, resamples, interval, permutations, seed, threads, progress))


def mutual_information_counts(joint_counts, *, estimator: str = "plug_in", base=None, ci=None, resamples=1000,
                              interval="percentile", permutations=0, seed=2026, threads=None,
                              progress=None) -> Estimate:
    """I(X;Y) from a joint table of counts (rows: X's values, columns: Y's)."""
    function = "mutual_information_counts"
    table = np.asarray(_numpy(joint_counts))
    if table.dtype.kind == "b":
        raise TypeError(f"{function}: joint_counts has dtype bool, but counts must be numbers")
    if table.ndim != 2:
        raise _error(function, f"joint_counts has shape {table.shape}, but the joint table must be 2-D")
    return _mutual_information(function, "counts", np.ascontiguousarray(table, dtype=np.float64), None, 3, "ksg_1",
                               estimator, (base, ci, resamples, interval, permutations, seed, threads, progress))


def _discrete_mask(function, discrete_features, columns):
    """One bool per column: "auto" (none, as scikit-learn for dense X), a bool, a boolean mask, or
    column indices (integers, negative from the end)."""
    if isinstance(discrete_features, str):
        if discrete_features != "auto":
            raise _error(function, f"discrete_features = {discrete_features!r}, but it must be 'auto', a bool, "
                                   "a boolean mask or column indices")
        return np.zeros(columns, dtype=bool)
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(columns, bool(discrete_features))
    a = np.asarray(discrete_features) if discrete_features is not None else np.asarray(None)
    if a.ndim != 1:
        raise _error(function, f"discrete_features = {discrete_features!r}, but it must be 'auto', a bool, a "
                               "boolean mask or a list of column indices")
    if a.dtype.kind == "b":
        if a.shape != (columns,):
            raise _error(function, f"discrete_features has shape {a.shape}, but a mask needs one entry per column "
                                   f"({columns})")
        return a
    if a.size and a.dtype.kind not in "iu":
        raise _error(function, f"discrete_features = {discrete_features!r}, but column indices must be integers")
    mask = np.zeros(columns, dtype=bool)
    if np.any(a < -columns) or np.any(a >= columns):
        raise _error(function, f"discrete_features holds column indices outside [0, {columns})")
    mask[a.astype(np.int64)] = True
    return mask


def mutual_information(X, y, *, discrete_features="auto", discrete_target=False, k: int = 3, method: str = "ksg_1",
                       scale=True, jitter=1e-10, seed=2026, base=None, threads=None):
    """I(X_j; y) for every column j of X: a feature ranking, as scikit-learn's mutual_info_regression
    (continuous y) and mutual_info_classif (``discrete_target=True``) compute it.

    Continuous columns against a continuous y: KSG (``method``); continuous against discrete: Ross;
    discrete against discrete: the plug-in MI of the joint table; a discrete column against a
    continuous y: Ross with the roles swapped. ``discrete_features``: "auto" (none, as scikit-learn
    for dense X), a bool, a boolean mask or column indices. As scikit-learn, continuous variables are
    divided by their (population) standard deviation (``scale``) and get noise of ``jitter`` × max(1, mean |x|)
    standard normals (``seed``; ``jitter`` in [0, 1e-3]) so that repeated values do not tie;
    ``jitter=0`` leaves them as they are. ``k``: 1 to 64. ``method`` applies to continuous pairs only.
    Values are not clipped at 0 (scikit-learn reports max(0, I)). Returns a float64 array.
    """
    function = "mutual_information"
    X = np.asarray(_numpy(X), dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise _error(function, f"X has shape {X.shape}, but it must be 2-D (observations × features)")
    n, columns = X.shape
    target = np.asarray(_numpy(y))
    if target.shape != (n,):
        raise _error(function, f"y has shape {target.shape}, but it needs one value per row of X ({n})")
    discrete = _discrete_mask(function, discrete_features, columns)
    if not isinstance(discrete_target, (bool, np.bool_)):
        raise TypeError(f"{function}: discrete_target = {discrete_target!r}, but it must be True or False")
    jitter = _real(function, "jitter", jitter)
    if not (np.isfinite(jitter) and 0 <= jitter <= 1e-3):
        raise _error(function, f"jitter = {jitter!r}, but it must be in [0, 1e-3] (a tie-breaking noise, in "
                               "units of the scaled data)")
    rng = np.random.default_rng(_integer(function, "seed", seed, 0))

    def prepared(v):  # noise drawn column by column, as scikit-learn draws it for the whole matrix at once
        try:
            v = np.array(v, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{function}: X and a continuous y must hold numbers ({e})") from None
        if not np.all(np.isfinite(v)):
            raise _error(function, "X or y holds a NaN or infinite value, but samples must be finite")
        if scale and v.size > 1:
            # As sklearn.preprocessing.scale (the population standard deviation), taken of v / max|v| so
            # that values near the double range neither overflow nor underflow in the squares.
            top = np.max(np.abs(v))
            if top > 0:
                v = v / top
                sd = v.std()
                if sd > 0:
                    v /= sd
        if jitter > 0:
            v += jitter * max(1.0, float(np.mean(np.abs(v)))) * rng.standard_normal(v.size)
        return v

    X = X.copy()
    for j in np.flatnonzero(~discrete):
        X[:, j] = prepared(X[:, j])
    target = _labels(function, "y", target) if discrete_target else prepared(target)
    options = dict(k=_integer(function, "k", k, 1, 64), method=method, estimator="plug_in",
                   base=_base_value(function, base), ci=None, resamples=0, interval="percentile", permutations=0,
                   seed=0, threads=_threads(function, threads), bootstrap_progress=None, permutation_progress=None)
    try:
        return _kldiv.mutual_information_columns(np.ascontiguousarray(X), target, bool(discrete_target),
                                                 discrete.astype(np.uint8), options)
    except ValueError as e:
        raise _named(function, e) from None


__all__ = ["Estimate", "Interval", "PermutationTest", "kl_divergence_knn", "cross_entropy_knn", "entropy_knn",
           "kl_divergence_histogram", "cross_entropy_histogram", "entropy_histogram", "kl_divergence_counts",
           "cross_entropy_counts", "entropy_counts", "mutual_information_knn", "mutual_information_mixed",
           "mutual_information_discrete", "mutual_information_counts", "mutual_information"]
