"""kldiv.dask.drift and reference profiles: the same document as kldiv.drift on the whole tables, bit
for bit, for any partitioning, with the reference sampled (more rows than max_sample), windows by rows
and by time; profiles saved and read back compare as the tables they came from."""
import json

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import kldiv
import kldiv.dask


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(31)
    n, m = 12000, 9000
    ref = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(list("xyz"), n, p=[0.5, 0.3, 0.2]),
                        "c": rng.poisson(3, n).astype(float), "d": rng.uniform(size=n) < 0.3})
    ref.loc[rng.uniform(size=n) < 0.02, "a"] = np.nan
    cur = pd.DataFrame({"a": rng.normal(0.08, 1, m), "b": rng.choice(list("xyzw"), m, p=[0.45, 0.3, 0.2, 0.05]),
                        "c": rng.poisson(3, m).astype(float), "d": rng.uniform(size=m) < 0.3,
                        "t": pd.Timestamp("2025-06-01") + pd.to_timedelta(np.sort(rng.uniform(0, 5, m)), unit="D")})
    return ref, cur


OPTIONS = dict(max_sample=3000, resamples=40, permutations=2000)


@pytest.mark.parametrize("parts", [(1, 1), (4, 3), (9, 7)])
def test_dask_equals_one_machine_with_time_windows(tables, parts):
    ref, cur = tables
    one = kldiv.drift(ref, cur, time_column="t", window="1d", **OPTIONS)
    many = kldiv.dask.drift(dd.from_pandas(ref, npartitions=parts[0]), dd.from_pandas(cur, npartitions=parts[1]),
                            time_column="t", window="1d", **OPTIONS)
    assert len(one.windows) == 5
    assert many.document == one.document


def test_dask_equals_one_machine_with_row_windows(tables):
    ref, cur = tables
    cur = cur.drop(columns="t")
    one = kldiv.drift(ref, cur, window_rows=2500, **OPTIONS)
    many = kldiv.dask.drift(dd.from_pandas(ref, npartitions=5), dd.from_pandas(cur, npartitions=4), window_rows=2500,
                            **OPTIONS)
    assert [w.rows for w in one.windows] == [2500, 2500, 2500, 1500]
    assert many.document == one.document


def test_the_sample_decides_the_edges_and_not_every_row(tables):
    ref, _ = tables
    small = kldiv.drift_profile(ref, max_sample=3000)
    whole = kldiv.drift_profile(ref)
    assert small.rows == whole.rows == len(ref)
    assert small.text != whole.text  # edges from 3000 sampled rows, counts of all 12000


def test_profiles_saved_and_read_back_compare_as_the_table(tables, tmp_path):
    ref, cur = tables
    cur = cur.drop(columns="t")
    profile = kldiv.drift_profile(ref, max_sample=3000)
    profile.save(tmp_path / "ref.json")
    back = kldiv.DriftProfile.load(tmp_path / "ref.json")
    assert back.text == profile.text
    assert kldiv.drift(back, cur, **OPTIONS).document == kldiv.drift(ref, cur, **OPTIONS).document
    distributed = kldiv.dask.drift_profile(dd.from_pandas(ref, npartitions=6), max_sample=3000)
    # Everything equal but the low words of the double-double sums, which depend on the order the
    # partitions' sums are added in (by about 1e-32 of the sum).
    a, b = json.loads(distributed.text), json.loads(profile.text)
    for column_a, column_b in zip(a["columns"], b["columns"]):
        for key in ("sum", "squares"):
            if key in column_a:
                assert column_a[key][0] == column_b[key][0]
                assert abs(column_a[key][1] - column_b[key][1]) <= 1e-28 * abs(column_b[key][0])
                column_a[key][1] = column_b[key][1]
    assert a == b
    assert kldiv.dask.drift(back, dd.from_pandas(cur, npartitions=3), **OPTIONS).document == \
        kldiv.drift(ref, cur, **OPTIONS).document


def test_profiles_merge_only_in_the_same_bins(tables):
    ref, _ = tables
    a, b = kldiv.drift_profile(ref.iloc[:6000]), kldiv.drift_profile(ref.iloc[6000:])
    with pytest.raises(kldiv.Error, match="only profiles of one binning merge"):
        a.merge(b)
    merged = a.merge(a)
    assert merged.rows == 2 * a.rows


def test_hostile_profiles_are_refused(tmp_path):
    bad = tmp_path / "bad.json"
    for text, message in [
        ('{"format": "kldiv-drift-profile", "version": 2}', "not 1, the one version"),
        ('{"format": "something else"}', "is not a drift profile"),
        ('{"format": "kldiv-drift-profile", "version": 1, "rows": 3, "binning": {"rule": "quantile", '
         '"bin_count": 10, "resolution": 1000, "max_sample": 9}, "columns": [{"name": "a", "type": "numeric", '
         '"declared": false, "continuous": true, "scale": 1, "edges": [2, 1], "groups": [0, 3], "counts": [1, 1, 1], '
         '"missing": 0}]}', "edges: are not increasing"),
        ('{"format": "kldiv-drift-profile", "version": 1, "rows": 3, "binning": {"rule": "quantile", '
         '"bin_count": 10, "resolution": 1000, "max_sample": 9}, "columns": [{"name": "a", "type": "categorical", '
         '"declared": false, "categories": ["x"], "counts": [1, -1], "missing": 0}]}', "a count is a whole number"),
        ("not json at all", "is not JSON"),
    ]:
        bad.write_text(text)
        with pytest.raises(kldiv.Error, match=message):
            kldiv.DriftProfile.load(bad)


def test_dask_refuses_binning_that_needs_every_value(tables):
    ref, cur = tables
    with pytest.raises(kldiv.Error, match="on Dask the bins are made from the partitions' samples"):
        kldiv.dask.drift(dd.from_pandas(ref, npartitions=2), dd.from_pandas(cur, npartitions=2), binning="fd")
