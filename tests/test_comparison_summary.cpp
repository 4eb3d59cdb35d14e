// The statistics of llm-compare (include/kldiv/llm/comparison_summary.hpp, quantile_histogram.hpp)
// against direct computations over the stored per-token values written here in long double:
// means and standard errors to 1e-12 relative, percentiles within the histograms' stated bounds of
// numpy's linear-interpolation percentiles, shards merged equal to one pass, and the byte form
// round-tripping to the same bits.

#include <gtest/gtest.h>
#include "kldiv/error.hpp"
#include "kldiv/llm/comparison_summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace {

using kldiv::llm::comparison_summary;
using kldiv::llm::quantile_histogram;
using kldiv::llm::token_comparison;

// numpy.percentile(values, 100 q) with the default "linear" method.
double numpy_percentile(std::vector<double> values, double q) {
    std::sort(values.begin(), values.end());
    const double h = static_cast<double>(values.size() - 1) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h)), hi = static_cast<std::size_t>(std::ceil(h));
    return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

struct mean_se {
    double mean, se, variance;
};

mean_se direct(const std::vector<double>& v) {
    long double sum = 0;
    for (double x : v) sum += x;
    const long double mean = sum / v.size();
    long double squares = 0;
    for (double x : v) squares += (x - mean) * (x - mean);
    const long double variance = squares / (v.size() - 1);
    return {static_cast<double>(mean), static_cast<double>(std::sqrt(variance / v.size())),
            static_cast<double>(variance)};
}

// KL-like values: log-normal over many decades, some exact zeros.
std::vector<double> kl_like(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(-6.0, 4.0);
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i % 97 == 0 ? 0.0 : std::exp(z(rng));
    return v;
}

TEST(QuantileHistogram, PercentilesWithinTheStatedBound) {
    const std::vector<double> kl = kl_like(200000, 1);
    quantile_histogram h(quantile_histogram::scale::log_scale);
    for (double x : kl) h.add(x, "kl");
    std::mt19937_64 rng(2);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> dp(100000);
    quantile_histogram g(quantile_histogram::scale::linear);
    for (double& x : dp) g.add(x = u(rng) * u(rng), "dp");
    for (const double q : {0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        const double exact = numpy_percentile(kl, q);
        EXPECT_LE(std::fabs(h.percentile(q) - exact), h.error_bound(exact)) << q;
        EXPECT_LE(std::fabs(h.percentile(q) - exact), 2.9e-5 * exact + 1e-20) << q;
        const double exact_dp = numpy_percentile(dp, q);
        EXPECT_LE(std::fabs(g.percentile(q) - exact_dp), 9.6e-7) << q;
    }
    EXPECT_EQ(h.percentile(0.0), 0.0);
    EXPECT_EQ(h.percentile(1.0), *std::max_element(kl.begin(), kl.end()));
    EXPECT_EQ(g.min(), *std::min_element(dp.begin(), dp.end()));
}

TEST(QuantileHistogram, MergeAndByteFormAreExact) {
    const std::vector<double> kl = kl_like(5000, 3);
    quantile_histogram whole(quantile_histogram::scale::log_scale), first(whole), second(whole);
    for (std::size_t i = 0; i < kl.size(); ++i) {
        whole.add(kl[i], "kl");
        (i < 1234 ? first : second).add(kl[i], "kl");
    }
    first.merge(second);
    const quantile_histogram copy = quantile_histogram::deserialize(first.serialize());
    for (const double q : {0.001, 0.5, 0.9, 0.999}) {
        EXPECT_EQ(first.percentile(q), whole.percentile(q));
        EXPECT_EQ(copy.percentile(q), whole.percentile(q));
    }
    EXPECT_TRUE(std::isnan(quantile_histogram(quantile_histogram::scale::linear).percentile(0.5)));
}

TEST(QuantileHistogram, CountsBetweenEdgesForCharts) {
    const std::vector<double> kl = kl_like(20000, 4);
    quantile_histogram h(quantile_histogram::scale::log_scale);
    for (double x : kl) h.add(x, "kl");
    const auto zeros = static_cast<std::uint64_t>(std::count(kl.begin(), kl.end(), 0.0));
    EXPECT_EQ(h.counts_between(std::vector<double>{0.0, 0.0}).front(), zeros);
    const std::vector<double> edges{1e-300, 1e-4, 1e-2, 1.0, 1e300};
    const auto counts = h.counts_between(edges);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        // Exact up to the values within half a bin (relative 2.9e-5) of an edge.
        const auto inside =
            std::count_if(kl.begin(), kl.end(), [&](double x) { return x >= edges[i] && x < edges[i + 1]; });
        EXPECT_NEAR(static_cast<double>(counts[i]), static_cast<double>(inside), 2.0) << i;
    }
    EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}) + zeros, kl.size());
}

