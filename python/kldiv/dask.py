"""The measures on Dask arrays, for data that outgrows one machine.

Each function takes Dask arrays chunked along the rows (the distributions' ``axis`` must lie in a
single chunk, as ``rechunk({axis: -1})`` gives) and returns a lazy Dask array of per-row values:
one task per block, each running the compiled kernels on its block, so the N×V data are never
gathered. ``summarize`` then computes exact statistics of the per-row values (mean with its
standard error, min, max, quantiles). With a ``distributed`` client active, the work runs on its
cluster:

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")        # or LocalCluster() for this machine's cores
    values = kldiv.dask.kl_divergence(P, Q, input="logits")
    kldiv.dask.summarize(values)

The keyword arguments are those of kldiv.kl_divergence and its siblings, except ``reduction``
(use ``summarize`` or Dask's own reductions) and ``keepdims``.

``llm_compare`` is kldiv.llm.compare over a model's shard files, one task per candidate file; it
returns the same document, equal to the single-machine one.
"""
import json

import dask
import dask.array as da
import numpy as np

from . import _kldiv
from . import llm as _llm
from . import measures as _measures
from .summary import DEFAULT_QUANTILES
from .summary import summarize as _summarize


def _per_row(function, name, p, q, kwargs):
    for forbidden in ("reduction", "keepdims"):
        if forbidden in kwargs:
            raise TypeError(f"kldiv.dask.{name}: {forbidden} is not available here; use kldiv.dask.summarize")
    P = da.asarray(p)
    axis = kwargs.pop("axis", -1) % P.ndim
    operands = [P] if q is None else [P, da.asarray(q)]
    for x in operands:
        if x.shape != P.shape:
            raise _measures._error(f"kldiv.dask.{name}", f"p has shape {P.shape} and q has shape {x.shape}, "
                             "but both must have the same shape")
        if len(x.chunks[axis]) != 1:
            raise _measures._error(f"kldiv.dask.{name}", f"axis {axis} is split into {len(x.chunks[axis])} chunks, but "
                             "each distribution must lie in one chunk (rechunk({axis: -1}))")
    if q is not None and operands[1].chunks != P.chunks:
        operands[1] = operands[1].rechunk(P.chunks)

    def block(*arrays):
        return function(*arrays, axis=axis, **kwargs)

    return da.map_blocks(lambda *b: np.asarray(block(*b), dtype=np.float64), *operands, drop_axis=axis,
                         dtype=np.float64)


def kl_divergence(p, q, **kwargs):
    """Per-row D(P‖Q) of Dask arrays (see kldiv.kl_divergence)."""
    return _per_row(_measures.kl_divergence, "kl_divergence", p, q, kwargs)


def entropy(p, **kwargs):
    """Per-row H(P) of a Dask array (see kldiv.entropy)."""
    return _per_row(_measures.entropy, "entropy", p, None, kwargs)


def cross_entropy(p, q, **kwargs):
    """Per-row H(P, Q) of Dask arrays (see kldiv.cross_entropy)."""
    return _per_row(_measures.cross_entropy, "cross_entropy", p, q, kwargs)


def jeffreys(p, q, **kwargs):
    """Per-row D(P‖Q) + D(Q‖P) of Dask arrays (see kldiv.jeffreys)."""
    return _per_row(_measures.jeffreys, "jeffreys", p, q, kwargs)


def js_divergence(p, q, **kwargs):
    """Per-row JS_β(P, Q) of Dask arrays (see kldiv.js_divergence)."""
    return _per_row(_measures.js_divergence, "js_divergence", p, q, kwargs)


def summarize(values, quantiles=DEFAULT_QUANTILES):
    """Exact statistics of per-row values (a Dask or NumPy array), as ``kldiv.summarize`` gives
    them: count, mean and its standard error, standard deviation, min, max and quantiles (NumPy's
    linear method). Computes ``values`` (one float per row; the rows' data stay on the workers)."""
    v = values.compute() if hasattr(values, "compute") else values
    return _summarize(v, quantiles, _function="kldiv.dask.summarize")


def _plan(reference, candidate):
    """On a worker (which sees the files): the models' files and the candidate's files' rows."""
    reference_files, candidate_files = _llm._files(reference, "reference"), _llm._files(candidate, "candidate")
    return reference_files, candidate_files, _kldiv.llm_candidate_files(candidate_files)


def _compare_range(*args):
    """_kldiv.llm_compare_range in a Python function, which Dask can pickle by name."""
    return _kldiv.llm_compare_range(*args)


def llm_compare(reference, candidate, *, tokens=None, mask=None, reverse_kl=False, js=False, threads=0, buffer_mib=256,
                top_k=None, vocabulary=0):
    """kldiv.llm.compare on the active Dask scheduler (a distributed Client's cluster, or Dask's
    default), one task per candidate file; the result equals kldiv.llm.compare's dict exactly.

    Each task opens the files of both models, compares its file's positions only and returns that
    file's summary (its bytes grow with the number of distinct values, at most about 25 MB); they are
    merged here in file order, as the single-machine comparison merges them. The workers must see
    the files (and tokens and mask when they are paths); ``threads`` and ``buffer_mib`` are per task;
    ``top_k`` and ``vocabulary`` as for kldiv.llm.compare.
    """
    options = dask.delayed(_llm._options(tokens, mask, reverse_kl, js, threads, buffer_mib, None, vocabulary, top_k),
                           traverse=False)
    reference_files, candidate_files, files = dask.delayed(_plan)(reference, candidate).compute()
    # Files of no rows have no entry in the document (nor a task); with no rows at all, one empty range.
    ranges = [(first, rows) for _, first, rows in files if rows > 0] or [(0, 0)]
    parts = dask.compute(*(dask.delayed(_compare_range)(reference_files, candidate_files, options, first, rows)
                           for first, rows in ranges))
    comparison = dict(parts[0], files=[file for part in parts for file in part["files"]])
    return json.loads(_kldiv.llm_document(_llm._input(reference), _llm._input(candidate), comparison))
