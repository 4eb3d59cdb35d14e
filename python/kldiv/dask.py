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

``divergence`` gives any measure of kldiv.divergence per row; ``divergence_matrix`` the matrix of a
measure between the rows of two Dask arrays, one task per pair of row blocks (each block's result a
NumPy array of its rows × the other's, so a matrix that does not fit one machine stays on the
workers, or goes to storage with ``da.to_zarr``/``to_npy_stack``).

``llm_compare`` is kldiv.llm.compare over a model's shard files, one task per candidate file; it
returns the same document, equal to the single-machine one.

``drift`` is kldiv.drift on Dask DataFrames: partitions are sampled and counted on the cluster, the
counts added on the client, the result equal to kldiv.drift on the whole tables; ``drift_profile``
profiles a reference that way once, for many later comparisons.

Threads: each task runs the kernels on one thread unless ``threads`` is given. The scheduler's
threads are the parallelism: a worker with N threads runs N tasks at once, so a cluster of
single-threaded worker processes, one per core (``LocalCluster(n_workers=cores,
threads_per_worker=1)``, ``dask worker --nworkers cores --nthreads 1``), or Dask's local threaded
scheduler keeps every core busy without running more threads than cores. ``threads=N`` gives each
task N threads (``threads=0``: all the cores of the machine it runs on), for workers that run fewer
tasks at once than they have cores. The values do not depend on it (the kernels' sums have a fixed
order).

