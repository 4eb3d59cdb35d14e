// Tests of kldiv/drift: the bin finder against std::upper_bound on hostile edges, the binomial and
// hypergeometric variates against Boost's binomial probabilities and the hypergeometric definition
// (chi-square goodness of fit), times and
// durations, the multiple-testing adjustments, the measures' closed forms and relations, profiles
// and current counts in parts against the whole table, and the profile file's refusals. The
// measures against SciPy and the calibration against simulation are in python/tests/test_drift.py.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kldiv/drift/drift.hpp"
#include "kldiv/drift/profile_file.hpp"
#include "kldiv/error.hpp"
#include "src/common/discrete_variates.hpp"
#include "src/common/random_stream.hpp"
#include "src/drift/column_counter.hpp"

namespace {

namespace kd = kldiv::drift;
using testing::HasSubstr;
constexpr double inf = std::numeric_limits<double>::infinity();

// --- the bin finder -------------------------------------------------------------------------------

std::size_t upper(const std::vector<double>& edges, double v) {
    return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
}

void expect_finder_exact(const std::vector<double>& edges, const std::vector<double>& values) {
    const kd::detail::bin_finder find(edges);
    for (const double v : values)
        ASSERT_EQ(find(v), upper(edges, v)) << "v = " << v << ", " << edges.size() << " edges";
}

std::vector<double> probes(const std::vector<double>& edges, std::mt19937_64& g) {
    std::vector<double> v{-inf, inf, 0.0, -0.0, std::numeric_limits<double>::denorm_min(), -1e308, 1e308};
    for (const double e : edges) {
        v.push_back(e);
        v.push_back(std::nextafter(e, -inf));
        v.push_back(std::nextafter(e, inf));
    }
    std::uniform_int_distribution<std::size_t> pick(0, edges.empty() ? 0 : edges.size() - 1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int i = 0; i < 20000 && !edges.empty(); ++i) {
        const double a = edges[pick(g)], b = edges[pick(g)];
        v.push_back(a + (b - a) * u(g));
    }
    return v;
}

TEST(DriftBinFinder, EqualsUpperBoundOnEveryKindOfEdges) {
    std::mt19937_64 g(7);
    std::normal_distribution<double> z;
    std::cauchy_distribution<double> cauchy;
    std::lognormal_distribution<double> lognormal(0.0, 3.0);
    std::vector<std::vector<double>> sets;
    auto sorted_unique = [](std::vector<double> e) {
        std::sort(e.begin(), e.end());
        e.erase(std::unique(e.begin(), e.end()), e.end());
        return e;
    };
    std::vector<double> normal, heavy, skewed;
    for (int i = 0; i < 1000; ++i) {
        normal.push_back(z(g));
        heavy.push_back(cauchy(g));
        skewed.push_back(lognormal(g));
    }
    sets.push_back(sorted_unique(normal));
    sets.push_back(sorted_unique(heavy));
    sets.push_back(sorted_unique(skewed));
    sets.push_back({});
    sets.push_back({3.0});
    sets.push_back({-1e308, 1e308});                                           // a range beyond a double
    sets.push_back({-1e308, -1.0, 0.0, 1e-300, 1.0, 1e308});                   // extremes and a dense middle
    sets.push_back({0.0, std::numeric_limits<double>::denorm_min(), 1e-310});  // subnormals
    sets.push_back({1.0, std::nextafter(1.0, 2.0), std::nextafter(std::nextafter(1.0, 2.0), 2.0), 2.0});
    std::vector<double> crowded;  // 5000 edges in a tiny interval plus two far ones: cells with many edges
    for (int i = 0; i < 5000; ++i) crowded.push_back(1.0 + i * 1e-12);
    crowded.push_back(1e6);
    crowded.insert(crowded.begin(), -1e6);
    sets.push_back(crowded);
    for (const auto& edges : sets) expect_finder_exact(edges, probes(edges, g));
}

// --- variates -------------------------------------------------------------------------------------

// Chi-square goodness of fit of `draws` against the pmf, cells merged until each expects >= 20.
template <class Pmf>
double goodness_of_fit(const std::map<double, double>& draws, double n, double lo, double hi, Pmf&& pmf) {
    double statistic = 0.0, observed = 0.0, expected = 0.0, mass = 0.0;
    int cells = 0;
    for (double k = lo; k <= hi; k += 1.0) {
        const double p = pmf(k);
        mass += p;
        expected += n * p;
        if (const auto it = draws.find(k); it != draws.end()) observed += it->second;
        if (expected >= 20.0 || k == hi) {
            statistic += (observed - expected) * (observed - expected) / std::max(expected, 1e-300);
            ++cells;
            observed = expected = 0.0;
        }
    }
    EXPECT_NEAR(mass, 1.0, 1e-9);
    double total = 0.0;
    for (const auto& [k, c] : draws) total += (k < lo || k > hi) ? c : 0.0;
    EXPECT_EQ(total, 0.0) << "draws outside the support";
    return boost::math::cdf(boost::math::complement(boost::math::chi_squared(std::max(cells - 1, 1)), statistic));
}

TEST(DriftVariates, BinomialMatchesBoostsProbabilities) {
    for (const auto& [n, p] : {std::pair{5.0, 0.3},
                               {40.0, 0.2},
                               {100.0, 0.02},
                               {1000.0, 0.5},
                               {1000.0, 0.97},
                               {1e6, 0.3},
                               {1e9, 1e-6},
                               {2e7, 0.999}}) {
        kldiv::distributions::detail::random_stream rng(11, static_cast<std::uint64_t>(n * 7 + p * 1000));
        std::map<double, double> draws;
        const double trials = 200000;
        for (int i = 0; i < trials; ++i) draws[kldiv::detail::binomial(rng, n, p)] += 1.0;
        const boost::math::binomial_distribution<double> b(n, p);
        const double sd = std::sqrt(n * p * (1 - p));
        const double lo = std::max(0.0, std::floor(n * p - 12 * sd - 10)),
                     hi = std::min(n, std::ceil(n * p + 12 * sd + 10));
        const double pv = goodness_of_fit(draws, trials, lo, hi, [&](double k) { return boost::math::pdf(b, k); });
        EXPECT_GT(pv, 1e-4) << "n = " << n << ", p = " << p;
    }
}

TEST(DriftVariates, HypergeometricMatchesItsDefinition) {
    for (const auto& [draws_n, good, total] : {std::tuple{5.0, 20.0, 50.0},
                                               {30.0, 400.0, 1000.0},
                                               {700.0, 400.0, 1000.0},
                                               {5000.0, 30000.0, 100000.0},
                                               {20.0, 99990.0, 100000.0},
                                               {90000.0, 5000.0, 100000.0}}) {
        kldiv::distributions::detail::random_stream rng(5, static_cast<std::uint64_t>(draws_n + good));
        std::map<double, double> draws;
        const double trials = 100000;
        for (int i = 0; i < trials; ++i) draws[kldiv::detail::hypergeometric(rng, draws_n, good, total)] += 1.0;
        // The definition, C(good, x) C(total − good, draws − x) / C(total, draws), in long double
        // (Boost's hypergeometric pdf takes seconds at these sizes).
        auto log_choose = [](long double n, long double k) {
            return std::lgammal(n + 1) - std::lgammal(k + 1) - std::lgammal(n - k + 1);
        };
        const double lo = std::max(0.0, draws_n + good - total), hi = std::min(draws_n, good);
        // Copies: clang 14 cannot capture structured bindings.
        const double sample_size = draws_n, good_items = good, items = total;
        const double pv = goodness_of_fit(draws, trials, lo, hi, [&](double x) {
            return static_cast<double>(std::exp(log_choose(good_items, x) +
                                                log_choose(items - good_items, sample_size - x) -
                                                log_choose(items, sample_size)));
        });
        EXPECT_GT(pv, 1e-4) << draws_n << " of " << total << " with " << good << " good";
    }
}

// --- times ----------------------------------------------------------------------------------------

TEST(DriftTime, ParsesIso8601AndFormatsBack) {
    double t = 0.0;
    ASSERT_TRUE(kd::parse_time("1970-01-01", t));
    EXPECT_EQ(t, 0.0);
    ASSERT_TRUE(kd::parse_time("2024-02-29T12:30:15.25Z", t));
    EXPECT_EQ(t, 1709209815.25);  // date -u -d 2024-02-29T12:30:15Z +%s is 1709209815
    ASSERT_TRUE(kd::parse_time("2024-02-29 14:30:15.25+02:00", t));
    EXPECT_EQ(t, 1709209815.25);
    ASSERT_TRUE(kd::parse_time("2024-02-29T07:00:15.25-05:30", t));
    EXPECT_EQ(t, 1709209815.25);
    ASSERT_TRUE(kd::parse_time("1969-12-31T23:59", t));
    EXPECT_EQ(t, -60.0);
    for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T25:00", "2024-01-01T12", "tomorrow",
                            "2024-01-01T12:00:00+2", "2024-01-01x", "", "2024-01-01T12:00:00.Z"}) {
        EXPECT_FALSE(kd::parse_time(bad, t)) << bad;
    }
    EXPECT_EQ(kd::format_time(1709209815.25), "2024-02-29T12:30:15.25Z");
    EXPECT_EQ(kd::format_time(-86400.0), "1969-12-31T00:00:00Z");
}

