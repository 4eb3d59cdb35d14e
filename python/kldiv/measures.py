"""The measures over arrays: NumPy arrays of any layout (and anything np.asarray accepts: lists,
memory maps, pandas objects) and PyTorch tensors.

Each function moves ``axis`` last (``axis=None``: the whole array is one distribution), views the
array as rows of events (no copy when each distribution is contiguous, whatever the rows' stride),
and calls the compiled core (kldiv._kldiv), which releases the GIL while it computes. p and q
broadcast against each other by NumPy's rules (a q of shape (V,) against a p of shape (N, V) is
read once for every row, not copied); ``mask`` and ``weights`` broadcast against the batch shape
(the shape without ``axis``).

PyTorch tensors (CPU or any device, float16, bfloat16, float32, float64, ``requires_grad`` or
not) are read as they are (bfloat16 bits included; a tensor on another device is copied to the
CPU) and the result is a float64 tensor on the first tensor's device, outside the autograd graph:
for gradients use :mod:`kldiv.torch`.

Bad input raises kldiv.Error, a ValueError (or TypeError for values that are not real numbers),
naming the function, the value and the rule.

``reduction``: "none" (one value per row), "sum" or "mean" over the rows (compensated sums in row
order; with ``weights``, Σ w v and Σ w v / Σ w; masked rows left out). With no rows, "none" gives
an empty array and "sum" 0.0, as NumPy does; "mean" raises kldiv.Error, where NumPy would warn
and return nan. A distribution needs at least one event: an axis of length 0 is an error when
there are rows.
"""

import math
import sys

import numpy as np

from . import _kldiv

_FLOAT_TYPES = (np.float16, np.float32, np.float64)