Progress: the per-row functions are lazy, so Dask's own progress shows them
(``with dask.diagnostics.ProgressBar(): values.compute()`` on the local schedulers,
``distributed.progress(client.compute(values))`` on a cluster); ``llm_compare(..., progress=True)``
shows Dask's bar for its tasks (one per candidate file) on whichever scheduler is active, and
``progress=callable`` is called as ``progress(done, total, 0)`` with the tasks finished.
"""
import functools
import json
import sys
import uuid

import dask
import dask.callbacks
import dask.array as da
import numpy as np

from . import _kldiv
from . import llm as _llm
from . import measures as _measures
from . import monitoring as _monitoring
from .summary import DEFAULT_QUANTILES
from .summary import summarize as _summarize


def _task_threads(function, threads):
    """The threads of one task: 1 unless ``threads`` is given (see the module)."""
    return _measures._threads(function, threads, none=1)


def _block(name, axis, kwargs, *arrays):
    """One task of a per-row function: kldiv.<name> on the task's blocks, as float64 values. The
    function is looked up when the task runs (so that Dask sends its name, not the function)."""
    return np.asarray(getattr(_measures, name)(*arrays, axis=axis, **kwargs), dtype=np.float64)


def _per_row(name, p, q, kwargs):
    for forbidden in ("reduction", "keepdims"):
        if forbidden in kwargs:
            raise TypeError(f"kldiv.dask.{name}: {forbidden} is not available here; use kldiv.dask.summarize")
    P = da.asarray(p)
    axis = kwargs.pop("axis", -1) % P.ndim
    kwargs["threads"] = _task_threads(f"kldiv.dask.{name}", kwargs.get("threads"))
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
    # Tasks named kldiv.<name>-<token>, as Dask's progress bars and dashboard group them; meta given,
    # so that Dask does not call the function on empty blocks to find the result's type.
    return da.map_blocks(functools.partial(_block, name, axis, kwargs), *operands, drop_axis=axis,
                         dtype=np.float64, meta=np.empty((0,), np.float64), name=f"kldiv.{name}")


def kl_divergence(p, q, **kwargs):
    """Per-row D(P‖Q) of Dask arrays (see kldiv.kl_divergence)."""
    return _per_row("kl_divergence", p, q, kwargs)


def entropy(p, **kwargs):
    """Per-row H(P) of a Dask array (see kldiv.entropy)."""
    return _per_row("entropy", p, None, kwargs)


def cross_entropy(p, q, **kwargs):
    """Per-row H(P, Q) of Dask arrays (see kldiv.cross_entropy)."""
    return _per_row("cross_entropy", p, q, kwargs)


def jeffreys(p, q, **kwargs):
    """Per-row D(P‖Q) + D(Q‖P) of Dask arrays (see kldiv.jeffreys)."""
    return _per_row("jeffreys", p, q, kwargs)


def js_divergence(p, q, **kwargs):
    """Per-row JS_β(P, Q) of Dask arrays (see kldiv.js_divergence)."""
    return _per_row("js_divergence", p, q, kwargs)


def divergence(p, q, measure="kl_divergence", **kwargs):
    """Per-row divergence ``measure`` of Dask arrays (see kldiv.divergence)."""
    return _per_row("divergence", p, q, dict(kwargs, measure=measure))


def _matrix_block(kwargs, a, b):
    """One task of divergence_matrix: the block of rows of A against the block of rows of B."""
    return _measures.divergence_matrix(a, b, **kwargs)


def divergence_matrix(a, b=None, measure="kl_divergence", **kwargs):
    """kldiv.divergence_matrix of Dask arrays chunked along the rows (the events in one chunk): a lazy
    rows(A) × rows(B) Dask array, one task per pair of row blocks, each equal to the single-machine
    kldiv.divergence_matrix(a, b) of its blocks bit for bit (with ``b`` None, B is A: every pair of
    rows, each block computed as a cross matrix, equal to kldiv.divergence_matrix(a, a))."""
    function = "kldiv.dask.divergence_matrix"
    A = da.asarray(a)
    B = A if b is None else da.asarray(b)
    for name, x in (("a", A), ("b", B)):
        if x.ndim != 2:
            raise _measures._error(function, f"{name} has shape {x.shape}, but it must be 2-D (rows × events)")
        if len(x.chunks[1]) != 1:
            raise _measures._error(function, f"{name}'s events are split into {len(x.chunks[1])} chunks, but each "
                                             "distribution must lie in one chunk (rechunk({1: -1}))")
    if A.shape[1] != B.shape[1]:
        raise _measures._error(function, f"a has {A.shape[1]} events and b {B.shape[1]}, but every row needs the "
                                         "same events")
    options = dict(kwargs, measure=measure, threads=_task_threads(function, kwargs.get("threads")))
    return da.blockwise(functools.partial(_matrix_block, options), "ij", A, "ik", B, "jk", concatenate=True,
                        dtype=np.float64, meta=np.empty((0, 0), np.float64), name="kldiv.divergence_matrix")


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


def _client():
    """The distributed Client that dask.compute would use now, or None (a local scheduler)."""
    distributed = sys.modules.get("distributed")
    client = getattr(dask.base.get_scheduler(), "__self__", None)
    return client if distributed is not None and isinstance(client, distributed.Client) else None


class _Reporter(dask.callbacks.Callback):
    """progress(done, total, 0) for the given keys, on Dask's local schedulers."""

    def __init__(self, progress, keys):
        super().__init__()
        self.progress, self.keys, self.done = progress, set(keys), 0

    def _start(self, dsk):
        self.progress(0, len(self.keys), 0)

    def _posttask(self, key, result, dsk, state, worker_id):
        if key in self.keys:
            self.done += 1
            self.progress(self.done, len(self.keys), 0)


def _compute(tasks, progress):
    """dask.compute(*tasks) on the active scheduler, with Dask's progress bar (progress=True) or
    progress(done, total, 0) per finished task (a callable)."""
    if progress is None or progress is False:
        return dask.compute(*tasks)
    client = _client()
    if client is not None:
        import distributed
        futures = client.compute(list(tasks))
        if progress is True:
            distributed.progress(futures)  # in a terminal, a text bar until all are done; in Jupyter, a widget
        else:
            progress(0, len(futures), 0)
            for done, _ in enumerate(distributed.as_completed(futures), 1):
                progress(done, len(futures), 0)
        return tuple(client.gather(futures))
    if progress is True:
        from dask.diagnostics import ProgressBar
        with ProgressBar():
            return dask.compute(*tasks)
    with _Reporter(progress, [task.key for task in tasks]):
        return dask.compute(*tasks)


