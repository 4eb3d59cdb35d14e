"""kldiv.drift against SciPy and NumPy computations of the same binned measures (bins rebuilt here
from their definition), against the raw-value measures of SciPy within the stated bounds, and the
calibration against simulation: the false-alarm rate on same-distribution data at the designed level
(seeded, binomial bands), the expected values against independent Monte Carlo, power on a known
shift."""
import math

import numpy as np
import pandas as pd
import pytest
import scipy.spatial.distance as ssd
import scipy.stats as st

import kldiv

FAST = dict(permutations=0, resamples=0)


def quantile_edges(ref, bins, ranges=True):
    """The documented rule: cuts where the values since the last cut reach floor(left / bins left),
    moved up past ties; then the reference's smallest value and (continuous data) its largest."""
    s = np.sort(ref[np.isfinite(ref)])
    n, edges, at, left = len(s), [], 0, bins
    while left > 1 and at < n:
        cut = at + max(1, (n - at) // left)
        while cut < n and s[cut] == s[cut - 1]:
            cut += 1
        if cut >= n:
            break
        edges.append(s[cut])
        at, left = cut, left - 1
    if ranges:
        continuous = 2 * len(np.unique(s)) >= n
        edges += [s[0], s[-1] if continuous else np.nextafter(s[-1], np.inf)]
    return np.unique(edges)


def binned(ref, cur, edges):
    """Counts in (-inf, e1), [e1, e2), ..., [e_last, inf)."""
    r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1).astype(float)
    c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1).astype(float)
    return r, c


def reference_measures(r, c, pseudocount=0.5):
    keep = (r + c) > 0
    rs, cs = r[keep] + pseudocount, c[keep] + pseudocount
    ps, qs = rs / rs.sum(), cs / cs.sum()
    p, q = r / r.sum(), c / c.sum()
    table = np.array([r[keep], c[keep]])
    return {
        "psi": float(np.sum((qs - ps) * np.log(qs / ps))),
        "kl_reference_current": float(st.entropy(ps, qs)),
        "kl_current_reference": float(st.entropy(qs, ps)),
        "js_divergence": float(ssd.jensenshannon(p, q) ** 2),
        "js_distance": float(ssd.jensenshannon(p, q)),
        "hellinger": float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(p * q))))),
        "total_variation": float(0.5 * np.abs(p - q).sum()),
        "chi2": float(st.chi2_contingency(table, correction=False)[0]),
    }


@pytest.fixture(scope="module")
def normal_pair():
    rng = np.random.default_rng(11)
    return rng.normal(0.0, 1.0, 4000), rng.normal(0.25, 1.2, 3000)


def test_numeric_measures_equal_scipy_on_the_same_bins(normal_pair):
    ref, cur = normal_pair
    r = kldiv.drift({"x": ref}, {"x": cur}, **FAST)["x"]
    counts_r, counts_c = binned(ref, cur, quantile_edges(ref, 10))
    assert [b["reference"] for b in r.bins] == counts_r.tolist()
    assert [b["current"] for b in r.bins] == counts_c.tolist()
    for name, expected in reference_measures(counts_r, counts_c).items():
        assert r.measures[name].value == pytest.approx(expected, rel=1e-12), name


def test_ks_and_wasserstein_within_their_bounds_of_scipy(normal_pair):
    ref, cur = normal_pair
    doc = kldiv.drift({"x": ref}, {"x": cur}, **FAST)
    c = doc["x"]
    bounds = doc.document["windows"][0]["columns"][0]["bounds"]
    ks_raw = st.ks_2samp(ref, cur).statistic
    assert c.measures["ks"].value <= ks_raw + 1e-15 <= c.measures["ks"].value + bounds["ks"]
    w_raw = st.wasserstein_distance(ref, cur) / np.std(ref)
    assert abs(c.measures["wasserstein"].value - w_raw) <= bounds["wasserstein"]
    # The fine bins make the bounds small.
    assert bounds["ks"] < 0.003 and bounds["wasserstein"] < 0.05
    assert c.measures["ks"].value == pytest.approx(ks_raw, abs=bounds["ks"])


