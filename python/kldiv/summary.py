"""Summary statistics of per-row values (one divergence per row or position), computed by the
C++ core (include/kldiv/summary.hpp) exactly as ``kldiv compare`` prints them for matrices."""
import numpy as np

from . import _kldiv
from .measures import _numpy

DEFAULT_QUANTILES = (0.01, 0.05, 0.5, 0.95, 0.99)


def summarize(values, quantiles=DEFAULT_QUANTILES, *, _function="kldiv.summarize"):
    """Count, mean (compensated sum), its standard error, the sample standard deviation (n − 1),
    min, max and the quantiles at the levels in ``quantiles`` (NumPy's default "linear" method,
    equal to ``numpy.quantile`` bit for bit on finite values; beside +inf a quantile is +inf, where
    NumPy gives nan). ``values``: any array-like of numbers (a PyTorch tensor too), flattened; +inf and -inf are allowed
    (the mean is then infinite and the deviations nan), nan is refused."""
    v = np.asarray(_numpy(values), dtype=np.float64).ravel()
    return _kldiv.summarize(v, [float(q) for q in quantiles], _function)
