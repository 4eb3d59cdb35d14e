"""Drift monitoring: has the data moved since the reference, how much, where, and is it more than
chance? ``kldiv.drift(reference, current)`` is ``kldiv drift REFERENCE CURRENT`` in Python.

    >>> import numpy as np, pandas as pd, kldiv
    >>> rng = np.random.default_rng(7)
    >>> ref = pd.DataFrame({"age": rng.normal(40, 10, 5000), "plan": rng.choice(["a", "b", "c"], 5000)})
    >>> cur = pd.DataFrame({"age": rng.normal(43, 10, 2000), "plan": rng.choice(["a", "b", "c"], 2000)})
    >>> r = kldiv.drift(ref, cur, seed=1)
    >>> r.drifted
    ['age']
    >>> c = r["age"]
    >>> c.tested, c.measures["psi"].value > c.measures["psi"].expected
    ('js_divergence', True)

Tables are pandas DataFrames, NumPy arrays (columns named "0", "1", ...) or dicts of 1-D arrays.
Column types follow the data: numbers are numeric, booleans boolean, anything else (strings,
pandas categories) categorical; ``categorical=[...]`` and ``numeric=[...]`` declare them instead
(integers coded as categories, numbers held as text). Missing values (NaN, None, pandas' NA) are
counted apart and their rate tested on its own.

Every measure (``psi``, ``kl_reference_current``, ``kl_current_reference``, ``js_divergence``,
``js_distance``, ``hellinger``, ``total_variation``, ``chi2``, ``ks``, ``wasserstein``) comes with the
value expected between two samples of one distribution at these sizes, a permutation p-value and a
bootstrap interval; a column has drifted when the tested ``measure``'s p-value, adjusted across the
columns (``correction="holm"``), is at most ``alpha`` — or, with ``rule="psi_0.25"`` and the like,
when a fixed threshold is passed, as other tools decide. ``window_rows=`` or ``time_column=`` with
``window=`` ("1d", "6h", a number of seconds, or of the time column's units) compare windows of the
current data one by one; ``html=`` writes the HTML report. The options, their names and defaults are those of ``kldiv drift``
(docs/drift.md).
"""
from __future__ import annotations

import json
import math
from typing import Dict, List, NamedTuple, Optional

import numpy as np

from . import _kldiv
from .measures import _base_value, _error, _integer, _named, _threads
from .progress import _reporter

_FUNCTION = "kldiv.drift"
_MISSING_CODE = 0xFFFFFFFF
MAX_SAMPLE = 2 ** 18  # reference values the quantile edges are taken from (kldiv/drift/bins.hpp)
MEASURES = ("psi", "kl_reference_current", "kl_current_reference", "js_divergence", "js_distance", "hellinger",
            "total_variation", "chi2", "ks", "wasserstein")


class MeasureResult(NamedTuple):
    value: float
    expected: Optional[float]   # under no drift, at these sample sizes
    p_value: Optional[float]    # permutation p-value
    low: Optional[float]        # bootstrap interval
    high: Optional[float]


class ColumnDrift(NamedTuple):
    name: str
    type: str                   # "numeric", "boolean", "categorical"
    type_from: str              # "inferred" or "declared"
    drifted: bool
    tested: str                 # the measure flagged on
    adjusted_p_value: Optional[float]
    measures: Dict[str, MeasureResult]
    reference_count: float
    reference_missing: float
    current_count: float
    current_missing: float
    missing_p_value: Optional[float]
    permutations: int
    bins: List[dict]            # {"bin", "reference", "current", "contribution"}: where it moved

    @property
    def p_value(self) -> Optional[float]:
        """The tested measure's p-value before the adjustment across columns."""
        return self.measures[self.tested].p_value


class Window(NamedTuple):
    label: str
    start: float
    end: float
    rows: int
    drifted: int
    columns: List[ColumnDrift]  # ranked: drifted first, then by p-value


def _number(x):
    """A JSON number as a float: None (null, not computed) stays None; "inf" and "-inf" are read."""
    return None if x is None else float(x)


