"""kldiv: Kullback-Leibler divergence and the measures around it, accurate and fast.

The measures follow NumPy/SciPy habits: distributions lie along ``axis`` (the last by default),
every other axis is a batch, and the result has the batch shape (or a float for one
distribution). ``input`` says what the values are: ``"probs"``, ``"log_probs"`` or ``"logits"``
(p = softmax(a / temperature)). Results are in nats unless ``base`` is given (2 for bits).

    >>> import kldiv
    >>> kldiv.kl_divergence([0.2, 0.8], [0.5, 0.5], base=2)
    0.27807190511263763

``kldiv.llm.compare`` compares a candidate LLM's next-token distributions with its reference's
(``kldiv llm-compare`` in Python); ``kldiv.summarize`` gives the statistics of per-row values;
``kldiv.dask`` runs the measures and that comparison on a cluster.
"""
from . import distributions, estimate, llm, losses
from .measures import cross_entropy, entropy, jeffreys, js_divergence, kl_divergence
from .summary import summarize

__all__ = ["kl_divergence", "entropy", "cross_entropy", "jeffreys", "js_divergence", "summarize", "distributions",
           "estimate", "llm", "losses"]