def _torch_of(values):
    """The torch module when ``values`` is a torch.Tensor, else None (torch is never imported here)."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(values, torch.Tensor) else None


class _Array:
    """An input as the core reads it: ``array`` holds the values (float16, float32 or float64, native
    byte order) or, for bfloat16 (``storage == "bfloat16"``), their bits as uint16."""

    def __init__(self, array, storage):
        self.array, self.storage = array, storage

    @property
    def shape(self):
        return self.array.shape

    def as_float64(self):
        if self.storage == "bfloat16":
            return (self.array.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        return self.array.astype(np.float64)


def _numpy(values):
    """``values`` as NumPy takes them: a PyTorch tensor detached and on the CPU (bfloat16, which
    NumPy lacks, widened exactly to float32); anything else as it is."""
    torch = _torch_of(values)
    if torch is None:
        return values
    t = values.detach().cpu()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def _as_array(function, name, values):
    """``values`` (an array, a tensor, a list, ...) as an _Array of real numbers."""
    torch = _torch_of(values)
    if torch is not None:
        t = values.detach()
        if t.device.type != "cpu":
            t = t.cpu()
        if t.dtype == torch.bfloat16:
            return _Array(t.view(torch.int16).numpy().view(np.uint16), "bfloat16")
        values = t.numpy()
    a = np.asarray(values)
    if a.dtype.type not in _FLOAT_TYPES:
        if a.dtype.kind == "b":
            raise TypeError(f"{function}: {name} has dtype bool, but the values must be real numbers "
                            "(probabilities, log-probabilities or logits), not booleans")
        if a.dtype.kind in "iu":
            a = a.astype(np.float64)
        else:
            raise TypeError(f"{function}: {name} has dtype {a.dtype}, but the values must be real numbers")
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return _Array(a, a.dtype.name)


def _contiguous_rows(rows):
    """``rows`` (2-D) as the core reads it: each row contiguous, rows apart by at least a row or by
    nothing (one row repeated, as broadcasting gives); any other layout (reversed, transposed,
    strided) is copied, a contiguous one is not."""
    item = rows.itemsize
    stride = rows.strides[0]
    if (rows.shape[1] > 1 and rows.strides[1] != item) or stride % item \
            or (stride != 0 and stride < rows.shape[1] * item) or stride < 0:
        rows = np.ascontiguousarray(rows)
    return rows


def _events_last(function, name, x, axis):
    """The _Array ``x`` with ``axis`` moved last (``axis=None``: flattened)."""
    a = x.array
    if a.ndim == 0:
        raise _error(function, f"{name} is a scalar, but a distribution needs an axis of events")
    if axis is None:
        return _Array(a.reshape(-1), x.storage)
    try:
        return _Array(np.moveaxis(a, _integer(function, "axis", axis, -2**63, 2**63 - 1), -1), x.storage)
    except np.AxisError as e:
        raise _error(function, f"axis = {axis}, but {name} has {a.ndim} dimensions") from e


def _rows_of(function, name, x, original_shape, axis):
    """The rows of ``x`` (events last): a 2-D array, and the batch shape. With no rows the array is
    (0, 1) whatever the events, so that the core returns the empty result."""
    a = x.array
    batch, events = a.shape[:-1], a.shape[-1]
    rows = int(np.prod(batch))
    if rows == 0:
        return np.zeros((0, 1), dtype=a.dtype), batch
    if events == 0:
        raise _error(function, f"{name} has shape {original_shape}: no events along axis {axis}, but a "
                         "distribution needs at least one event")
    return _contiguous_rows(a.reshape(rows, events)), batch


def _as_rows(function, name, values, axis):
    """One input (no broadcasting) as rows: (2-D array, batch shape, storage, dimensions given)."""
    x = _as_array(function, name, values)
    shape = x.shape
    rows, batch = _rows_of(function, name, _events_last(function, name, x, axis), shape, axis)
    return rows, batch, x.storage, len(shape)


def _broadcast_rows(function, p, q, axis):
    """p and q broadcast against each other by NumPy's rules, as rows of one storage type (float64
    when they differ), with the batch shape, the storage and the dimensions of the broadcast shape."""
    P, Q = _as_array(function, "p", p), _as_array(function, "q", q)
    if P.storage != Q.storage:
        P = _Array(P.as_float64(), "float64")
        Q = _Array(Q.as_float64(), "float64")
    try:
        shape = np.broadcast_shapes(P.shape, Q.shape)
    except ValueError:
        raise _error(function, f"p has shape {P.shape} and q has shape {Q.shape}, but they must be equal or "
                         "broadcast against each other (NumPy's rules)") from None
    P = _Array(np.broadcast_to(P.array, shape), P.storage)
    Q = _Array(np.broadcast_to(Q.array, shape), Q.storage)
    P, Q = _events_last(function, "p", P, axis), _events_last(function, "q", Q, axis)
    if _needs_blocks(P.array) or _needs_blocks(Q.array):
        if P.array.shape[-1] == 0:
            _rows_of(function, "p", P, shape, axis)  # the error for no events
        return _blocks(P.array, Q.array), P.array.shape[:-1], P.storage, len(shape)
    rows_p, batch = _rows_of(function, "p", P, shape, axis)
    rows_q, _ = _rows_of(function, "q", Q, shape, axis)
    return [(rows_p, rows_q)], batch, P.storage, len(shape)


def _rows_are_a_view(a):
    """Whether ``a`` (events last) reshapes to 2-D rows without a copy: its batch axes (those of
    length 1 aside) lie one after the other in memory. Checked from the strides — asking NumPy
    would make the copy to find out."""
    axes = [(n, st) for n, st in zip(a.shape[:-1], a.strides[:-1]) if n != 1]
    return all(outer == inner * n_inner for (_, outer), (n_inner, inner) in zip(axes, axes[1:]))


def _needs_blocks(a):
    """Whether viewing ``a`` (events last) as rows would copy a broadcast axis: a copy as large as
    the broadcast shape, which can be far larger than the inputs."""
    return a.ndim > 2 and a.size > 0 and 0 in a.strides[:-1] and not _rows_are_a_view(a)


def _blocks(P, Q):
    """Consecutive blocks of the rows of P and Q (events last, broadcast to one shape) that are
    each a view of the inputs (no copy), in row order."""
    if P.ndim <= 2 or (_rows_are_a_view(P) and _rows_are_a_view(Q)):
        return [(_contiguous_rows(P.reshape(-1, P.shape[-1])), _contiguous_rows(Q.reshape(-1, Q.shape[-1])))]
    return [block for i in range(P.shape[0]) for block in _blocks(P[i], Q[i])]


def _integer(function, name, value, low, high=2**64 - 1):
    """``value`` as a Python int in [low, high], or the error naming the argument and the rule."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{function}: {name} = {value!r}, but it must be an integer")
    value = int(value)
    if not low <= value <= high:
        raise _error(function, f"{name} = {value}, but it must be an integer in [{low}, {high}]")
    return value