def test_ks_equals_the_empirical_cdfs_at_the_fine_edges(normal_pair):
    ref, cur = normal_pair
    c = kldiv.drift({"x": ref}, {"x": cur}, **FAST)["x"]
    fine = np.union1d(quantile_edges(ref, 10), quantile_edges(ref, 1000, ranges=False))
    d = max(abs(np.mean(ref < e) - np.mean(cur < e)) for e in fine)
    assert c.measures["ks"].value == pytest.approx(d, abs=1e-15)


def test_wasserstein_is_that_of_the_binned_distributions(normal_pair):
    # Each side spread evenly within each fine bin, between the bin's edges clipped to the side's own
    # min and max: SciPy's distance between the two spread distributions, sampled at 200 points a bin.
    ref, cur = normal_pair
    c = kldiv.drift({"x": ref}, {"x": cur}, **FAST)["x"]
    fine = np.union1d(quantile_edges(ref, 10), quantile_edges(ref, 1000, ranges=False))

    def spread(x):
        knots = np.concatenate([[-np.inf], fine, [np.inf]])
        counts = np.bincount(np.searchsorted(fine, x, side="right"), minlength=len(fine) + 1)
        points, weights = [], []
        for k in range(len(fine) + 1):
            if counts[k]:
                t = (np.arange(200) + 0.5) / 200
                a, b = max(knots[k], x.min()), min(knots[k + 1], x.max())
                points.append(a + t * (b - a))
                weights.append(np.full(200, counts[k] / 200))
        return np.concatenate(points), np.concatenate(weights)

    (u, uw), (v, vw) = spread(ref), spread(cur)
    expected = st.wasserstein_distance(u, v, uw, vw) / np.std(ref)
    assert c.measures["wasserstein"].value == pytest.approx(expected, rel=2e-3)


def test_base_changes_the_kls_and_js_not_psi(normal_pair):
    ref, cur = normal_pair
    nats = kldiv.drift({"x": ref}, {"x": cur}, **FAST)["x"].measures
    bits = kldiv.drift({"x": ref}, {"x": cur}, base=2, **FAST)["x"].measures
    assert bits["psi"].value == nats["psi"].value
    for name in ("kl_reference_current", "kl_current_reference", "js_divergence"):
        assert bits[name].value == pytest.approx(nats[name].value / math.log(2), rel=1e-14)
    assert bits["js_distance"].value == pytest.approx(math.sqrt(nats["js_divergence"].value / math.log(2)), rel=1e-14)


def test_epsilon_rule_reproduces_the_peers_psi():
    # Evidently's and NannyML's PSI: zero proportions replaced by 1e-4, no renormalization.
    ref = np.repeat(np.arange(5.0), [100, 100, 100, 100, 100])
    cur = np.repeat(np.arange(5.0), [150, 150, 0, 100, 100])
    r = kldiv.drift({"x": ref}, {"x": cur}, empty_bins="epsilon", bin_count=5, **FAST)["x"]
    counts_r, counts_c = binned(ref, cur, quantile_edges(ref, 5))
    p = np.where(counts_r == 0, 1e-4, counts_r / counts_r.sum())
    q = np.where(counts_c == 0, 1e-4, counts_c / counts_c.sum())
    assert r.measures["psi"].value == pytest.approx(float(np.sum((p - q) * np.log(p / q))), rel=1e-12)
    assert r.measures["kl_reference_current"].value == pytest.approx(float(np.sum(p * np.log(p / q))), rel=1e-12)
    inf = kldiv.drift({"x": ref}, {"x": cur}, empty_bins="infinity", bin_count=5, **FAST)["x"]
    assert inf.measures["psi"].value == math.inf and inf.measures["kl_reference_current"].value == math.inf
    assert math.isfinite(inf.measures["kl_current_reference"].value)