TEST(QuantileHistogram, ValuesOutsideTheDomainAreErrors) {
    quantile_histogram h(quantile_histogram::scale::log_scale), g(quantile_histogram::scale::linear);
    EXPECT_THROW(h.add(-1e-300, "kl"), kldiv::error);
    EXPECT_THROW(h.add(std::nan(""), "kl"), kldiv::error);
    EXPECT_THROW(h.add(INFINITY, "kl"), kldiv::error);
    EXPECT_THROW(g.add(1.0000001, "dp"), kldiv::error);
    try {
        h.add(-0.5, "the per-token KL divergence");
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_STREQ(e.what(),
                     "quantile_histogram: the per-token KL divergence = -0.5, but it must be finite and >= 0");
    }
    EXPECT_THROW(quantile_histogram::deserialize("KQH1"), kldiv::error);
    EXPECT_THROW(quantile_histogram::deserialize("nope"), kldiv::error);
}

// Random per-token comparisons: correlated log-probabilities of the actual token, KL, overlaps.
std::vector<token_comparison> tokens(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z;
    std::vector<token_comparison> out(n);
    for (auto& t : out) {
        const double a = -std::fabs(2.0 * z(rng)), b = std::min(0.0, a + 0.3 * z(rng));
        t.kl = std::exp(z(rng) - 4.0);
        t.reverse_kl = 1.1 * t.kl;
        t.js = 0.2 * t.kl;
        t.log_p_reference = a;
        t.log_p_candidate = b;
        t.same_top = z(rng) < 1.5;
        t.top5_overlap = static_cast<unsigned>(rng() % 6);
        t.top10_overlap = static_cast<unsigned>(rng() % 11);
    }
    return out;
}