def _threads(function, threads, none=0):
    """The thread count for the core: ``none`` for None, else an integer in [0, 2^32 − 1] (the
    core's own limits then apply)."""
    return none if threads is None else _integer(function, "threads", threads, 0, 2**32 - 1)


def _error(function, message):
    """kldiv.Error (a ValueError) for ``function``: "function: message", both parts as attributes."""
    error = _kldiv.Error(f"{function}: {message}")
    error.function, error.message = function, message
    return error


def _named(function, error):
    """The core's error, named for the Python function the user called: its message without the
    core's function (the core names options as Python does)."""
    message = getattr(error, "message", None) or str(error)
    if message.startswith(f"{function}: "):
        message = message[len(function) + 2:]
    # The core's row options are the Python functions' own arguments.
    message = message.replace("rows.weights", "weights").replace("rows.mask", "mask")
    return _error(function, message)


def _real(function, name, value):
    """``value`` as a float, or TypeError naming the argument (booleans and text are refused)."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{function}: {name} = {value!r}, but it must be a real number")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise TypeError(f"{function}: {name} = {value!r}, but it must be a real number (a double)") from e


def _base_value(function, base):
    """0.0 (nats) for None, else ``base`` — a unit name ("nats", "bits", "dits") or a number —
    checked by the core's rule for a logarithm base."""
    if base is None:
        return 0.0
    try:
        if isinstance(base, str):
            return _kldiv.parse_base(base)
        return _kldiv.check_base(_real(function, "base", base))
    except ValueError as e:
        raise _named(function, e) from None


def _epsilon_value(function, epsilon, eps, on_zero):
    """None (the core's default) when neither is given; else ``epsilon`` (or its alias ``eps``),
    which only on_zero="smooth" uses (the core checks its range)."""
    if eps is not None:
        if epsilon is not None:
            raise _error(function, f"epsilon = {epsilon!r} and eps = {eps!r} are both given, but eps is "
                             "another name of epsilon: give one")
        epsilon = eps
    if epsilon is None:
        return None
    value = _real(function, "epsilon", epsilon)
    if on_zero != "smooth":
        raise _error(function, f"epsilon = {epsilon!r} is given with on_zero = {on_zero!r}, but epsilon is "
                         "the smoothing amount of on_zero='smooth' and nothing else uses it")
    return value


def _per_row(function, name, values, batch, dtype):
    """``mask`` or ``weights`` broadcast to the batch shape, one entry per row (None stays None)."""
    if values is None:
        return None
    a = np.asarray(_numpy(values))
    if name == "mask" and a.dtype.kind not in "biu":
        raise TypeError(f"{function}: mask has dtype {a.dtype}, but it must hold booleans (True: the row counts)")
    if name == "weights" and a.dtype.kind not in "iuf":
        raise TypeError(f"{function}: weights has dtype {a.dtype}, but it must hold real numbers")
    try:
        a = np.broadcast_to(a, batch)
    except ValueError:
        raise _error(function, f"{name} has shape {a.shape}, but it must broadcast to the batch shape {batch} "
                         "(the shape of p without the events' axis)") from None
    return np.ascontiguousarray((a != 0) if name == "mask" else a, dtype=dtype).reshape(-1)