def test_identical_tables_measure_zero():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.normal(size=500), "b": rng.choice(list("xyz"), 500)})
    r = kldiv.drift(x, x, **FAST)
    for c in r.columns:
        for name, m in c.measures.items():
            assert m.value == 0.0, (c.name, name)


def test_categorical_columns_with_new_and_missing_categories():
    ref = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 20 + [None] * 10)
    cur = pd.Series(["a"] * 40 + ["b"] * 30 + ["d"] * 15 + ["e"] * 5 + [None] * 30)
    r = kldiv.drift(pd.DataFrame({"k": ref}), pd.DataFrame({"k": cur}), **FAST)["k"]
    assert r.type == "categorical" and r.type_from == "inferred"
    assert [b["bin"] for b in r.bins] == ["a", "b", "c", "new"]
    assert [b["reference"] for b in r.bins] == [50, 30, 20, 0]
    assert [b["current"] for b in r.bins] == [40, 30, 0, 20]
    assert (r.reference_missing, r.current_missing, r.reference_count, r.current_count) == (10, 30, 100, 90)
    expected = reference_measures(np.array([50.0, 30, 20, 0]), np.array([40.0, 30, 0, 20]))
    for name, value in expected.items():
        assert r.measures[name].value == pytest.approx(value, rel=1e-12), name
    assert "ks" not in r.measures and "wasserstein" not in r.measures


def test_declared_types_and_booleans():
    ref = pd.DataFrame({"code": [1, 2, 3, 1, 2] * 20, "flag": [True, False] * 50})
    cur = pd.DataFrame({"code": [1, 1, 1, 2, 4] * 20, "flag": [True] * 100})
    r = kldiv.drift(ref, cur, categorical=["code"], **FAST)
    assert r["code"].type == "categorical" and r["code"].type_from == "declared"
    assert [b["bin"] for b in r["code"].bins] == ["1", "2", "3", "new"]
    assert r["flag"].type == "boolean"
    assert [b["bin"] for b in r["flag"].bins] == ["false", "true", "new"]
    assert [b["current"] for b in r["flag"].bins] == [0, 100, 0]


def test_a_boolean_reference_reads_the_current_booleans_in_any_spelling():
    ref = pd.DataFrame({"flag": [True, False] * 50})
    for current in ([1, 0, 1, 1] * 25, ["True", "false", "TRUE", "1"] * 25, [True, False, True, True] * 25):
        r = kldiv.drift(ref, pd.DataFrame({"flag": current}), resamples=0)["flag"]
        assert [b["current"] for b in r.bins] == [25, 75, 0], current
    with pytest.raises(kldiv.Error, match="column 'flag', row 2: 'maybe' is not true or false"):
        kldiv.drift(ref, pd.DataFrame({"flag": ["true", "maybe"]}))


def test_numpy_arrays_are_read_in_place_by_column():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(1000, 3)), rng.normal(size=(800, 3))
    r = kldiv.drift(a, b, **FAST)
    assert sorted(c.name for c in r.columns) == ["0", "1", "2"]
    one = kldiv.drift({"1": np.ascontiguousarray(a[:, 1])}, {"1": np.ascontiguousarray(b[:, 1])}, **FAST)
    assert r["1"].measures == one["1"].measures


# --- calibration -------------------------------------------------------------------------------

def binomial_band(n, p, z=3.9):
    """Counts within about 1e-4 two-sided of Binomial(n, p)'s mean."""
    sd = math.sqrt(n * p * (1 - p))
    return n * p - z * sd, n * p + z * sd


