"""The measures over NumPy arrays (and anything np.asarray accepts: lists, PyTorch CPU tensors).

Each function moves ``axis`` last, views the array as rows of events (no copy when the array is
contiguous along ``axis``), and calls the compiled core (kldiv._kldiv), which releases the GIL
while it computes. Bad input raises kldiv.Error, a ValueError (or TypeError for values that are
not real numbers), naming the function, the value and the rule.

``reduction``: "none" (one value per row), "sum" or "mean" over the rows (compensated sums in row
order). With no rows, "none" gives an empty array and "sum" 0.0, as NumPy does; "mean" raises
kldiv.Error, where NumPy would warn and return nan.
"""

import numpy as np

from . import _kldiv

_FLOAT_TYPES = (np.float16, np.float32, np.float64)


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


def _contiguous_rows(rows):
    """``rows`` (2-D) as the core reads it: each row contiguous, rows apart by at least a row (a
    reversed, broadcast or otherwise strided view is copied; a contiguous one is not)."""
    item = rows.itemsize
    if (rows.shape[1] > 1 and rows.strides[1] != item) or rows.strides[0] < rows.shape[1] * item \
            or rows.strides[0] % item:
        rows = np.ascontiguousarray(rows)
    return rows


def _as_rows(function, name, values, axis):
    a = np.asarray(values)
    if a.dtype.type not in _FLOAT_TYPES:
        if a.dtype.kind == "b":
            raise TypeError(f"{function}: {name} has dtype bool, but the values must be real numbers "
                            "(probabilities, log-probabilities or logits), not booleans")
        if a.dtype.kind in "iu":
            a = a.astype(np.float64)
        else:
            raise TypeError(f"{function}: {name} has dtype {a.dtype}, but the values must be real numbers")
    if a.ndim == 0:
        raise _error(function, f"{name} is a scalar, but a distribution needs an axis of events")
    try:
        a = np.moveaxis(a, axis, -1)
    except np.AxisError as e:
        raise _error(function, f"axis = {axis}, but {name} has {a.ndim} dimensions") from e
    if a.shape[-1] == 0:
        raise _error(function, f"{name} has shape {np.shape(values)}: no events along axis {axis}, but a "
                         "distribution needs at least one event")
    batch = a.shape[:-1]
    return _contiguous_rows(a.reshape(-1, a.shape[-1])), batch


def _error(function, message):
    """kldiv.Error (a ValueError) for ``function``: "function: message", both parts as attributes."""
    error = _kldiv.Error(f"{function}: {message}")
    error.function, error.message = function, message
    return error


def _named(function, error):
    """The core's error, named for the Python function the user called: its message without the
    core's function (the core names options as Python does)."""
    message = error.message if isinstance(error, _kldiv.Error) else str(error)
    if message.startswith(f"{function}: "):
        message = message[len(function) + 2:]
    return _error(function, message)


def _real(function, name, value):
    """``value`` as a float, or TypeError naming the argument (booleans and text are refused)."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{function}: {name} = {value!r}, but it must be a real number")
    try:
        return float(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: {name} = {value!r}, but it must be a real number") from e


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


def _measure(function, p, q, names, *, input, axis, keepdims, base, temperature, on_zero, epsilon, eps, normalize,
             sum_tolerance, reduction, threads, beta=0.5):
    if threads is not None:
        _integer(function, "threads", threads, 0, 2**32 - 1)  # 0 (or None): all cores, as everywhere
    epsilon = _epsilon_value(function, epsilon, eps, on_zero)
    P, batch = _as_rows(function, "p", p, axis)
    if q is None:
        Q = P
    else:
        Q, batch_q = _as_rows(function, "q", q, axis)
        if P.shape != Q.shape:
            raise _error(function, f"p has shape {np.shape(p)} and q has shape {np.shape(q)}, "
                             "but both must have the same shape")
        if P.dtype != Q.dtype:
            P, Q = P.astype(np.float64), Q.astype(np.float64)
    # float16 rows go to the core as they are (their bits), as float32 and float64 rows do.
    core = _kldiv.measure_rows_float16 if P.dtype == np.float16 else _kldiv.measure_rows
    if P.dtype == np.float16:
        P, Q = P.view(np.uint16), Q.view(np.uint16)
    try:
        values = core(P, Q, list(names), input, _real(function, "temperature", temperature),
                      _base_value(function, base), on_zero, epsilon, bool(normalize),
                      _real(function, "sum_tolerance", sum_tolerance), 0 if threads is None else int(threads),
                      _real(function, "beta", beta), str(reduction))
    except ValueError as e:
        raise _named(function, e) from None
    result = values[names[0]]
    for extra in names[1:]:
        result = result + values[extra]
    if reduction != "none":  # the core has summed or averaged the rows
        return float(result[0])
    result = result.reshape(batch)
    if keepdims:
        result = np.expand_dims(result, axis=axis if axis >= 0 else axis + len(batch) + 1)
    if result.ndim == 0:
        return float(result)
    return result


def kl_divergence(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
                  epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None,
                  eps=None):
    """D(P‖Q) = Σ p log(p/q) along ``axis``: the extra cost of coding P with a code for Q.

    Never negative, exactly 0 for equal distributions, accurate when P and Q agree to many digits.
    ``on_zero``: what p > 0 where q = 0 gives — "infinity" (the value; alias "inf"), "error" (alias
    "raise"), or "smooth" (add ``epsilon``, 1e-10 by default, and renormalize; ``eps`` is an
    alias). Without ``normalize`` every row must sum to 1 within ``sum_tolerance``. ``base``: None
    or "nats" (the default unit), "bits", "dits", or a number > 1.
    """
    return _measure("kl_divergence", p, q, ("kl",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads)


def entropy(p, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
            epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None, eps=None):
    """H(P) = −Σ p log p along ``axis``."""
    return _measure("entropy", p, None, ("entropy_p",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads)


def cross_entropy(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
                  epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None,
                  eps=None):
    """H(P, Q) = −Σ p log q = H(P) + D(P‖Q) along ``axis``."""
    return _measure("cross_entropy", p, q, ("cross_entropy",), input=input, axis=axis, keepdims=keepdims,
                    base=base, temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps,
                    normalize=normalize, sum_tolerance=sum_tolerance, reduction=reduction, threads=threads)


def jeffreys(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="infinity",
             epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none", threads=None, eps=None):
    """J(P, Q) = D(P‖Q) + D(Q‖P) along ``axis`` (the symmetric KL divergence)."""
    return _measure("jeffreys", p, q, ("kl", "reverse_kl"), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads)


def js_divergence(p, q, *, beta=0.5, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0,
                  on_zero="infinity", epsilon=None, normalize=False, sum_tolerance=1e-6, reduction="none",
                  threads=None, eps=None):
    """JS_β(P, Q) = β D(P‖M) + (1 − β) D(Q‖M), M = β P + (1 − β) Q, along ``axis`` (β = ½: at most ln 2)."""
    return _measure("js_divergence", p, q, ("js",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, epsilon=epsilon, eps=eps, normalize=normalize,
                    sum_tolerance=sum_tolerance, reduction=reduction, threads=threads, beta=beta)