def _blockwise(core, blocks, storage, settings, reduction, weights, mask):
    """The measures of rows given in blocks (_blocks): each block's per-row values from the core,
    then the reduction over all rows: a correctly rounded sum (math.fsum) of the weighted values
    of the rows the mask keeps, divided by their total weight for the mean."""
    per_name, first = {}, 0
    for P, Q in blocks:
        if storage == "float16":
            P, Q = P.view(np.uint16), Q.view(np.uint16)
        last = first + P.shape[0]
        block_mask = None if mask is None else mask[first:last]
        for name, v in core(P, Q, *settings, "none", None, block_mask).items():
            per_name.setdefault(name, []).append(v)
        first = last
    values = {name: np.concatenate(parts) for name, parts in per_name.items()}
    if reduction == "none":
        return values
    if reduction not in ("sum", "mean"):
        _kldiv.measure_rows(np.ones((0, 1)), np.ones((0, 1)), *settings, str(reduction))  # the core's error
    kept = np.ones(first, dtype=bool) if mask is None else mask != 0
    w = np.ones(first) if weights is None else weights
    if weights is not None and (not np.all(np.isfinite(w)) or np.any(w < 0)):
        bad = int(np.flatnonzero(~(np.isfinite(w) & (w >= 0)))[0])
        raise _kldiv.Error(f"weights[{bad}] = {w[bad]!r}, but weights must be finite and >= 0")
    total = math.fsum(w[kept])
    if reduction == "mean" and total == 0:
        raise _kldiv.Error("reduction = mean over rows whose total weight is 0, but a mean needs weight")
    return {name: np.array([math.fsum(w[kept] * v[kept]) / (total if reduction == "mean" else 1.0)])
            for name, v in values.items()}


def _as_given(result, p, q):
    """``result`` (a float or a float64 array) as a tensor on the device of the first tensor among
    p and q, if either is one; else as it is."""
    for x in (p, q):
        torch = _torch_of(x)
        if torch is not None:
            return torch.as_tensor(result, dtype=torch.float64).to(x.device)
    return result


def _measure(function, p, q, names, *, input, axis, keepdims, base, temperature, on_zero, epsilon, eps, normalize,
             sum_tolerance, reduction, threads, beta=0.5, alpha=1.0, mask=None, weights=None):
    if threads is not None:
        _integer(function, "threads", threads, 0, 2**32 - 1)  # 0 (or None): all cores, as everywhere
    epsilon = _epsilon_value(function, epsilon, eps, on_zero)
    if weights is not None and reduction == "none":
        raise _error(function, "weights are given with reduction = 'none', but weights apply to the sum and the "
                               "mean only")
    if q is None:
        P, batch, storage, ndim = _as_rows(function, "p", p, axis)
        blocks = [(P, P)]
    else:
        blocks, batch, storage, ndim = _broadcast_rows(function, p, q, axis)
    # 16-bit rows go to the core as their bits, float32 and float64 rows as they are.
    core = {"float16": _kldiv.measure_rows_float16, "bfloat16": _kldiv.measure_rows_bfloat16}.get(
        storage, _kldiv.measure_rows)
    row_weights = _per_row(function, "weights", weights, batch, np.float64)
    row_mask = _per_row(function, "mask", mask, batch, np.uint8)
    settings = (list(names), input, _real(function, "temperature", temperature), _base_value(function, base),
                on_zero, epsilon, bool(normalize), _real(function, "sum_tolerance", sum_tolerance),
                0 if threads is None else int(threads), _real(function, "beta", beta), _real(function, "alpha", alpha))
    try:
        if len(blocks) == 1:  # the core reduces the rows
            P, Q = blocks[0]
            if storage == "float16":
                P, Q = P.view(np.uint16), Q.view(np.uint16)
            values = core(P, Q, *settings, str(reduction), row_weights, row_mask)
        else:
            values = _blockwise(core, blocks, storage, settings, reduction, row_weights, row_mask)
    except ValueError as e:
        raise _named(function, e) from None
    result = values[names[0]]
    for extra in names[1:]:
        result = result + values[extra]
    if reduction != "none":  # the rows are summed or averaged
        return _as_given(float(result[0]), p, q)
    result = result.reshape(batch)
    if keepdims:
        if axis is None:
            result = result.reshape((1,) * ndim)
        else:
            result = np.expand_dims(result, axis=axis if axis >= 0 else axis + len(batch) + 1)
    if result.ndim == 0:
        result = float(result)
    return _as_given(result, p, q)