TEST(DriftTime, ParsesDurations) {
    double s = 0.0;
    const std::pair<const char*, double> good[] = {{"90", 90.0},    {"15min", 900.0},   {"6h", 21600.0},
                                                   {"1d", 86400.0}, {"1.5w", 907200.0}, {"0.5s", 0.5}};
    for (const auto& [text, seconds] : good) {
        ASSERT_TRUE(kd::parse_duration(text, s)) << text;
        EXPECT_EQ(s, seconds) << text;
    }
    for (const char* bad : {"0", "-1d", "1 d", "1day", "inf", "nan", "", "d", "1e400s"}) {
        EXPECT_FALSE(kd::parse_duration(bad, s)) << bad;
    }
}

// --- multiple testing -----------------------------------------------------------------------------

TEST(DriftAdjust, HolmAndBenjaminiHochbergAsRsPAdjust) {
    const std::vector<double> p{0.01, 0.02, 0.03, 0.04, 0.05};
    EXPECT_THAT(kd::adjust(p, kd::correction::holm),
                testing::Pointwise(testing::DoubleNear(1e-15), std::vector<double>{0.05, 0.08, 0.09, 0.09, 0.09}));
    EXPECT_THAT(kd::adjust(p, kd::correction::benjamini_hochberg),
                testing::Pointwise(testing::DoubleNear(1e-15), std::vector<double>(5, 0.05)));
    // Unsorted, with a NaN left out of the count.
    const std::vector<double> q{0.205, 0.001, 0.074, 0.039, std::nan(""), 0.008, 0.060, 0.041, 0.042};
    const std::vector<double> holm = kd::adjust(q, kd::correction::holm);
    const std::vector<double> bh = kd::adjust(q, kd::correction::benjamini_hochberg);
    const std::vector<double> holm_expected{0.234, 0.008, 0.234, 0.234, std::nan(""), 0.056, 0.234, 0.234, 0.234};
    const std::vector<double> bh_expected{0.205,  0.008, 0.08457142857142857, 0.0672, std::nan(""), 0.032, 0.08,
                                          0.0672, 0.0672};
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (std::isnan(q[i])) {
            EXPECT_TRUE(std::isnan(holm[i]) && std::isnan(bh[i]));
            continue;
        }
        EXPECT_NEAR(holm[i], holm_expected[i], 1e-15) << i;
        EXPECT_NEAR(bh[i], bh_expected[i], 1e-15) << i;
    }
    EXPECT_EQ(kd::adjust(q, kd::correction::none)[0], 0.205);
}

