"""How far is a candidate LLM (quantized, distilled) from its reference? ``kldiv llm-compare`` in Python.

    >>> import kldiv.llm
    >>> d = kldiv.llm.compare("ref/part-*.npy", "cand/part-*.npy", tokens="ids.npy")   # doctest: +SKIP
    >>> d["kl"]["mean"], d["kl"]["percentiles"]["99.9"], d["same_top"]["fraction"]       # doctest: +SKIP

``compare`` returns the document that ``kldiv llm-compare --json`` prints, as a dict: the same
keys and the same numbers (docs/llm_compare.md, docs/python_llm.md). A model is a file, a pattern
with ``*`` or ``?`` in its last part (the matching files of that directory, in name order: the
shards of one model), a list of files, or the logits in memory (a NumPy array, a memory map, a
PyTorch tensor). Token ids and the mask are a path to a 1-D integer ``.npy`` or a 1-D array or
tensor, one entry per position. ``verify_reference`` reads a kldiv reference file
(``kldiv llm-reference``) back against the rows it was written from.
"""
import json
import os
import re

import numpy as np

from . import _kldiv
from .measures import _contiguous_rows, _error, _integer, _named, _numpy, _threads, _torch_of
from .progress import _reporter


def _is_files(model):
    """Whether ``model`` names files (a path, a pattern, a list of paths) rather than holding rows."""
    return isinstance(model, (str, os.PathLike)) or (
        isinstance(model, (list, tuple)) and all(isinstance(p, (str, os.PathLike)) for p in model))


def _input(model):
    """A model's input as the document records it: the name or pattern, the files joined by spaces,
    or an array's shape and dtype."""
    if isinstance(model, dict):
        return model["input"]
    return os.fspath(model) if isinstance(model, (str, os.PathLike)) else " ".join(os.fspath(p) for p in model)


def _rows(model, role):
    """A model held in memory (a NumPy array or memory map, a PyTorch tensor, nested lists of numbers)
    as the core reads it: a dict with its rows (positions × vocabulary; leading axes are flattened
    into positions, as a batch × sequence × vocabulary tensor's are), their storage and names."""
    function = "kldiv.llm"
    torch = _torch_of(model)
    if torch is not None:
        t = model.detach().cpu()
        shape, dtype = tuple(t.shape), str(t.dtype).replace("torch.", "")
        a = t.view(torch.int16).numpy().view(np.uint16) if t.dtype == torch.bfloat16 else t.numpy()
        storage = "bfloat16" if t.dtype == torch.bfloat16 else a.dtype.name
    else:
        a = np.asarray(model)
        shape, dtype = a.shape, a.dtype.name
        if a.dtype.kind in "iub":
            raise TypeError(f"{function}: the {role} is an array of dtype {a.dtype}, but a model's rows are "
                            "logits or log-probabilities (float16, bfloat16, float32 or float64)")
        if a.dtype.type not in (np.float16, np.float32, np.float64):
            raise TypeError(f"{function}: the {role} is {type(model).__name__} of dtype {a.dtype}, but it must be a "
                            "path, a pattern, a list of paths, or an array or tensor of logits or log-probabilities")
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        storage = a.dtype.name
    if a.ndim < 2:
        raise _error(function, f"the {role} is an array of shape {shape}, but a model's rows need 2 or more axes "
                               "(positions × vocabulary)")
    if a.shape[-1] < 2:
        raise _error(function, f"the {role} is an array of shape {shape}, but a vocabulary needs at least 2 tokens")
    a = a.reshape(-1, a.shape[-1])
    a = np.ascontiguousarray(a) if a.shape[0] > 1 and a.strides[0] == 0 else _contiguous_rows(a)
    return {"array": a, "storage": storage, "name": f"{role} array",
            "input": f"array of shape {shape}, {dtype}"}


def _model(model, role):
    """One model as the core takes it: its files (_files) or its rows in memory (_rows)."""
    if _is_files(model):
        return _files(model, role)
    if model is None or isinstance(model, (bytes, int, float, dict)) or np.ndim(model) == 0:
        raise TypeError(f"kldiv.llm: the {role} is {model!r}, but it must be a path, a pattern, a list of paths, or "
                        "an array or tensor of logits or log-probabilities")
    return _rows(model, role)


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
    a = np.asarray(_numpy(value))
    if a.ndim > 1:  # per position of batch × sequence logits, flattened as they are
        a = a.reshape(-1)
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
        the reference), or the rows in memory: a NumPy array or memory map, or a PyTorch tensor
        (float16, bfloat16, float32 or float64; any device; leading axes, such as batch ×
        sequence, are flattened into positions); both models cover the same positions in the same
        order. Arrays are read in place (a layout with rows that are not contiguous is copied).
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
    models = _model(reference, "reference"), _model(candidate, "candidate")
    inputs = [_input(m if isinstance(m, dict) else given) for m, given in zip(models, (reference, candidate))]
    try:
        return json.loads(_kldiv.llm_compare(*models, options, *inputs))
    except _kldiv.Error as e:
        raise _named("kldiv.llm.compare", e) from None


def verify_reference(input, reference, *, tokens=None, buffer_mib=256):
    """Read the kldiv reference file ``reference`` back against the rows it was written from.

    input: a file, a pattern, a list of files or the rows in memory (logits or log-probabilities, as
        for ``compare``).
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
    if not isinstance(reference, (str, os.PathLike)):
        raise TypeError(f"kldiv.llm.verify_reference: reference is {type(reference).__name__}, but it must be the "
                        "path of a kldiv reference file")
    return _kldiv.verify_reference(_model(input, "input"), os.fspath(reference), ids,
                                   _integer("kldiv.llm", "buffer_mib", buffer_mib, 1, 2**20))