@pytest.mark.parametrize("kind", ["continuous", "categorical", "discrete"])
def test_false_alarm_rate_on_same_distribution_data(kind):
    rng = np.random.default_rng({"continuous": 1, "categorical": 2, "discrete": 3}[kind])
    trials, p_values = 300, []
    for t in range(trials):
        if kind == "continuous":
            ref, cur = rng.gamma(2.0, size=300), rng.gamma(2.0, size=200)
        elif kind == "categorical":
            probs = [0.5, 0.3, 0.15, 0.05]
            ref, cur = rng.choice(list("abcd"), 300, p=probs), rng.choice(list("abcd"), 200, p=probs)
        else:
            ref, cur = rng.poisson(3.0, 300).astype(float), rng.poisson(3.0, 200).astype(float)
        r = kldiv.drift({"x": ref}, {"x": cur}, permutations=200, resamples=0, seed=t)["x"]
        p_values.append([r.measures[m].p_value for m in ("js_divergence", "psi", "chi2")])
    p_values = np.array(p_values)
    for level in (0.05, 0.2):
        low, high = binomial_band(trials, level)
        rejections = (p_values <= level).sum(axis=0)
        assert np.all((low <= rejections) & (rejections <= high)), (kind, level, rejections)


def test_expected_value_equals_independent_monte_carlo():
    # The rank null's mean of the binned JS against fresh same-distribution samples drawn here.
    rng = np.random.default_rng(9)
    n, m = 400, 250
    ref = rng.normal(size=n)
    cur = rng.normal(size=m)
    r = kldiv.drift({"x": ref}, {"x": cur}, permutations=4000, resamples=0)["x"]
    js = []
    for _ in range(4000):
        a, b = rng.normal(size=n), rng.normal(size=m)
        counts_a, counts_b = binned(a, b, quantile_edges(a, 10))
        js.append(ssd.jensenshannon(counts_a / n, counts_b / m) ** 2)
    js = np.array(js)
    assert r.measures["js_divergence"].expected == pytest.approx(js.mean(), abs=4 * js.std() / math.sqrt(len(js)))


def test_power_on_a_known_shift():
    rng = np.random.default_rng(21)
    detected = 0
    for t in range(40):
        ref, cur = rng.normal(0, 1, 2000), rng.normal(0.3, 1, 2000)
        r = kldiv.drift({"x": ref}, {"x": cur}, resamples=0, seed=t)
        detected += r["x"].drifted
    assert detected == 40


def test_sequential_p_values_stop_early_without_drift_and_go_on_with_it():
    rng = np.random.default_rng(5)
    ref = rng.normal(size=2000)
    calm = kldiv.drift({"x": ref}, {"x": rng.normal(size=1000)}, resamples=0)["x"]
    moved = kldiv.drift({"x": ref}, {"x": rng.normal(1.0, 1.0, 1000)}, resamples=0)["x"]
    assert calm.permutations < 2000 and calm.p_value > 0.01
    assert moved.permutations == 10000 and moved.p_value == pytest.approx(1 / 10001)


def test_holm_and_benjamini_hochberg_decisions_by_their_definitions():
    rng = np.random.default_rng(8)
    cols_ref = {f"c{j}": rng.normal(size=500) for j in range(8)}
    cols_cur = {f"c{j}": rng.normal(0.05 * j, 1.0, 400) for j in range(8)}
    for correction in ("holm", "benjamini_hochberg", "none"):
        r = kldiv.drift(cols_ref, cols_cur, correction=correction, resamples=0, alpha=0.05)
        p = {c.name: c.p_value for c in r.columns}
        order = sorted(p, key=p.get)
        m = len(order)
        if correction == "holm":
            flagged = set()
            for i, name in enumerate(order):
                if p[name] > 0.05 / (m - i):
                    break
                flagged.add(name)
        elif correction == "benjamini_hochberg":
            k = max([i + 1 for i, name in enumerate(order) if p[name] <= 0.05 * (i + 1) / m], default=0)
            flagged = set(order[:k])
        else:
            flagged = {name for name in p if p[name] <= 0.05}
        assert set(r.drifted) == flagged, correction


def test_missing_rate_drift_is_tested_on_its_own():
    rng = np.random.default_rng(6)
    ref = rng.normal(size=2000)
    cur = rng.normal(size=2000)
    cur[:400] = np.nan  # 20% missing against none
    r = kldiv.drift({"x": ref}, {"x": cur}, resamples=0)["x"]
    assert r.current_missing == 400 and r.current_count == 1600
    assert r.missing_p_value < 0.001 and not r.drifted