TEST(ComparisonSummary, StatisticsEqualTheDirectFormulas) {
    const auto ts = tokens(20000, 5);
    comparison_summary s;
    for (const auto& t : ts) s.add(t);
    const auto st = s.statistics();
    std::vector<double> kl, a, b, diff, dp, dp2, same;
    for (const auto& t : ts) {
        kl.push_back(t.kl);
        a.push_back(t.log_p_reference);
        b.push_back(t.log_p_candidate);
        diff.push_back(t.log_p_reference - t.log_p_candidate);
        dp.push_back(std::exp(t.log_p_candidate) - std::exp(t.log_p_reference));
        dp2.push_back(dp.back() * dp.back());
        same.push_back(t.same_top);
    }
    const auto rel = [](double x, double y) { return std::fabs(x - y) / std::fabs(y); };
    EXPECT_EQ(st.positions, 20000u);
    EXPECT_LT(rel(st.kl.mean.mean, direct(kl).mean), 1e-12);
    EXPECT_LT(rel(st.kl.mean.standard_error, direct(kl).se), 1e-12);
    EXPECT_LT(rel(st.reverse_kl.mean, 1.1 * direct(kl).mean), 1e-12);
    EXPECT_EQ(st.kl.max, *std::max_element(kl.begin(), kl.end()));
    EXPECT_LE(std::fabs(st.kl.percentiles[5] - numpy_percentile(kl, 0.5)), st.kl.percentile_error);
    EXPECT_LE(std::fabs(st.delta_p.percentiles[0] - numpy_percentile(dp, 0.999)), 9.6e-7);
    // Perplexities.
    const auto A = direct(a), B = direct(b), D = direct(diff);
    EXPECT_LT(rel(st.ppl_reference.mean, std::exp(-A.mean)), 1e-12);
    EXPECT_LT(rel(st.ppl_candidate.standard_error, std::exp(-B.mean) * B.se), 1e-12);
    EXPECT_LT(rel(st.ln_ppl_ratio.mean, D.mean), 1e-10);
    EXPECT_LT(rel(st.ln_ppl_ratio.standard_error, D.se), 1e-12);
    EXPECT_LT(rel(st.ppl_ratio.mean, std::exp(D.mean)), 1e-12);
    long double cov = 0;
    for (std::size_t i = 0; i < a.size(); ++i) cov += (a[i] - A.mean) * (b[i] - B.mean);
    cov /= a.size() - 1;
    EXPECT_LT(rel(st.ln_ppl_correlation, static_cast<double>(cov / std::sqrt(A.variance * B.variance))), 1e-12);
    const double pq = std::exp(-B.mean), pp = std::exp(-A.mean);
    const double var = pq * pq * B.variance + pp * pp * A.variance - 2 * pq * pp * static_cast<double>(cov);
    EXPECT_LT(rel(st.ppl_difference.standard_error, std::sqrt(var / a.size())), 1e-10);
    // Δp, RMS, same top.
    EXPECT_LT(rel(st.delta_p.mean.mean, direct(dp).mean), 1e-11);
    EXPECT_LT(rel(st.rms_delta_p.mean, std::sqrt(direct(dp2).mean)), 1e-12);
    EXPECT_LT(rel(st.rms_delta_p.standard_error, direct(dp2).se / (2 * std::sqrt(direct(dp2).mean))), 1e-12);
    const double f = direct(same).mean;
    EXPECT_LT(rel(st.same_top.mean, f), 1e-12);
    EXPECT_LT(rel(st.same_top.standard_error, std::sqrt(f * (1 - f) / 20000)), 1e-12);
}

TEST(ComparisonSummary, TheSameTopFractionIsTheCountOverThePositions) {
    // 1915 of 2000: 0.9575 as the division gives it (a running mean gave 0.9574999999999991), and
    // so for every count of a few sizes.
    for (const std::size_t n : {2000u, 997u, 65536u}) {
        kldiv::llm::comparison_summary s;
        std::size_t same = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const bool top = (i * 7919) % n < n * 19 / 20;  // about 95%, spread over the positions
            same += top;
            s.add({.kl = 0.01, .same_top = top});
            if (i + 1 == n || i % 97 == 0) {
                const double f = s.statistics().same_top.mean;
                EXPECT_EQ(f, static_cast<double>(same) / static_cast<double>(i + 1)) << same << "/" << i + 1;
            }
        }
    }
}

TEST(ComparisonSummary, OneSummaryHasOneTopK) {
    kldiv::llm::comparison_summary with, without, empty;
    with.add({.kl = 0.1, .top_k = 20, .top_k_overlap = 15});
    without.add({.kl = 0.2});
    EXPECT_THROW(with.add({.kl = 0.1}), kldiv::error);  // no top-20 overlap for this position
    EXPECT_THROW(with.add({.kl = 0.1, .top_k = 30, .top_k_overlap = 3}), kldiv::error);
    EXPECT_THROW(with.merge(without), kldiv::error);
    EXPECT_THROW(without.merge(with), kldiv::error);
    empty.merge(with);  // an empty summary takes the other's k
    EXPECT_EQ(empty.statistics().top_k, 20u);
    EXPECT_EQ(empty.statistics().top_k_overlap.mean, 0.75);
    with.merge(kldiv::llm::comparison_summary());  // merging an empty one changes nothing
    EXPECT_EQ(kldiv::llm::comparison_summary::deserialize(with.serialize()).statistics().top_k, 20u);
}

