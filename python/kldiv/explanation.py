"""Why two distributions differ, event by event: ``kldiv explain`` in Python.

    >>> import kldiv
    >>> d = kldiv.explain([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], labels=["a", "b", "c"], base=2)
    >>> round(d["kl_pq"], 6), d["ranked"][0]["label"], round(d["ranked"][0]["share_pq"], 3)
    (0.396578, 'a', 1.667)
"""
import json
import os

import numpy as np

from . import _kldiv
from .measures import _base_value, _epsilon_value, _error, _integer, _named, _numpy, _real


def _vector(function, name, values):
    a = np.asarray(_numpy(values))
    if a.dtype.kind == "b" or a.dtype.kind not in "iuf":
        raise TypeError(f"{function}: {name} has dtype {a.dtype}, but the values must be real numbers")
    if a.ndim != 1:
        raise _error(function, f"{name} has shape {a.shape}, but a distribution here is a 1-D array of events")
    return a.astype(np.float64)


def explain(p, q, *, labels=None, base=None, on_zero="infinity", epsilon=None, normalize=False, sum_tolerance=1e-6,
            beta=0.5, top=0, html=None, eps=None):
    """Every measure of P and Q, and each event's contribution to D(P‖Q) and D(Q‖P), the events
    ranked by the first: the document ``kldiv explain --json`` prints, as a dict.

    p, q: 1-D probabilities (or counts with ``normalize=True``) over the same events; ``labels``:
    one name per event (default "0", "1", …). ``base``, ``on_zero``, ``epsilon`` (alias ``eps``),
    ``normalize``, ``sum_tolerance``, ``beta`` as for ``kl_divergence`` and ``js_divergence``
    (nats unless ``base`` is given).
    ``top``: the ranked events listed (0: all). ``html``: a path where the self-contained HTML
    report with charts is written (whole or not at all).

    Keys: ``p``, ``q`` (here "p" and "q"), ``events``, ``unit``, ``entropy_p``, ``entropy_q``,
    ``cross_entropy_pq``, ``cross_entropy_qp``, ``kl_pq``, ``kl_qp``, ``jeffreys``, ``js``,
    ``beta``, ``shown`` and ``ranked``: for each listed event ``rank``, ``index``, ``label``,
    ``p``, ``q``, ``contribution_pq`` (p·log(p/q)), ``contribution_qp`` and ``share_pq`` (its
    fraction of D(P‖Q); None where D(P‖Q) is 0 or infinite). +inf is the string "inf".
    """
    function = "explain"
    P, Q = _vector(function, "p", p), _vector(function, "q", q)
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{function}: labels = {labels!r}, but it must be a sequence of labels, one per event")
    if not isinstance(on_zero, str):
        raise TypeError(f"{function}: on_zero = {on_zero!r}, but it must be a name: infinity, error or smooth")
    # Labels as text; what UTF-8 cannot hold (a lone surrogate) as a backslash escape.
    if labels is not None and hasattr(labels, "tolist"):  # an array or tensor: its elements as Python values
        labels = _numpy(labels).tolist()
    names = [] if labels is None else [str(label).encode("utf-8", "backslashreplace").decode("utf-8")
                                       for label in labels]
    if labels is not None and len(names) != P.size:
        raise _error(function, f"{len(names)} labels are given for {P.size} events, but there must be one "
                         "per event")
    epsilon = _epsilon_value(function, epsilon, eps, on_zero)
    top = _integer(function, "top", top, 0)
    path = "" if html is None else os.fspath(html)
    if html is not None and (not isinstance(path, str) or not path or "\0" in path or
                             any(0xd800 <= ord(c) <= 0xdfff for c in path)):
        raise _error(function, f"html = {html!r}, but it must be a path as text: not empty, without NUL bytes")
    try:
        text = _kldiv.explain(P, Q, names, _base_value(function, base), on_zero, epsilon, bool(normalize),
                              _real(function, "sum_tolerance", sum_tolerance), _real(function, "beta", beta), top,
                              path)
    except ValueError as e:
        raise _named(function, e) from None
    return json.loads(text)
