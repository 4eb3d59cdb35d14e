"""kldiv: Kullback-Leibler divergence and the measures around it, accurate and fast.

The measures follow NumPy/SciPy habits: distributions lie along ``axis`` (the last by default),
every other axis is a batch, and the result has the batch shape (or a float for one
distribution). ``input`` says what the values are: ``"probs"``, ``"log_probs"`` or ``"logits"``
(p = softmax(a / temperature)). Results are in nats unless ``base`` is given (2 for bits).

    >>> import kldiv
    >>> kldiv.kl_divergence([0.2, 0.8], [0.5, 0.5], base=2)
    0.2780719051126377

``kldiv.llm.compare`` compares a candidate LLM's next-token distributions with its reference's
(``kldiv llm-compare`` in Python); ``kldiv.explain`` ranks the events that make two distributions
differ (``kldiv explain``); ``kldiv.drift`` says which columns of a table moved since a reference, and
whether more than chance (``kldiv drift``); ``kldiv.summarize`` gives the statistics of per-row values;
``kldiv.dask`` runs the measures and that comparison on a cluster. ``kldiv.divergence`` (and
``renyi_divergence``, ``hellinger``, ``total_variation``, …) gives the other divergences between
probability vectors and rows (kldiv/divergences.hpp).

Bad input raises ``kldiv.Error`` (a ValueError) naming the function, the value and the rule, with
the function and the rest as its ``function`` and ``message`` attributes; TypeError for values that
are not numbers.

``kldiv.__version__`` is the version the compiled core was built with (the CMake project's, as
``kldiv --version`` prints it); ``python -m kldiv ARGS`` runs the ``kldiv`` command shipped with the
package.
"""
from . import distributions, estimate, joint, llm, losses
from ._kldiv import Error, __version__
from .estimate import mutual_information
from .explanation import explain
from .measures import (bhattacharyya, cross_entropy, divergence, divergence_matrix, entropy, generalized_js_divergence,
                       hellinger, jeffreys, js_distance, js_divergence, kl_divergence, neyman_chi2, pearson_chi2,
                       renyi_divergence, skew_divergence, squared_hellinger, total_variation, triangular,
                       tsallis_divergence)
from .monitoring import DriftProfile, drift, drift_profile
from .summary import summarize

__all__ = ["Error", "kl_divergence", "entropy", "cross_entropy", "jeffreys", "js_divergence", "divergence",
           "renyi_divergence", "tsallis_divergence", "pearson_chi2", "neyman_chi2", "squared_hellinger", "hellinger",
           "total_variation", "bhattacharyya", "triangular", "skew_divergence", "js_distance", "divergence_matrix",
           "generalized_js_divergence", "mutual_information", "explain", "summarize",
           "drift", "drift_profile", "DriftProfile", "distributions", "estimate", "joint", "llm", "losses"]