def llm_compare(reference, candidate, *, tokens=None, mask=None, reverse_kl=False, js=False, threads=None,
                buffer_mib=256, top_k=None, vocabulary=0, progress=None):
    """kldiv.llm.compare on the active Dask scheduler (a distributed Client's cluster, or Dask's
    default), one task per candidate file; the result equals kldiv.llm.compare's dict exactly.

    Each task opens the files of both models, compares its file's positions only and returns that
    file's summary (its bytes grow with the number of distinct values, at most about 25 MB); they are
    merged here in file order, as the single-machine comparison merges them. The workers must see
    the files (and tokens and mask when they are paths); ``top_k`` and ``vocabulary`` as for
    kldiv.llm.compare. ``threads`` and ``buffer_mib`` are per task: by default each task runs on one
    thread, the scheduler's threads being the parallelism (see the module); ``threads=N`` gives it N
    (0: all the cores of its machine).

    ``progress``: None or False (nothing shown); True, Dask's own bar for the tasks
    (``distributed.progress`` with a distributed Client, ``dask.diagnostics.ProgressBar`` on the
    local schedulers); or a callable, called as ``progress(done, total, 0)`` with the tasks done of
    all, at the start and as each task finishes (an exception it raises stops the comparison).
    """
    threads = _task_threads("kldiv.dask.llm_compare", threads)
    if not (progress is None or progress is False or progress is True or callable(progress)):
        raise TypeError(f"kldiv.dask.llm_compare: progress = {progress!r}, but it must be None, True, False or a "
                        "callable taking (done, total, bytes_done)")
    options = dask.delayed(_llm._options(tokens, mask, reverse_kl, js, threads, buffer_mib, None, vocabulary, top_k),
                           traverse=False)
    reference_files, candidate_files, files = dask.delayed(_plan)(reference, candidate).compute()
    # Files of no rows have no entry in the document (nor a task); with no rows at all, one empty range.
    ranges = [(first, rows) for _, first, rows in files if rows > 0] or [(0, 0)]
    # Tasks named kldiv.llm_compare-<id>-<i>, as Dask's progress bars and dashboard group them.
    name = f"kldiv.llm_compare-{uuid.uuid4().hex}"
    parts = _compute([dask.delayed(_compare_range)(reference_files, candidate_files, options, first, rows,
                                                   dask_key_name=f"{name}-{i}")
                      for i, (first, rows) in enumerate(ranges)], progress)
    comparison = dict(parts[0], files=[file for part in parts for file in part["files"]])
    return json.loads(_kldiv.llm_document(_llm._input(reference), _llm._input(candidate), comparison))


# --- drift ---------------------------------------------------------------------------------------

def _partition_table(function, part, which, categorical, numeric, like=None):
    """One partition (a pandas DataFrame) as the core reads it."""
    return _monitoring._table(function, part, which, categorical, numeric, like=like)


def _drift_sample(part, offset, total, options, categorical, numeric):
    columns, rows = _partition_table("kldiv.dask.drift", part, "reference", categorical, numeric)
    return _kldiv.drift_sample(columns, rows, offset, total, options)


def _drift_add_counts(bins, part, categorical, numeric, threads):
    columns, rows = _partition_table("kldiv.dask.drift", part, "reference", categorical, numeric)
    return _kldiv.drift_add_counts(bins, columns, rows, threads)


def _drift_count_current(profile, types, part, offset, options):
    columns, rows = _partition_table("kldiv.dask.drift", part, "current data", [], [], like=types)
    return _kldiv.drift_count_current(profile, columns, rows, offset, options)


def _offsets(frame):
    """The partitions of a Dask DataFrame as delayed objects, the row each starts at, and the rows."""
    parts = frame.to_delayed()
    lengths = dask.compute(*[dask.delayed(len)(part) for part in parts])
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return parts, [int(o) for o in offsets[:-1]], int(offsets[-1])