TEST(ComparisonSummary, ShardsMergeAndTheByteFormRoundTrips) {
    const auto ts = tokens(3000, 6);
    comparison_summary whole, parts[3];
    for (std::size_t i = 0; i < ts.size(); ++i) {
        whole.add(ts[i]);
        parts[i * 3 / ts.size()].add(ts[i]);
    }
    comparison_summary merged = comparison_summary::deserialize(parts[0].serialize());
    merged.merge(comparison_summary::deserialize(parts[1].serialize()));
    merged.merge(parts[2]);
    const auto m = merged.statistics(), w = whole.statistics();
    EXPECT_NEAR(m.kl.mean.mean, w.kl.mean.mean, 1e-15 * w.kl.mean.mean);
    EXPECT_NEAR(m.ln_ppl_ratio.standard_error, w.ln_ppl_ratio.standard_error, 1e-13 * w.ln_ppl_ratio.standard_error);
    for (std::size_t i = 0; i < std::size(kldiv::llm::reported_percentiles); ++i) {
        EXPECT_EQ(m.kl.percentiles[i], w.kl.percentiles[i]);
        EXPECT_EQ(m.delta_p.percentiles[i], w.delta_p.percentiles[i]);
    }
    // The same merge order gives the same bits, however the parts travelled.
    comparison_summary again = parts[0];
    again.merge(parts[1]);
    again.merge(parts[2]);
    EXPECT_EQ(again.serialize(), merged.serialize());
    EXPECT_THROW(comparison_summary::deserialize(merged.serialize().substr(0, 100)), kldiv::error);
}

// Positions whose actual token is floored are counted per model, merged by adding, and kept by the
// byte form.
TEST(ComparisonSummary, FlooredActualTokensAreCounted) {
    comparison_summary a, b;
    a.add({.kl = 0.1, .log_p_reference = -17.5, .log_p_candidate = -2.0, .reference_token_floored = true});
    a.add({.kl = 0.2, .log_p_reference = -1.0, .log_p_candidate = -1.5});
    b.add({.kl = 0.3, .log_p_reference = -3.0, .log_p_candidate = -18.0, .candidate_token_floored = true});
    b.add({.kl = 0.4,
           .log_p_reference = -19.0,
           .log_p_candidate = -20.0,
           .reference_token_floored = true,
           .candidate_token_floored = true});
    b.add({.kl = 0.5, .reference_token_floored = true});  // no token: not counted
    a.merge(comparison_summary::deserialize(b.serialize()));
    const auto st = a.statistics();
    EXPECT_EQ(st.positions_with_token, 4u);
    EXPECT_EQ(st.floored_token_reference, 2u);
    EXPECT_EQ(st.floored_token_candidate, 2u);
    EXPECT_EQ(comparison_summary::deserialize(a.serialize()).statistics().floored_token_reference, 2u);
}

TEST(ComparisonSummary, WithoutTokensThePerplexityPartIsNotComputed) {
    comparison_summary s;
    s.add({.kl = 0.25, .same_top = true, .top5_overlap = 5, .top10_overlap = 9});
    s.add({.kl = 0.0, .same_top = false, .top5_overlap = 4, .top10_overlap = 10});
    const auto st = s.statistics();
    EXPECT_EQ(st.positions, 2u);
    EXPECT_EQ(st.positions_with_token, 0u);
    EXPECT_EQ(st.kl.mean.mean, 0.125);
    EXPECT_EQ(st.same_top.mean, 0.5);
    EXPECT_EQ(st.top10_overlap.mean, 0.95);
    EXPECT_TRUE(std::isnan(st.ppl_reference.mean));
    EXPECT_TRUE(std::isnan(st.delta_p.mean.mean));
    EXPECT_TRUE(std::isnan(st.reverse_kl.mean));
    EXPECT_THROW(s.add({.kl = -1e-9}), kldiv::error);
}

}  // namespace
