"""The measures over NumPy arrays (and anything np.asarray accepts: lists, PyTorch CPU tensors).

Each function moves ``axis`` last, views the array as rows of events (no copy when the array is
contiguous along ``axis``), and calls the compiled core (kldiv._kldiv), which releases the GIL
while it computes. Bad input raises ValueError (or TypeError for values that are not real
numbers) naming the function, the value and the rule.
"""
import math

import numpy as np

from . import _kldiv

_FLOAT_TYPES = (np.float32, np.float64)
_REDUCTIONS = ("none", "sum", "mean")


def _as_rows(function, name, values, axis):
    a = np.asarray(values)
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    elif a.dtype.type not in _FLOAT_TYPES:
        if a.dtype.kind in "biu":
            a = a.astype(np.float64)
        else:
            raise TypeError(f"{function}: {name} has dtype {a.dtype}, but the values must be real numbers")
    if a.ndim == 0:
        raise ValueError(f"{function}: {name} is a scalar, but a distribution needs an axis of events")
    try:
        a = np.moveaxis(a, axis, -1)
    except np.AxisError as e:
        raise ValueError(f"{function}: axis = {axis}, but {name} has {a.ndim} dimensions") from e
    batch = a.shape[:-1]
    rows = a.reshape(-1, a.shape[-1])
    if rows.shape[1] > 1 and rows.strides[1] != rows.itemsize:
        rows = np.ascontiguousarray(rows)
    return rows, batch


def _named(function, error):
    """The core's ValueError, renamed for the Python function the user called."""
    message = str(error)
    for core in ("measure_rows: ", "distillation_loss: ", "distributions::kl_divergence_rows: ", "kldiv: "):
        if message.startswith(core):
            message = message[len(core):]
    return ValueError(f"{function}: {message}")


def _base_value(function, base):
    if base is None:
        return 0.0
    try:
        b = float(base)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: base = {base!r}, but it must be a number such as 2 or 10") from e
    return b


def _measure(function, p, q, names, *, input, axis, keepdims, base, temperature, on_zero, eps, normalize,
             reduction, threads, beta=0.5, sum_tolerance=1e-6):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{function}: reduction = {reduction!r}, but it must be 'none', 'sum' or 'mean'")
    if threads is not None and (not isinstance(threads, (int, np.integer)) or threads < 1):
        raise ValueError(f"{function}: threads = {threads!r}, but it must be None or an integer >= 1")
    P, batch = _as_rows(function, "p", p, axis)
    if q is None:
        Q = P
    else:
        Q, batch_q = _as_rows(function, "q", q, axis)
        if P.shape != Q.shape:
            raise ValueError(f"{function}: p has shape {np.shape(p)} and q has shape {np.shape(q)}, "
                             "but both must have the same shape")
        if P.dtype != Q.dtype:
            P, Q = P.astype(np.float64), Q.astype(np.float64)
    try:
        values = _kldiv.measure_rows(P, Q, list(names), input, float(temperature), _base_value(function, base),
                                     on_zero, 0.0 if eps is None else float(eps), bool(normalize),
                                     float(sum_tolerance), 0 if threads is None else int(threads), float(beta))
    except ValueError as e:
        raise _named(function, e) from None
    result = values[names[0]]
    for extra in names[1:]:
        result = result + values[extra]
    result = result.reshape(batch)
    if reduction != "none":
        if np.isinf(result).any():
            return float(np.inf)
        total = math.fsum(result.ravel().tolist())
        return total if reduction == "sum" else total / max(result.size, 1)
    if keepdims:
        result = np.expand_dims(result, axis=axis if axis >= 0 else axis + len(batch) + 1)
    if result.ndim == 0:
        return float(result)
    return result


def kl_divergence(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="inf",
                  eps=None, normalize=False, reduction="none", threads=None):
    """D(P‖Q) = Σ p log(p/q) along ``axis``: the extra cost of coding P with a code for Q.

    Never negative, exactly 0 for equal distributions, accurate when P and Q agree to many digits.
    ``on_zero``: what p > 0 where q = 0 gives — "inf" (the value), "raise", or "smooth" (add
    ``eps``, 1e-10 by default, and renormalize).
    """
    return _measure("kl_divergence", p, q, ("kl",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, eps=eps, normalize=normalize, reduction=reduction,
                    threads=threads)


def entropy(p, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="inf", eps=None,
            normalize=False, reduction="none", threads=None):
    """H(P) = −Σ p log p along ``axis``."""
    return _measure("entropy", p, None, ("entropy_p",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, eps=eps, normalize=normalize, reduction=reduction,
                    threads=threads)


def cross_entropy(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="inf",
                  eps=None, normalize=False, reduction="none", threads=None):
    """H(P, Q) = −Σ p log q = H(P) + D(P‖Q) along ``axis``."""
    return _measure("cross_entropy", p, q, ("cross_entropy",), input=input, axis=axis, keepdims=keepdims,
                    base=base, temperature=temperature, on_zero=on_zero, eps=eps, normalize=normalize,
                    reduction=reduction, threads=threads)


def jeffreys(p, q, *, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0, on_zero="inf", eps=None,
             normalize=False, reduction="none", threads=None):
    """J(P, Q) = D(P‖Q) + D(Q‖P) along ``axis`` (the symmetric KL divergence)."""
    return _measure("jeffreys", p, q, ("kl", "reverse_kl"), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, eps=eps, normalize=normalize, reduction=reduction,
                    threads=threads)


def js_divergence(p, q, *, beta=0.5, input="probs", axis=-1, keepdims=False, base=None, temperature=1.0,
                  on_zero="inf", eps=None, normalize=False, reduction="none", threads=None):
    """JS_β(P, Q) = β D(P‖M) + (1 − β) D(Q‖M), M = β P + (1 − β) Q, along ``axis`` (β = ½: at most ln 2)."""
    return _measure("js_divergence", p, q, ("js",), input=input, axis=axis, keepdims=keepdims, base=base,
                    temperature=temperature, on_zero=on_zero, eps=eps, normalize=normalize, reduction=reduction,
                    threads=threads, beta=beta)