def test_results_do_not_depend_on_threads_or_column_selection():
    rng = np.random.default_rng(12)
    ref = pd.DataFrame({"a": rng.normal(size=800), "b": rng.exponential(size=800), "c": rng.choice(list("pq"), 800)})
    cur = pd.DataFrame({"a": rng.normal(0.1, 1, 600), "b": rng.exponential(size=600), "c": rng.choice(list("pq"), 600)})
    one = kldiv.drift(ref, cur, threads=1).document
    two = kldiv.drift(ref, cur, threads=2).document
    assert one == two
    just_b = kldiv.drift(ref, cur, columns=["b"])["b"]
    assert just_b.measures == kldiv.drift(ref, cur)["b"].measures


# --- windows -----------------------------------------------------------------------------------

def test_windows_by_rows():
    rng = np.random.default_rng(13)
    ref = rng.normal(size=1000)
    cur = np.concatenate([rng.normal(size=500), rng.normal(2.0, 1.0, 500), rng.normal(size=200)])
    r = kldiv.drift({"x": ref}, {"x": cur}, window_rows=500, resamples=0)
    assert [w.label for w in r.windows] == ["rows 1-500", "rows 501-1000", "rows 1001-1200"]
    assert [w.rows for w in r.windows] == [500, 500, 200]
    assert [w.columns[0].p_value < 0.01 for w in r.windows] == [False, True, False]
    whole = kldiv.drift({"x": ref}, {"x": cur[500:1000]}, resamples=0)
    assert r.windows[1].columns[0].measures == whole["x"].measures


def test_html_report_is_written(tmp_path):
    rng = np.random.default_rng(17)
    page = tmp_path / "drift.html"
    kldiv.drift({"x": rng.normal(size=500)}, {"x": rng.normal(1, 1, 300)}, resamples=0, html=page)
    text = page.read_text()
    assert "Drift of current against reference" in text and "<svg" in text and text.endswith("</html>\n")