def _column(c) -> ColumnDrift:
    measures = {name: MeasureResult(_number(m["value"]), _number(m["expected"]), _number(m["p_value"]),
                                    _number(m["interval"][0]), _number(m["interval"][1]))
                for name, m in c["measures"].items()}
    return ColumnDrift(c["name"], c["type"], c["type_from"], c["drifted"], c["tested"], _number(c["adjusted_p_value"]),
                       measures, c["reference"]["count"], c["reference"]["missing"], c["current"]["count"],
                       c["current"]["missing"], _number(c["missing_p_value"]), c["permutations"], c["bins"])


class DriftResult:
    """The result of kldiv.drift: ``windows`` (one, ``"all"``, without windowing), each with its columns
    ranked by drift; ``result["name"]`` is a column of the last window, ``drifted`` the names of its
    drifted columns, ``to_frame()`` one row per window and column, ``document`` the JSON document of
    ``kldiv drift --json``."""

    def __init__(self, document: dict):
        self.document = document
        self.windows = [Window(w["window"], _number(w["start"]), _number(w["end"]), w["rows"], w["drifted"],
                               [_column(c) for c in w["columns"]]) for w in document["windows"]]

    @property
    def columns(self) -> List[ColumnDrift]:
        return self.windows[-1].columns

    @property
    def drifted(self) -> List[str]:
        return [c.name for c in self.columns if c.drifted]

    def __getitem__(self, name: str) -> ColumnDrift:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_frame(self):
        """A pandas DataFrame: one row per window and column, with each measure's value, expected
        value and p-value."""
        import pandas as pd
        rows = []
        for w in self.windows:
            for c in w.columns:
                row = {"window": w.label, "column": c.name, "type": c.type, "drifted": c.drifted, "tested": c.tested,
                       "p_value": c.p_value, "adjusted_p_value": c.adjusted_p_value,
                       "reference_count": c.reference_count, "current_count": c.current_count,
                       "reference_missing": c.reference_missing, "current_missing": c.current_missing,
                       "missing_p_value": c.missing_p_value}
                for name in MEASURES:
                    m = c.measures.get(name)
                    row[name] = m.value if m else math.nan
                    row[name + "_expected"] = m.expected if m else math.nan
                    row[name + "_p_value"] = m.p_value if m else math.nan
                rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        lines = []
        for w in self.windows:
            lines.append(f"window {w.label}: {w.rows} rows, {w.drifted} of {len(w.columns)} columns drifted")
            for c in w.columns:
                m = c.measures.get(c.tested)
                p = c.adjusted_p_value if c.adjusted_p_value is not None else (m.p_value if m else None)
                value = "n/a" if m is None else f"{m.value:.4g} (expected {m.expected:.3g}, p adjusted = {p:.3g})" \
                    if m.expected is not None and p is not None else f"{m.value:.4g}"
                lines.append(f"  {'DRIFT' if c.drifted else 'ok   '} {c.name} [{c.type}] {c.tested} = {value}")
        return "\n".join(lines)


class DriftProfile:
    """A reference profile: the bins and the reference's counts of every column, all that kldiv.drift
    needs of the reference (``kldiv drift --save-profile``'s file). ``save(path)`` writes it,
    ``DriftProfile.load(path)`` reads one, ``a.merge(b)`` adds the counts of a profile of other rows
    counted in the same bins; ``text`` is its JSON."""

    def __init__(self, text: str):
        self.text = text
        document = json.loads(text)
        self.rows = document["rows"]
        self.columns = [c["name"] for c in document["columns"]]
        self.types = {c["name"]: c["type"] for c in document["columns"]}
        self.binning = document["binning"]

    @classmethod
    def load(cls, path) -> "DriftProfile":
        try:
            return cls(_kldiv.load_drift_profile(str(path)))
        except ValueError as e:
            raise _named("kldiv.DriftProfile.load", e) from None

    def save(self, path) -> None:
        _kldiv.save_drift_profile(self.text, str(path))

    def merge(self, other: "DriftProfile") -> "DriftProfile":
        try:
            return DriftProfile(_kldiv.drift_merge_profiles([self.text, other.text]))
        except ValueError as e:
            raise _named("kldiv.DriftProfile.merge", e) from None

    def __repr__(self) -> str:
        return f"DriftProfile({self.rows} rows, columns {self.columns})"