// --- measures -------------------------------------------------------------------------------------

// A numeric table of one column "x" (values kept alive by the caller).
kd::table_view numeric_table(const std::vector<double>& values) {
    kd::table_view t;
    t.rows = values.size();
    kd::column_view c;
    c.name = "x";
    c.numbers = values.data();
    t.columns.push_back(c);
    return t;
}

kd::drift_options quick() {
    kd::drift_options o;
    o.calibration.permutations = 0;
    o.calibration.resamples = 0;
    return o;
}

TEST(DriftMeasures, DisjointSamplesReachTheBoundsAndIdenticalOnesZero) {
    std::vector<double> ref, cur;
    for (int i = 0; i < 1000; ++i) {
        ref.push_back(i);
        cur.push_back(5000 + i);
    }
    kd::drift_options o = quick();
    o.measures.on_empty = kd::empty_bins::infinity;
    const kd::column_result r = kd::compare(numeric_table(ref), numeric_table(cur), o).windows[0].columns[0];
    // Deciles of 0..999 and the range edges 0 and 999: bins (−inf, 0), [0, 100), …, [900, 999),
    // [999, +inf). Every current value (5000..5999) falls in the last, with the reference's largest:
    // p = (0, 0.1 × 9, 0.099, 0.001), q = (0, …, 0, 1).
    ASSERT_EQ(r.labels.size(), 12u);
    ASSERT_EQ(r.labels.back(), "[999, +inf)");
    EXPECT_NEAR(r[kd::measure::total_variation].value, 0.999, 1e-15);
    EXPECT_NEAR(r[kd::measure::hellinger].value, std::sqrt(1.0 - std::sqrt(0.001)), 1e-15);
    const double m = (0.001 + 1.0) / 2;
    EXPECT_NEAR(r[kd::measure::js_divergence].value,
                0.5 * 0.999 * std::log(2.0) + 0.5 * (0.001 * std::log(0.001 / m) + std::log(1.0 / m)), 1e-15);
    // χ² of the 2 × 11 table (the empty first bin dropped): Σ (rC − cR)² / ((r + c) R C), R = C = 1000.
    EXPECT_NEAR(r[kd::measure::chi2].value, 9 * 100.0 + 99.0 + 999000.0 * 999000.0 / (1001.0 * 1e6), 1e-9);
    EXPECT_EQ(r[kd::measure::ks].value, 0.999);  // the last fine bin holds the reference's largest value
    EXPECT_EQ(r[kd::measure::psi].value, inf);
    EXPECT_EQ(r[kd::measure::kl_reference_current].value, inf);
    // The current data spread over its own range [5000, 5999]: the distance of the raw values, 5000
    // (every value moved by 5000), within the bound, which is the current's spread, 999/σ.
    const double sd = std::sqrt((1000.0 * 1000.0 - 1.0) / 12.0);  // of 0, 1, ..., 999
    EXPECT_NEAR(r[kd::measure::wasserstein].value, 5000.0 / sd, r.bounds.wasserstein);
    EXPECT_NEAR(r.bounds.wasserstein, (999.0 + 999.0 / 1000.0) / sd, 0.01);
    const kd::column_result same = kd::compare(numeric_table(ref), numeric_table(ref), o).windows[0].columns[0];
    for (const kd::measure_result& m : same.measures) EXPECT_EQ(m.value, 0.0);
}