def test_windows_by_time_with_an_empty_day():
    rng = np.random.default_rng(14)
    days = np.repeat(pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-04"]), 300)
    cur = pd.DataFrame({"when": days + pd.to_timedelta(rng.uniform(0, 86000, 900), unit="s"),
                        "x": rng.normal(size=900)})
    ref = pd.DataFrame({"x": rng.normal(size=1000)})
    r = kldiv.drift(ref, cur, time_column="when", window="1d", resamples=0)
    assert [w.label for w in r.windows] == ["2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z",
                                            "2024-03-04T00:00:00Z"]
    assert [w.rows for w in r.windows] == [300, 300, 0, 300]
    assert r.windows[2].columns == []
    text = cur.assign(when=cur["when"].dt.strftime("%Y-%m-%dT%H:%M:%S"))
    assert kldiv.drift(ref, text, time_column="when", window="24h", resamples=0).document["windows"] == \
        r.document["windows"]


# --- errors ------------------------------------------------------------------------------------

def test_errors_name_the_column_and_the_rule():
    ref = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    with pytest.raises(kldiv.Error, match="the reference's column \"b\" is not in the current data"):
        kldiv.drift(ref, pd.DataFrame({"a": [1.0]}))
    with pytest.raises(kldiv.Error, match="columns = \"nope\", but the reference has no such column"):
        kldiv.drift(ref, ref, columns=["nope"])
    with pytest.raises(kldiv.Error, match="column 'a', row 2: 'two' is not a number"):
        kldiv.drift(ref, pd.DataFrame({"a": ["1", "two"], "b": ["x", "y"]}))
    with pytest.raises(kldiv.Error, match="the current data has no rows"):
        kldiv.drift(ref, ref.iloc[:0])
    with pytest.raises(kldiv.Error, match="alpha = 1, but the false-alarm rate must be in"):
        kldiv.drift(ref, ref, alpha=1.0)
    with pytest.raises(kldiv.Error, match="measure"):
        kldiv.drift(ref, ref, measure="psy")
    with pytest.raises(kldiv.Error, match="window = \"1 day\""):
        kldiv.drift(ref, ref.assign(t=["2024-01-01"] * 3), time_column="t", window="1 day")
    with pytest.raises(kldiv.Error, match="\"tomorrow\" is not a date or time"):
        kldiv.drift(ref, ref.assign(t=["2024-01-01", "tomorrow", "2024-01-02"]), time_column="t", window="1d")


# --- edges -------------------------------------------------------------------------------------

def test_infinite_values_land_in_the_outer_bins():
    rng = np.random.default_rng(15)
    ref = rng.normal(size=1000)
    cur = rng.normal(size=1000)
    cur[:5], cur[5:8] = np.inf, -np.inf
    r = kldiv.drift({"x": ref}, {"x": cur}, resamples=0)["x"]
    assert r.bins[0]["current"] >= 3 and r.bins[-1]["current"] >= 5
    assert r.current_count == 1000 and r.current_missing == 0
    assert r.measures["wasserstein"].value == math.inf
    assert math.isfinite(r.measures["ks"].value) and math.isfinite(r.measures["js_divergence"].value)


def test_columns_without_values_constant_columns_and_one_row():
    ref = pd.DataFrame({"empty": [np.nan] * 50, "constant": [3.0] * 50, "k": ["a"] * 50})
    cur = pd.DataFrame({"empty": [np.nan] * 20, "constant": [3.0] * 19 + [4.0], "k": ["a"] * 19 + [None]})
    r = kldiv.drift(ref, cur, resamples=20)
    empty = r["empty"]
    assert (empty.reference_count, empty.reference_missing, empty.current_missing) == (0, 50, 20)
    assert all(m.value is None or math.isnan(m.value) for m in empty.measures.values()) or not empty.measures
    assert not empty.drifted
    constant = r["constant"]
    assert constant.measures["wasserstein"].value == math.inf  # σ_ref = 0 and a value moved
    assert r["k"].current_missing == 1 and r["k"].measures["psi"].value == 0.0
    one = kldiv.drift({"x": [1.0]}, {"x": [2.0]}, resamples=10)["x"]
    assert one.reference_count == 1 and one.current_count == 1


def test_extreme_magnitudes_are_measured_not_overflowed():
    rng = np.random.default_rng(16)
    ref = rng.normal(size=2000) * 1e300
    cur = rng.normal(size=2000) * 1e300
    r = kldiv.drift({"x": ref}, {"x": cur}, resamples=0)["x"]
    assert math.isfinite(r.measures["wasserstein"].value) and r.measures["wasserstein"].value < 0.2
    tiny = kldiv.drift({"x": ref / 1e300 * 1e-300}, {"x": cur / 1e300 * 1e-300}, resamples=0)["x"]
    assert tiny.measures["wasserstein"].value == pytest.approx(r.measures["wasserstein"].value, rel=1e-12)


def test_a_column_that_becomes_all_missing_has_its_missing_rate_tested():
    rng = np.random.default_rng(18)
    r = kldiv.drift({"x": rng.normal(size=500)}, {"x": np.full(300, np.nan)}, resamples=0)["x"]
    assert (r.current_count, r.current_missing) == (0, 300)
    assert r.missing_p_value is not None and r.missing_p_value < 0.001


def test_enough_permutations_for_the_correction_over_many_columns():
    rng = np.random.default_rng(19)
    ref = {f"c{j}": rng.normal(size=300) for j in range(30)}
    cur = {f"c{j}": rng.normal(2.0 if j == 0 else 0.0, 1.0, 300) for j in range(30)}
    r = kldiv.drift(ref, cur, alpha=0.001, resamples=0)
    assert r.document["settings"]["permutations_used"] == 60000  # 2 x 30 / 0.001
    assert r.drifted == ["c0"] and r["c0"].adjusted_p_value <= 0.001