def _codes(values, function, name):
    """Category codes (uint32, missing as 0xFFFFFFFF) and the categories' texts of a 1-D sequence."""
    import pandas as pd
    codes, uniques = pd.factorize(pd.Series(values, dtype=object if not hasattr(values, "dtype") else None),
                                  use_na_sentinel=True)
    out = codes.astype(np.int64)
    out[out < 0] = _MISSING_CODE
    return out.astype(np.uint32), [str(u) for u in uniques]


def _boolean(values):
    import pandas as pd
    s = pd.Series(values)
    codes = np.full(len(s), _MISSING_CODE, dtype=np.uint32)
    known = s.notna().to_numpy()
    codes[known] = s[known].astype(bool).to_numpy().astype(np.uint32)
    return codes, ["false", "true"]


def _boolean_text(values, function, name):
    """A current column read as the reference's boolean one: true/false in any letter case, 1/0 and
    booleans; missing values as missing; anything else an error naming the column and the row (as the
    command line's reader does)."""
    import pandas as pd
    s = pd.Series(values)
    codes = np.full(len(s), _MISSING_CODE, dtype=np.uint32)
    for row, value in enumerate(s.tolist()):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            continue
        text = str(value).strip().lower()
        if text in ("true", "1", "1.0"):
            codes[row] = 1
        elif text in ("false", "0", "0.0"):
            codes[row] = 0
        else:
            raise _error(function, f"column {name!r}, row {row + 1}: {value!r} is not true or false, but column "
                                   f"{name} is boolean in the reference")
    return codes, ["false", "true"]


def _numbers(values, function, name):
    """float64 values of a numeric column (NaN where missing); text that is not a number is an error
    naming the column and the first such row."""
    import pandas as pd
    s = pd.Series(values)
    if s.dtype.kind == "M":  # datetimes: seconds since 1970-01-01T00:00:00Z
        t = s.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        out = t.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64) / 1e9
        out[t.isna().to_numpy()] = np.nan
        return out
    converted = pd.to_numeric(s, errors="coerce")
    bad = converted.isna().to_numpy() & s.notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise _error(function, f"column {name!r}, row {row + 1}: {s.iloc[row]!r} is not a number, but column {name} "
                               "is numeric")
    return converted.to_numpy(dtype=np.float64, na_value=np.nan)


def _column_spec(function, name, values, declared_type, like_type):
    """The dict the core reads for one column."""
    kind = getattr(getattr(values, "dtype", None), "kind", None)
    dtype = getattr(values, "dtype", None)
    wanted = declared_type or like_type
    if wanted is None:
        if kind == "b" or str(dtype) == "boolean":
            wanted = "boolean"
        elif kind in ("i", "u", "f", "M") or str(dtype) in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16",
                                                              "UInt32", "UInt64", "Float32", "Float64"):
            wanted = "numeric"
        else:
            wanted = "categorical"
    spec = {"name": name, "type": wanted, "declared": declared_type is not None}
    if wanted == "numeric":
        if isinstance(values, np.ndarray) and values.dtype in (np.float64, np.float32) and values.strides[0] >= 0:
            spec["values"] = values  # a strided view is read in place
        else:
            spec["values"] = _numbers(values, function, name)
    elif wanted == "boolean" and (kind == "b" or str(dtype) == "boolean"):
        spec["codes"], spec["categories"] = _boolean(values)
    elif wanted == "boolean" and like_type == "boolean":
        spec["codes"], spec["categories"] = _boolean_text(values, function, name)
    else:
        if wanted == "boolean":
            spec["type"] = "categorical"
        spec["codes"], spec["categories"] = _codes(values, function, name)
    return spec