TEST(DriftMeasures, RelationsHoldOnRawProportions) {
    std::mt19937_64 g(3);
    std::normal_distribution<double> z;
    kd::drift_options o = quick();
    o.measures.on_empty = kd::empty_bins::infinity;
    for (double shift : {0.0, 0.05, 0.3, 1.0, 3.0}) {
        std::vector<double> ref, cur;
        for (int i = 0; i < 3000; ++i) ref.push_back(z(g));
        for (int i = 0; i < 2000; ++i) cur.push_back(z(g) * 1.1 + shift);
        const kd::column_result r = kd::compare(numeric_table(ref), numeric_table(cur), o).windows[0].columns[0];
        const double tv = r[kd::measure::total_variation].value, h = r[kd::measure::hellinger].value;
        const double kl = r[kd::measure::kl_reference_current].value, js = r[kd::measure::js_divergence].value;
        EXPECT_LE(tv, std::sqrt(kl / 2) + 1e-15) << "Pinsker, shift " << shift;
        EXPECT_LE(h * h, tv + 1e-15);
        EXPECT_LE(tv, std::sqrt(2.0) * h + 1e-15);
        EXPECT_LE(js, std::log(2.0));
        EXPECT_NEAR(r[kd::measure::js_distance].value, std::sqrt(js), 1e-15);
        const double both = kl + r[kd::measure::kl_current_reference].value;
        if (std::isinf(both)) {
            EXPECT_EQ(r[kd::measure::psi].value, inf);
        } else {
            EXPECT_NEAR(r[kd::measure::psi].value, both, 1e-12 * (1 + both));  // PSI is Jeffreys' divergence
        }
        EXPECT_GE(r[kd::measure::ks].value, 0.0);
        double contributions = 0.0;
        for (const double c : r.contributions) contributions += c;
        EXPECT_NEAR(contributions, js, 1e-12);  // the tested measure, js_divergence
    }
}