def drift_profile(reference, *, columns=None, exclude=None, categorical=None, numeric=None, binning="quantile",
                  bin_count=10, resolution=1000, max_sample=_monitoring.MAX_SAMPLE, time_column=None, threads=None):
    """kldiv.drift_profile of a Dask DataFrame, partition by partition, equal to the profile of the
    whole table on one machine: each partition's sample of rows (chosen by the row's number in the
    whole table) and categories are gathered in partition order, the bins made from them, then every
    partition counted in the bins and the counts added. Binning ``quantile`` (the default) or
    ``fixed``: the other rules need every value on one machine."""
    function = "kldiv.dask.drift_profile"
    if binning not in ("quantile", "fixed"):
        raise _measures._error(function, f"binning = {binning!r}, but on Dask the bins are made from the "
                                         "partitions' samples: use \"quantile\" or \"fixed\"")
    categorical = _monitoring._names(function, "categorical", categorical)
    numeric = _monitoring._names(function, "numeric", numeric)
    options = _monitoring._options(function, columns, exclude, "js_divergence", "calibrated", 0.05, "holm", binning,
                                   bin_count, resolution, "pseudocount", 0.5, 1e-4, None, 0, 0, 0.95, 0, None, None,
                                   None, _task_threads(function, threads), None, max_sample=max_sample)
    if time_column is not None and str(time_column) in [str(c) for c in reference.columns]:
        options["exclude"].append(str(time_column))
    parts, offsets, total = _offsets(reference)
    if total == 0:
        raise _measures._error(function, "the reference has no rows, but drift needs data to compare with")
    try:
        samples = dask.compute(*[dask.delayed(_drift_sample)(part, offset, total, options, categorical, numeric)
                                 for part, offset in zip(parts, offsets)])
        bins = _kldiv.drift_bins(list(samples), options)
        counted = dask.compute(*[dask.delayed(_drift_add_counts)(bins, part, categorical, numeric,
                                                                 options["threads"]) for part in parts])
        return _monitoring.DriftProfile(_kldiv.drift_merge_profiles(list(counted)))
    except ValueError as e:
        raise _measures._named(function, e) from None


def drift(reference, current, *, columns=None, exclude=None, categorical=None, numeric=None,
          measure="js_divergence", rule="calibrated", alpha=0.05, correction="holm", binning="quantile",
          bin_count=10, resolution=1000, max_sample=_monitoring.MAX_SAMPLE, empty_bins="pseudocount", pseudocount=0.5,
          epsilon=1e-4, base=None, permutations=10000, resamples=200, level=0.95, seed=2026, window_rows=None,
          time_column=None, window=None, threads=None, html=None):
    """kldiv.drift with ``current`` a Dask DataFrame and ``reference`` a Dask DataFrame (profiled by
    drift_profile) or a kldiv.DriftProfile: each partition of ``current`` is counted in the profile's
    bins, window by window, on the cluster; the counts are added and compared on the client. The
    result equals kldiv.drift on the whole tables, bit for bit."""
    function = "kldiv.dask.drift"
    if isinstance(reference, _monitoring.DriftProfile):
        profile = reference
    else:
        profile = drift_profile(reference, columns=columns, exclude=exclude, categorical=categorical,
                                numeric=numeric, binning=binning, bin_count=bin_count, resolution=resolution,
                                max_sample=max_sample, time_column=time_column, threads=threads)
    epoch = time_column is not None and time_column in current.columns and current[time_column].dtype.kind == "M"
    options = _monitoring._options(function, columns, exclude, measure, rule, alpha, correction, binning, bin_count,
                                   resolution, empty_bins, pseudocount, epsilon, base, permutations, resamples, level,
                                   seed, window_rows, time_column, window, _task_threads(function, threads), None,
                                   epoch_seconds=epoch, max_sample=max_sample)
    parts, offsets, total = _offsets(current)
    if total == 0:
        raise _measures._error(function, "the current data has no rows, but drift needs data to compare")
    try:
        counts = dask.compute(*[dask.delayed(_drift_count_current)(profile.text, profile.types, part, offset, options)
                                for part, offset in zip(parts, offsets)])
        options["threads"] = _measures._threads(function, threads)
        options["html"] = "" if html is None else str(html)
        document = _kldiv.drift_compare_counts(profile.text, list(counts), options)
    except ValueError as e:
        raise _measures._named(function, e) from None
    return _monitoring.DriftResult(json.loads(document))