def _table(function, table, which, categorical, numeric, like=None):
    """A table's columns as the core reads them, and its row count."""
    import pandas as pd
    if isinstance(table, pd.DataFrame):
        names = [str(c) for c in table.columns]
        columns = [table.iloc[:, j] for j in range(table.shape[1])]
        rows = len(table)
    elif isinstance(table, dict):
        names = [str(k) for k in table]
        columns = [np.asarray(v) for v in table.values()]
        rows = len(columns[0]) if columns else 0
        for n, c in zip(names, columns):
            if c.ndim != 1 or len(c) != rows:
                raise _error(function, f"{which} column {n!r} has shape {c.shape}, but every column must be 1-D "
                                       f"with the same length ({rows})")
    else:
        a = np.asarray(table)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise _error(function, f"{which} has shape {a.shape}, but a table is 1-D or 2-D (rows x columns)")
        names = [str(j) for j in range(a.shape[1])]
        columns = [a[:, j] for j in range(a.shape[1])]
        rows = a.shape[0]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise _error(function, f"{which} has more than one column named {repeated[0]!r}, but names must be distinct")
    for declared in (categorical, numeric):
        for n in declared:
            if n not in names:
                raise _error(function, f"{n!r} is declared {'categorical' if declared is categorical else 'numeric'}, "
                                       f"but the {which} has no such column")
    specs = []
    for n, c in zip(names, columns):
        declared = "categorical" if n in categorical else ("numeric" if n in numeric else None)
        like_type = None
        if like is not None and n in like:
            like_type = "numeric" if like[n] == "numeric" else "categorical"
            if like[n] == "boolean":
                like_type = "boolean"
        if isinstance(c, pd.Series) and c.dtype in (np.float64, np.float32):
            c = c.to_numpy()
        specs.append(_column_spec(function, n, c, declared, like_type))
    return specs, rows


def _is_datetime(table, column):
    """Whether ``column`` of ``table`` holds datetimes (then read as seconds since 1970)."""
    import pandas as pd
    if column is None or not isinstance(table, pd.DataFrame) or column not in table.columns:
        return False
    return table[column].dtype.kind == "M"