// --- in parts -------------------------------------------------------------------------------------

// Two columns, numeric and categorical, of n rows.
struct mixed_table {
    std::vector<double> x;
    std::vector<std::uint32_t> codes;
    std::vector<std::string> categories{"a", "b", "c", "d"};
    kd::table_view view(std::size_t begin, std::size_t end) const {
        kd::table_view t;
        t.rows = end - begin;
        kd::column_view cx;
        cx.name = "x";
        cx.numbers = x.data() + begin;
        kd::column_view ck;
        ck.name = "k";
        ck.type = kldiv::io::column_type::categorical;
        ck.codes = codes.data() + begin;
        ck.categories = categories;
        t.columns = {cx, ck};
        return t;
    }
};

mixed_table make_mixed(std::size_t n, double shift, unsigned seed, std::uint32_t levels) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> z;
    mixed_table t;
    for (std::size_t i = 0; i < n; ++i) {
        t.x.push_back(i % 97 == 0 ? std::nan("") : z(g) + shift);
        t.codes.push_back(i % 89 == 0 ? kldiv::io::missing_code : static_cast<std::uint32_t>(g() % levels));
    }
    return t;
}

TEST(DriftParts, ProfilesAndCountsInPartsEqualTheWholeTable) {
    const mixed_table ref = make_mixed(5000, 0.0, 1, 3), cur = make_mixed(4000, 0.1, 2, 4);
    kd::drift_options o;
    o.binning.max_sample = 700;  // sampled rows, decided by their number in the whole table
    o.calibration.permutations = 300;
    o.calibration.resamples = 20;
    o.window_rows = 1500;
    const kd::profile whole = kd::make_profile(ref.view(0, 5000), o);
    const std::size_t cuts[] = {0, 1234, 1235, 4000, 5000};
    std::vector<kd::column_sample> samples;
    for (std::size_t k = 0; k + 1 < std::size(cuts); ++k) {
        const auto part = kd::sample_reference(ref.view(cuts[k], cuts[k + 1]), o, cuts[k], 5000);
        if (k == 0) {
            samples = part;
        } else {
            kd::merge(samples, part);
        }
    }
    kd::profile parts = kd::profile_from(samples, o);
    for (std::size_t k = 0; k + 1 < std::size(cuts); ++k) kd::add_counts(parts, ref.view(cuts[k], cuts[k + 1]));
    ASSERT_EQ(parts.rows, whole.rows);
    for (std::size_t j = 0; j < whole.columns.size(); ++j) {
        EXPECT_EQ(parts.columns[j].bins.edges, whole.columns[j].bins.edges);
        EXPECT_EQ(parts.columns[j].bins.categories, whole.columns[j].bins.categories);
        EXPECT_EQ(parts.columns[j].counts.counts, whole.columns[j].counts.counts);
        EXPECT_EQ(parts.columns[j].counts.sum_hi, whole.columns[j].counts.sum_hi);
    }
    const std::size_t current_cuts[] = {0, 700, 2999, 3000, 4000};
    kd::current_counts counted;
    for (std::size_t k = 0; k + 1 < std::size(current_cuts); ++k) {
        kd::merge(counted,
                  kd::count_current(parts, cur.view(current_cuts[k], current_cuts[k + 1]), o, current_cuts[k]));
    }
    const kd::drift_result a = kd::compare(whole, cur.view(0, 4000), o);
    const kd::drift_result b = kd::compare(parts, counted, o);
    ASSERT_EQ(a.windows.size(), 3u);
    ASSERT_EQ(b.windows.size(), 3u);
    for (std::size_t w = 0; w < 3; ++w) {
        EXPECT_EQ(a.windows[w].label, b.windows[w].label);
        EXPECT_EQ(a.windows[w].rows, b.windows[w].rows);
        for (std::size_t j = 0; j < a.windows[w].columns.size(); ++j) {
            const kd::column_result &x = a.windows[w].columns[j], &y = b.windows[w].columns[j];
            EXPECT_EQ(x.name, y.name);
            auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
            for (std::size_t m = 0; m < kd::measure_count; ++m) {
                EXPECT_TRUE(same(x.measures[m].value, y.measures[m].value)) << x.name << " " << m;
                EXPECT_TRUE(same(x.measures[m].p_value, y.measures[m].p_value)) << x.name << " " << m;
                EXPECT_TRUE(same(x.measures[m].low, y.measures[m].low)) << x.name << " " << m;
            }
        }
    }
    // The profile's text reads back as the same profile, and then compares the same.
    const kd::profile back = kd::parse_profile(kd::profile_text(parts), "profile");
    EXPECT_EQ(kd::profile_text(back), kd::profile_text(parts));
    EXPECT_EQ(kd::counts_text(kd::parse_counts(kd::counts_text(counted), "counts")), kd::counts_text(counted));
}