def kl_divergence(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
                  epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None,
                  eps=None, mask=None, weights=None):
    """D(P‖Q) = Σ p log(p/q) along ``axis``: the extra cost of coding P with a code for Q.

    Never negative, exactly 0 for equal distributions, accurate when P and Q agree to many digits.
    ``on_zero``: what p > 0 where q = 0 gives — "infinity" (the value; alias "inf"), "error" (alias
    "raise"), or "smooth" (add ``epsilon``, 1e-10 by default, and renormalize; ``eps`` is an
    alias). Without ``normalize`` every row must sum to 1 within ``sum_tolerance``. ``base``: None
    or "nats" (the default unit), "bits", "dits", or a number > 1. ``mask`` (booleans) and
    ``weights`` (finite, >= 0), each broadcast to the batch shape: a row whose mask is False is left
    out of "sum" and "mean" (and is 0 with "none"); "sum" is Σ w v and "mean" Σ w v / Σ w.
    ``axis=None``: the whole array is one distribution. The same arguments apply to every measure.
    """
    return _measure("kl_divergence", p, q, ("kl",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, mask=mask,
                    weights=weights)


def entropy(p, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
            epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None, eps=None,
            mask=None, weights=None):
    """H(P) = −Σ p log p along ``axis``."""
    return _measure("entropy", p, None, ("entropy_p",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, mask=mask,
                    weights=weights)


def cross_entropy(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
                  epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None,
                  eps=None, mask=None, weights=None):
    """H(P, Q) = −Σ p log q = H(P) + D(P‖Q) along ``axis``."""
    return _measure("cross_entropy", p, q, ("cross_entropy",), input=input, axis=axis, keepdims=keepdims,
                    base=base, temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps,
                    normalize=normalize, sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, mask=mask,
                    weights=weights)


def jeffreys(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
             epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None, eps=None,
             mask=None, weights=None):
    """J(P, Q) = D(P‖Q) + D(Q‖P) along ``axis`` (the symmetric KL divergence)."""
    return _measure("jeffreys", p, q, ("kl", "reverse_kl"), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, mask=mask,
                    weights=weights)


def js_divergence(p, q, *, beta=0.5, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0,
                  on_zero="infinity", epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none",
                  threads=None, eps=None, mask=None, weights=None):
    """JS_β(P, Q) = β D(P‖M) + (1 − β) D(Q‖M), M = β P + (1 − β) Q, along ``axis`` (β = ½: at most ln 2)."""
    return _measure("js_divergence", p, q, ("js",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, beta=beta, mask=mask,
                    weights=weights)


def divergence(p, q, measure="kl_divergence", *, alpha=1.0, beta=0.5, input="probs", axis=-1, keepdims=False,
               base=None, temperature=1.0, on_zero="infinity", epsilon=None, normalize=False, sum_tolerance=1e-6,
               reduction="none", threads=None, eps=None, mask=None, weights=None):
    """The divergence named ``measure`` between P and Q along ``axis``; the other arguments as for kl_divergence.

    ``measure``: "kl_divergence", "reverse_kl", "jeffreys", "js_divergence", "js_distance",
    "renyi_divergence" (order ``alpha`` in [0, inf]: ln Σ p^α q^(1−α) / (α − 1)), "tsallis_divergence"
    (order ``alpha`` >= 0: (Σ p^α q^(1−α) − 1) / (α − 1)), "pearson_chi2" (Σ (p − q)²/q),
    "neyman_chi2" (Σ (p − q)²/p), "squared_hellinger" (½ Σ (√p − √q)²), "hellinger" (its root),
    "total_variation" (½ Σ |p − q|), "bhattacharyya" (−ln Σ √(pq)), "triangular" (Σ (p − q)²/(p + q)),
    "skew_divergence" (D(P‖αQ + (1−α)P), ``alpha`` in (0, 1]); aliases "kl", "js", "renyi",
    "tsallis", "chi2", "tv", "skew", … ``alpha`` = 1 makes Rényi, Tsallis and skew KL. The
    logarithmic measures (KL, Jeffreys, JS, Rényi, Bhattacharyya, skew) are in the unit of ``base``;
    the others are pure numbers. Every value comes from terms that cannot cancel: exactly 0 for
    equal inputs, full relative precision for nearly equal ones (kldiv/divergences.hpp).
    """
    if not isinstance(measure, str):
        raise TypeError(f"divergence: measure = {measure!r}, but it must be the name of a measure (a str)")
    return _measure("divergence", p, q, ("divergence:" + measure,), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, beta=beta, alpha=alpha,
                    mask=mask, weights=weights)


def _called(function, p, q, measure, **options):
    """divergence(p, q, measure, **options), its errors named for ``function``, the one the user called."""
    try:
        return divergence(p, q, measure, **options)
    except (_kldiv.Error, TypeError) as e:
        text = str(e)
        if not text.startswith("divergence: "):
            raise
        if isinstance(e, TypeError):
            raise TypeError(function + text[len("divergence"):]) from None
        raise _error(function, text[len("divergence: "):]) from None


def renyi_divergence(p, q, alpha, **options):
    """D_α(P‖Q) = ln Σ p^α q^(1−α) / (α − 1) for α in [0, inf] (KL at 1, −ln Q(supp P) at 0, ln max p/q at inf)."""
    return _called("renyi_divergence", p, q, "renyi_divergence", alpha=alpha, **options)


def tsallis_divergence(p, q, alpha, **options):
    """T_α(P‖Q) = (Σ p^α q^(1−α) − 1) / (α − 1) for α >= 0 (KL at 1, Pearson's χ² at 2)."""
    return _called("tsallis_divergence", p, q, "tsallis_divergence", alpha=alpha, **options)


def skew_divergence(p, q, alpha, **options):
    """D(P‖αQ + (1−α)P), α in (0, 1] (Lee's skew divergence, who recommends α = 0.99; KL at 1)."""
    return _called("skew_divergence", p, q, "skew_divergence", alpha=alpha, **options)


def js_distance(p, q, **options):
    """√JS_β(P, Q) in the unit of ``base`` (scipy.spatial.distance.jensenshannon)."""
    return _called("js_distance", p, q, "js_distance", **options)


def pearson_chi2(p, q, **options):
    """Pearson's χ²(P‖Q) = Σ (p − q)²/q (a pure number)."""
    return _called("pearson_chi2", p, q, "pearson_chi2", **options)


def neyman_chi2(p, q, **options):
    """Neyman's χ²: Σ (p − q)²/p = χ²(Q‖P) (a pure number)."""
    return _called("neyman_chi2", p, q, "neyman_chi2", **options)


def squared_hellinger(p, q, **options):
    """H² = ½ Σ (√p − √q)² = 1 − Σ √(pq), in [0, 1]."""
    return _called("squared_hellinger", p, q, "squared_hellinger", **options)


def hellinger(p, q, **options):
    """The Hellinger distance H = √(½ Σ (√p − √q)²), in [0, 1]."""
    return _called("hellinger", p, q, "hellinger", **options)


def total_variation(p, q, **options):
    """The total variation distance ½ Σ |p − q|, in [0, 1]."""
    return _called("total_variation", p, q, "total_variation", **options)


def bhattacharyya(p, q, **options):
    """The Bhattacharyya distance −ln Σ √(pq) = D_½ / 2, in the unit of ``base``."""
    return _called("bhattacharyya", p, q, "bhattacharyya", **options)


def triangular(p, q, **options):
    """Triangular discrimination Σ (p − q)²/(p + q), in [0, 2] (twice Le Cam's divergence)."""
    return _called("triangular", p, q, "triangular", **options)


def generalized_js_divergence(distributions, weights=None, *, base=None, on_zero="infinity", epsilon=None,
                              normalize=False, sum_tolerance=1e-6):
    """JS_w(P_1, …, P_n) = Σ w_i D(P_i‖M) = H(M) − Σ w_i H(P_i), M = Σ w_i P_i: the rows of ``distributions``.

    ``weights``: one per distribution, >= 0, summing to 1 (or any positive total with
    ``normalize``); None gives equal weights. At most ln n (the entropy of the weights); exactly 0
    when every distribution is the same; for two it is js_divergence with beta = w_1.
    """
    function = "generalized_js_divergence"
    rows = np.asarray(_numpy(distributions), dtype=np.float64)
    if rows.ndim != 2:
        raise _error(function, f"distributions has shape {rows.shape}, but it must be 2-D (one distribution per row)")
    w = None if weights is None else np.ascontiguousarray(np.asarray(_numpy(weights), dtype=np.float64).reshape(-1))
    epsilon = _epsilon_value(function, epsilon, None, on_zero)
    try:
        return _kldiv.generalized_js_divergence(np.ascontiguousarray(rows), w, _base_value(function, base), on_zero,
                                                epsilon, bool(normalize), _real(function, "sum_tolerance", sum_tolerance))
    except ValueError as e:
        raise _named(function, e) from None


def divergence_matrix(a, b=None, measure="kl_divergence", *, alpha=1.0, beta=0.5, input="probs", base=None,
                      temperature=1.0, on_zero="infinity", epsilon=None, normalize=False, sum_tolerance=1e-6,
                      threads=None):
    """D[i, j] = divergence(a[i], b[j], measure) for every row of ``a`` (n × V) and of ``b`` (m × V), as
    scipy.spatial.distance.cdist; every pair of rows of ``a`` when ``b`` is None (symmetric measures
    computed once, the diagonal exactly 0). Rows as for divergence (probabilities, log-probabilities,
    logits; float32 read as float32, other dtypes as float64). Each entry is the one-pair value (within
    1e-14; the logarithm-free measures of probability rows are summed in SIMD lanes).
    """
    function = "divergence_matrix"
    if not isinstance(measure, str):
        raise TypeError(f"{function}: measure = {measure!r}, but it must be the name of a measure (a str)")

    def rows(name, x):
        x = np.asarray(_numpy(x))
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2:
            raise _error(function, f"{name} has shape {x.shape}, but it must be 2-D (rows × events)")
        return np.ascontiguousarray(x, dtype=np.float32 if x.dtype == np.float32 else np.float64)

    A = rows("a", a)
    B = None if b is None else rows("b", b)
    if B is not None and B.dtype != A.dtype:
        A, B = A.astype(np.float64), B.astype(np.float64)
    if threads is not None:
        _integer(function, "threads", threads, 0, 2**32 - 1)
    try:
        return _kldiv.divergence_matrix(A, B, measure, input, _real(function, "temperature", temperature),
                                        _base_value(function, base), on_zero,
                                        _epsilon_value(function, epsilon, None, on_zero), bool(normalize),
                                        _real(function, "sum_tolerance", sum_tolerance),
                                        0 if threads is None else int(threads), _real(function, "beta", beta),
                                        _real(function, "alpha", alpha))
    except ValueError as e:
        raise _named(function, e) from None
