"""How far is a candidate LLM (quantized, distilled) from its reference? ``kldiv llm-compare`` in Python.

    >>> import kldiv.llm
    >>> d = kldiv.llm.compare("ref/part-*.npy", "cand/part-*.npy", tokens="ids.npy")   # doctest: +SKIP
    >>> d["kl"]["mean"], d["kl"]["percentiles"]["99.9"], d["same_top"]["fraction"]       # doctest: +SKIP

``compare`` returns the document that ``kldiv llm-compare --json`` prints, as a dict: the same
keys and the same numbers (docs/llm_compare.md, docs/python_llm.md). A model is a file, a pattern
with ``*`` or ``?`` in its last part (the matching files of that directory, in name order: the
shards of one model), or a list of files. Token ids and the mask are a path to a 1-D integer
``.npy`` or a 1-D array, one entry per position. ``verify_reference`` reads a kldiv reference file
(``kldiv llm-reference``) back against the rows it was written from.
"""
import json
import os
import re

import numpy as np

from . import _kldiv
from .measures import _error, _integer, _threads
from .progress import _reporter


def _input(model):
    """A model's input as the document records it: the name or pattern, or the files joined by spaces."""
    return os.fspath(model) if isinstance(model, (str, os.PathLike)) else " ".join(os.fspath(p) for p in model)


def _files(model, role):
    """The files of one model, in order."""
    if isinstance(model, bytes) or not isinstance(model, (str, os.PathLike, list, tuple)):
        raise TypeError(f"kldiv.llm: the {role} is {model!r}, but it must be a path, a pattern or a list of paths")
    if not isinstance(model, (str, os.PathLike)):
        paths = [os.fspath(p) for p in model]
        if not paths:
            raise _error("kldiv.llm", f"the {role} is an empty list of files")
        return paths
    given = os.fspath(model)
    directory, name = os.path.split(given)
    if not re.search(r"[*?]", name):
        return [given]
    # As the command expands it: '*' and '?' only, regular files, sorted by path.
    pattern = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name), re.DOTALL)
    directory = directory or "."
    try:
        entries = list(os.scandir(directory))
    except OSError:
        entries = []
    found = sorted(os.path.join(directory, e.name) for e in entries if e.is_file() and pattern.fullmatch(e.name))
    if not found:
        raise _error("kldiv.llm", f"{role} {given} matches no file")
    return found


def _per_position(value, what):
    """None, a path (kept, read by the core) or a checked 1-D array: int32 token ids, uint8 mask."""
    if value is None or isinstance(value, (str, os.PathLike)):
        return None if value is None else os.fspath(value)
    a = np.asarray(value)
    if a.ndim != 1 or a.dtype.kind not in ("iub" if what == "mask" else "iu"):
        raise _error("kldiv.llm", f"{what} must be a path to a .npy or a 1-D integer array, one entry per position, "
                         f"but it is an array of shape {a.shape} and dtype {a.dtype}")
    if what == "mask":
        return np.ascontiguousarray(a != 0, dtype=np.uint8)
    bad = np.flatnonzero((a < -1) | (a > np.iinfo(np.int32).max))
    if bad.size:
        raise _error("kldiv.llm", f"tokens[{bad[0]}] = {a[bad[0]]}, "
                         "but token ids must be -1 (unknown) or in [0, 2^31)")
    return np.ascontiguousarray(a, dtype=np.int32)


def _options(tokens, mask, reverse_kl, js, threads, buffer_mib, progress=None, vocabulary=0, top_k=None):
    return dict(tokens=_per_position(tokens, "tokens"), mask=_per_position(mask, "mask"), reverse_kl=bool(reverse_kl),
                js=bool(js), threads=_threads("kldiv.llm", threads),
                buffer_mib=_integer("kldiv.llm", "buffer_mib", buffer_mib, 1, 2**20),
                progress=_reporter("kldiv.llm", progress, "llm compare", "positions"),
                vocabulary=_integer("kldiv.llm", "vocabulary", vocabulary, 0, 2**63 - 1),
                top_k=0 if top_k is None else _integer("kldiv.llm", "top_k", top_k, 1, 100))


def compare(reference, candidate, *, tokens=None, mask=None, reverse_kl=False, js=False, threads=0, buffer_mib=256,
            progress=None, vocabulary=0, top_k=None):
    """Compare the candidate's next-token distributions with the reference's, position by position.

    reference, candidate: each a file, a pattern or a list of files (.npy of shape positions ×
        vocabulary, safetensors, a llama.cpp --kl-divergence-base file or a kldiv reference file as
        the reference); both models cover the same positions in the same order.
    tokens: the actual next token of each position (−1: unknown), for perplexity and Δp; without it,
        the ids the reference's files carry, if any.
    mask: non-zero for the positions to score.
    reverse_kl, js: also D(candidate‖reference) and the Jensen-Shannon divergence.
    threads: 0 for all cores. buffer_mib: memory for the blocks of rows of both models.
    progress: show (True) or report (a callable) the positions compared (kldiv.progress).
    top_k: also the overlap of the k most likely tokens (1 to 100; 5 and 10 are always there).
    vocabulary: 0 (the models' vocabularies, which must be equal), or N to compare the first N tokens
        of every row, renormalized over them (for vocabularies padded to different sizes).

    Returns the ``kldiv llm-compare --json`` document as a dict (nats; +inf as the string "inf",
    values not defined, e.g. a standard error of one position, as None). Raises ValueError for
    unreadable or mismatched inputs.
    """
    options = _options(tokens, mask, reverse_kl, js, threads, buffer_mib, progress, vocabulary, top_k)
    return json.loads(_kldiv.llm_compare(_files(reference, "reference"), _files(candidate, "candidate"), options,
                                         _input(reference), _input(candidate)))


def verify_reference(input, reference, *, tokens=None, buffer_mib=256):
    """Read the kldiv reference file ``reference`` back against the rows it was written from.

    input: a file, a pattern or a list of files (logits or log-probabilities, as for ``compare``).
    tokens: the token ids the file must hold (a path or a 1-D integer array, −1: unknown); without
        it, the ids the input's files carry. Only checked when the file holds ids.
    buffer_mib: memory for a block of rows of both.

    Every log-probability ℓ = log_softmax(row) must decode within the bound of the file's encoding
    (values below its kept range may decode to −inf: they are counted as dropped); −inf must stay
    −inf; the file must have the input's rows and vocabulary. Returns a dict: ``largest_error`` (in
    nats), ``largest_error_to_bound`` (≤ 1), ``dropped_values`` and ``largest_dropped_mass`` (the
    largest probability a row lost to −inf). Raises kldiv.Error naming the first row (and column)
    that fails. ``kldiv llm-reference --verify`` runs the same check before it writes its file.
    """
    ids = _per_position(tokens, "tokens")
    if isinstance(ids, np.ndarray) and ids.size == 0:
        raise _error("kldiv.llm", "tokens is an empty array, but it must hold one id per row of the input "
                                  "(-1: unknown)")
    return _kldiv.verify_reference(_files(input, "input"), os.fspath(reference), ids,
                                   _integer("kldiv.llm", "buffer_mib", buffer_mib, 1, 2**20))