TEST(DriftProfileFile, RefusesWhatIsNotAProfile) {
    const mixed_table ref = make_mixed(300, 0.0, 1, 3);
    const std::string text = kd::profile_text(kd::make_profile(ref.view(0, 300)));
    auto refused = [](const std::string& t, const std::string& message) {
        try {
            kd::parse_profile(t, "p.json");
            ADD_FAILURE() << "accepted: " << t.substr(0, 80);
        } catch (const kldiv::error& e) {
            EXPECT_THAT(e.what(), HasSubstr(message)) << t.substr(0, 80);
        }
    };
    refused(text.substr(0, text.size() / 2), "is not JSON");
    refused("[1, 2]", "is not a drift profile");
    auto edited = [&](const std::string& from, const std::string& to) {
        std::string t = text;
        const auto at = t.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return t.replace(at, from.size(), to);
    };
    refused(edited("\"version\":1", "\"version\":3"), "the one version");
    refused(edited("\"missing\":", "\"missing\":-"), "a count is a whole number");
    refused(edited("\"counts\":[", "\"counts\":[1,"), "counts, but the column has");
    refused(edited("\"name\":\"k\"", "\"name\":\"x\""), "repeats \"x\"");
    refused(edited("\"type\":\"categorical\"", "\"type\":\"words\""), "must be numeric, boolean or categorical");
    refused(edited("\"categories\":[\"", "\"categories\":[\"b\",\""), "repeats \"b\"");
}

TEST(DriftErrors, NameTheColumnAndTheRule) {
    const mixed_table ref = make_mixed(300, 0.0, 1, 3), cur = make_mixed(200, 0.0, 2, 3);
    auto fails = [&](kd::drift_options o, const std::string& message) {
        try {
            kd::compare(ref.view(0, 300), cur.view(0, 200), o);
            ADD_FAILURE() << "no error for " << message;
        } catch (const kldiv::error& e) {
            EXPECT_THAT(e.what(), HasSubstr(message));
        }
    };
    kd::drift_options o = quick();
    o.columns = {"nope"};
    fails(o, "columns = \"nope\", but the reference has no such column (its columns: x, k)");
    o = quick();
    o.alpha = 0.0;
    fails(o, "alpha = 0, but the false-alarm rate must be in (0, 1)");
    o = quick();
    o.binning.bin_count = 0;
    fails(o, "bin_count = 0, but the quantile binning needs 1 to");
    o = quick();
    o.time_column = "t";
    o.window_seconds = 3600;
    fails(o, "time_column = \"t\", but the current data has no such column");
    o = quick();
    o.window_rows = 10;
    o.time_column = "x";
    o.window_seconds = 1;
    fails(o, "windows are by rows or by time, not both");
    o = quick();
    o.measures.pseudocount = 0.0;
    fails(o, "pseudocount = 0, but it must be finite and > 0");
    o = quick();
    o.calibration.level = 1.0;
    o.calibration.permutations = 10;
    fails(o, "level = 1, but it must be in (0, 1)");
    try {
        kd::compare(ref.view(0, 300), cur.view(0, 0), quick());
        ADD_FAILURE();
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("the current data has no rows"));
    }
}

}  // namespace