def _names(function, name, value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _options(function, columns, exclude, measure, rule, alpha, correction, binning, bin_count, resolution,
             empty_bins, pseudocount, epsilon, base, permutations, resamples, level, seed, window_rows, time_column,
             window, threads, progress, epoch_seconds=False, max_sample=MAX_SAMPLE):
    """The options dict the core reads (python/src/drift.cpp), each checked and named as here."""
    return dict(columns=_names(function, "columns", columns), exclude=_names(function, "exclude", exclude),
                binning=binning, bin_count=_integer(function, "bin_count", bin_count, 0),
                resolution=_integer(function, "resolution", resolution, 0),
                max_sample=_integer(function, "max_sample", max_sample, 0), measure=measure, rule=rule,
                alpha=float(alpha), correction=correction, empty_bins=empty_bins, pseudocount=float(pseudocount),
                epsilon=float(epsilon), base=_base_value(function, base),
                permutations=_integer(function, "permutations", permutations, 0),
                resamples=_integer(function, "resamples", resamples, 0), level=float(level),
                seed=_integer(function, "seed", seed, 0),
                window_rows=0 if window_rows is None else _integer(function, "window_rows", window_rows, 1),
                time_column="" if time_column is None else str(time_column),
                window_seconds=_window_seconds(function, window, time_column), epoch_seconds=epoch_seconds,
                threads=_threads(function, threads), progress=_reporter(function, progress, "drift", "columns"))


def drift_profile(reference, *, columns=None, exclude=None, categorical=None, numeric=None, binning: str = "quantile",
                  bin_count: int = 10, resolution: int = 1000, max_sample: int = MAX_SAMPLE,
                  time_column: Optional[str] = None, threads: Optional[int] = None) -> DriftProfile:
    """The profile of ``reference`` (a DataFrame, array or dict of columns), to save and compare later
    tables with: ``kldiv.drift(profile, current)``. ``time_column`` is left out of it."""
    function = "kldiv.drift_profile"
    categorical, numeric = _names(function, "categorical", categorical), _names(function, "numeric", numeric)
    ref_columns, ref_rows = _table(function, reference, "reference", categorical, numeric)
    options = _options(function, columns, exclude, "js_divergence", "calibrated", 0.05, "holm", binning, bin_count,
                       resolution, "pseudocount", 0.5, 1e-4, None, 0, 0, 0.95, 0, None, None, None, threads, None,
                       max_sample=max_sample)
    if time_column is not None and str(time_column) in [c["name"] for c in ref_columns]:
        options["exclude"].append(str(time_column))
    try:
        return DriftProfile(_kldiv.drift_profile(ref_columns, ref_rows, options))
    except ValueError as e:
        raise _named(function, e) from None


def _window_seconds(function, window, time_column):
    if window is None:
        if time_column is not None:
            raise _error(function, f"time_column = {time_column!r}, but it needs window= (\"1d\", \"6h\", a number)")
        return 0.0
    if time_column is None:
        raise _error(function, f"window = {window!r}, but it needs time_column= (the column holding each row's time)")
    if hasattr(window, "total_seconds"):
        return float(window.total_seconds())
    if isinstance(window, str):
        try:
            return _kldiv.parse_duration(window)
        except ValueError as e:
            raise _named(function, e) from None
    if isinstance(window, (bool, np.bool_)) or not isinstance(window, (int, float, np.integer, np.floating)):
        raise TypeError(f"{function}: window = {window!r}, but it must be a duration (\"1d\") or a number")
    if not (float(window) > 0 and math.isfinite(float(window))):
        raise _error(function, f"window = {window!r}, but a window's width must be finite and > 0")
    return float(window)


def drift(reference, current, *, columns=None, exclude=None, categorical=None, numeric=None,
          measure: str = "js_divergence", rule: str = "calibrated", alpha: float = 0.05, correction: str = "holm",
          binning: str = "quantile", bin_count: int = 10, resolution: int = 1000, max_sample: int = MAX_SAMPLE,
          empty_bins: str = "pseudocount",
          pseudocount: float = 0.5, epsilon: float = 1e-4, base=None, permutations: int = 10000,
          resamples: int = 200, level: float = 0.95, seed: int = 2026, window_rows: Optional[int] = None,
          time_column: Optional[str] = None, window=None, threads: Optional[int] = None,
          progress=None, html=None) -> DriftResult:
    """Compare ``current`` with ``reference`` column by column (the module's docstring says how);
    ``html="report.html"`` also writes ``kldiv drift --html``'s report there."""
    function = _FUNCTION
    categorical, numeric = _names(function, "categorical", categorical), _names(function, "numeric", numeric)
    both = set(categorical) & set(numeric)
    if both:
        raise _error(function, f"{sorted(both)[0]!r} is declared both categorical and numeric")
    options = _options(function, columns, exclude, measure, rule, alpha, correction, binning, bin_count, resolution,
                       empty_bins, pseudocount, epsilon, base, permutations, resamples, level, seed, window_rows,
                       time_column, window, threads, progress, epoch_seconds=_is_datetime(current, time_column),
                       max_sample=max_sample)
    options["html"] = "" if html is None else str(html)
    try:
        if isinstance(reference, DriftProfile):
            if categorical or numeric:
                raise _error(function, "categorical= or numeric= is given, but the reference is a profile, whose "
                                       "column types are fixed")
            cur_columns, cur_rows = _table(function, current, "current data", [], [], like=reference.types)
            document = _kldiv.drift_with_profile(reference.text, cur_columns, cur_rows, options)
        else:
            ref_columns, ref_rows = _table(function, reference, "reference", categorical, numeric)
            like = {c["name"]: c["type"] for c in ref_columns}
            cur_columns, cur_rows = _table(function, current, "current data", categorical, numeric, like=like)
            document = _kldiv.drift(ref_columns, ref_rows, cur_columns, cur_rows, options)
    except ValueError as e:
        if getattr(e, "function", None) == function:
            raise
        raise _named(function, e) from None
    return DriftResult(json.loads(document))
