// Tests of include/kldiv/estimate/histogram.hpp: edges and counts equal to numpy's
// (tests/data/estimate_histogram.tsv, written by tests/data/generate_estimate_histogram.py with
// numpy.histogram_bin_edges / quantile / histogramdd), KL of samples from known distributions,
// and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/error.hpp"
#include "kldiv/estimate/histogram.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using kldiv::estimate::binning;
using kldiv::estimate::count_estimator;
using kldiv::estimate::histogram_options;
using testing::HasSubstr;
using vec = std::vector<double>;
using view = kldiv::matrix_view<const double>;

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
    return parts;
}

vec numbers(const std::string& text) {
    vec v;
    for (const auto& item : split(text, ',')) v.push_back(std::stod(item));
    return v;
}

const std::map<std::string, binning> rules{{"fixed", binning::fixed},
                                           {"freedman-diaconis", binning::freedman_diaconis},
                                           {"scott", binning::scott},
                                           {"sturges", binning::sturges},
                                           {"quantile", binning::quantile}};

// Every edge and every count exactly as numpy gives them (35 cases: 7 samples in 1, 2 and 3
// dimensions, with ties, constants and single points, times 5 rules).
TEST(EstimateHistogram, EdgesAndCountsEqualNumpy) {
    std::ifstream in(std::string(KLDIV_TEST_DATA) + "/estimate_histogram.tsv");
    ASSERT_TRUE(in) << "missing tests/data/estimate_histogram.tsv";
    struct sample {
        std::size_t dims;
        vec x, y;
    };
    std::map<std::string, sample> samples;
    int cases = 0;
    for (std::string line; std::getline(in, line);) {
        const auto f = split(line, '\t');
        if (f[0] == "sample") {
            samples[f[1]] = {std::stoul(f[2]), numbers(f[3]), numbers(f[4])};
            continue;
        }
        SCOPED_TRACE(f[1] + " " + f[2]);
        const sample& s = samples.at(f[1]);
        const view x(s.x.data(), s.x.size() / s.dims, s.dims), y(s.y.data(), s.y.size() / s.dims, s.dims);
        const histogram_options opts{.bins = rules.at(f[2]), .bin_count = std::stoul(f[3])};
        const auto h = kldiv::estimate::histogram_counts(x, y, opts);
        const auto axes = split(f[4], ';');
        ASSERT_EQ(h.edges.size(), axes.size());
        for (std::size_t j = 0; j < axes.size(); ++j) EXPECT_EQ(h.edges[j], numbers(axes[j])) << "axis " << j;
        EXPECT_EQ(h.p_counts, numbers(f[5]));
        EXPECT_EQ(h.q_counts, numbers(f[6]));
        if (s.dims == 1) {
            vec pooled = s.x;
            pooled.insert(pooled.end(), s.y.begin(), s.y.end());
            EXPECT_EQ(kldiv::estimate::bin_edges(pooled, opts.bins, opts.bin_count), numbers(axes[0]));
        }
        ++cases;
    }
    EXPECT_EQ(cases, 35);
}

vec normal_sample(std::mt19937_64& rng, std::size_t n, double mean) {
    std::normal_distribution<double> z(mean, 1.0);
    vec v(n);
    for (double& x : v) x = z(rng);
    return v;
}

// D(N(0,1) ‖ N(1,1)) = 1/2. At n = m = 10^5 the sampling sd of the estimate is about
// sqrt(Var_P[log p/q]/n + Var_Q[p/q]/m) = sqrt(1/n + (e − 1)/m) ≈ 0.005; binning loses about
// h²/24 · E[(d/dx log p/q)²] = h²/24 (h ≈ 0.06 for Freedman–Diaconis, 0.1–0.2 for the others), and the
// pseudocounts move it by O(K/n). Tolerance 0.03: six sd plus the binning bias.
TEST(EstimateHistogram, GaussianShiftKl) {
    std::mt19937_64 rng(6);
    const std::size_t n = 100'000;
    const vec xs = normal_sample(rng, n, 0.0), ys = normal_sample(rng, n, 1.0);
    const view x(xs.data(), n, 1), y(ys.data(), n, 1);
    for (const auto& [rule, bins] : {std::pair{binning::freedman_diaconis, 0}, std::pair{binning::scott, 0},
                                     std::pair{binning::quantile, 100}, std::pair{binning::fixed, 60}}) {
        for (auto method : {count_estimator::perks, count_estimator::jeffreys, count_estimator::james_stein}) {
            const auto e = kldiv::estimate::kl_divergence_histogram(
                x, y, {.bins = rule, .bin_count = static_cast<std::size_t>(bins), .counts = {.method = method}});
            EXPECT_NEAR(e.value, 0.5, 0.03) << kldiv::estimate::describe(e);
        }
    }
    // The plug-in is +inf here: the tails of x reach bins where y has no point.
    EXPECT_EQ(kldiv::estimate::kl_divergence_histogram(x, y).value, std::numeric_limits<double>::infinity());
    const auto e = kldiv::estimate::kl_divergence_histogram(x, y, {.counts = {.method = count_estimator::perks}});
    EXPECT_EQ(e.method, kldiv::estimate::estimator::histogram);
    EXPECT_THAT(kldiv::estimate::describe(e), HasSubstr("histogram (freedman-diaconis, "));
    EXPECT_THAT(kldiv::estimate::describe(e), HasSubstr("bins; counts (perks, a=1/K))"));
}

// Two dimensions: D(N(0, I) ‖ N((1, 0), I)) = 1/2 again, on a product grid of 25 × 25 bins.
// The sd is as above; the grid is coarser (h ≈ 0.4, bias ≈ −h²/24 ≈ −0.007) and has 625 bins, so
// the pseudocount shift is O(625/n). Tolerance 0.03. (Jeffreys, a = 1/2: Perks' a = 1/625 leaves
// the lone tail points of x in bins without y nearly infinite weight, +0.03 on this seed.)
TEST(EstimateHistogram, GaussianShiftKlTwoDimensions) {
    std::mt19937_64 rng(7);
    const std::size_t n = 100'000;
    vec xs = normal_sample(rng, 2 * n, 0.0), ys = normal_sample(rng, 2 * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) ys[2 * i] += 1.0;
    const view x(xs.data(), n, 2), y(ys.data(), n, 2);
    const auto e = kldiv::estimate::kl_divergence_histogram(
        x, y, {.bins = binning::fixed, .bin_count = 25, .counts = {.method = count_estimator::jeffreys}});
    EXPECT_NEAR(e.value, 0.5, 0.03) << kldiv::estimate::describe(e);
    EXPECT_THAT(e.detail, HasSubstr("25x25 bins"));
}

// Differential entropy and cross-entropy add Σ θ̂_b ln Δ_b to the count estimator's value. By hand:
// x = (0, 0.1, 0.2, 0.9), 2 fixed bins of width 0.45 hold 3 and 1 points; y = (0.5, 0.6) with x
// pooled gives bins [0, 0.45), [0.45, 0.9] holding y's 0 and 2.
TEST(EstimateHistogram, EntropyAndCrossEntropyByHand) {
    const vec xs{0.0, 0.1, 0.2, 0.9}, ys{0.5, 0.6};
    const view x(xs.data(), 4, 1), y(ys.data(), 2, 1);
    const double w = 0.45;
    const auto h = kldiv::estimate::entropy_histogram(x, {.bins = binning::fixed, .bin_count = 2});
    EXPECT_NEAR(h.value, -(0.75 * std::log(0.75 / w) + 0.25 * std::log(0.25 / w)), 1e-15);
    // Laplace (a = 1): θ̂_P = (4/6, 2/6), θ̂_Q = (1/4, 3/4); H = −Σ θ̂_P ln(θ̂_Q / Δ).
    const histogram_options laplace{
        .bins = binning::fixed, .bin_count = 2, .counts = {.method = count_estimator::laplace}};
    const double cross = -(4.0 / 6.0 * std::log(0.25 / w) + 2.0 / 6.0 * std::log(0.75 / w));
    EXPECT_NEAR(kldiv::estimate::cross_entropy_histogram(x, y, laplace).value, cross, 1e-15);
    // The plug-in is +inf (x has points where y has none); units convert the whole value.
    EXPECT_EQ(kldiv::estimate::cross_entropy_histogram(x, y, {.bins = binning::fixed, .bin_count = 2}).value,
              std::numeric_limits<double>::infinity());
    const histogram_options bits{.bins = binning::fixed, .bin_count = 2, .counts = {.base = kldiv::log_base::bits()}};
    EXPECT_NEAR(kldiv::estimate::entropy_histogram(x, bits).value, h.value / std::log(2.0), 1e-15);
}

// N(0, 1) at n = 10^5: H = ½ ln(2πe) = 1.4189; H(N(0,1), N(1,1)) = ½ ln(2π) + 1. Freedman–Diaconis
// bins (h ≈ 0.06) bias these by about h²/24 (negligible); the sd is about 0.005. Tolerance 0.02.
TEST(EstimateHistogram, GaussianEntropyAndCrossEntropy) {
    std::mt19937_64 rng(9);
    const std::size_t n = 100'000;
    const vec xs = normal_sample(rng, n, 0.0), ys = normal_sample(rng, n, 1.0);
    const view x(xs.data(), n, 1), y(ys.data(), n, 1);
    const double log_2pi = std::log(2.0 * std::numbers::pi);
    EXPECT_NEAR(kldiv::estimate::entropy_histogram(x).value, 0.5 * (log_2pi + 1.0), 0.02);
    EXPECT_NEAR(kldiv::estimate::entropy_histogram(x, {.counts = {.method = count_estimator::miller_madow}}).value,
                0.5 * (log_2pi + 1.0), 0.02);
    const histogram_options jeffreys{.counts = {.method = count_estimator::jeffreys}};
    EXPECT_NEAR(kldiv::estimate::cross_entropy_histogram(x, y, jeffreys).value, 0.5 * log_2pi + 1.0, 0.02);
}

// The same sample twice: every count estimator gives exactly 0 (the counts are equal).
TEST(EstimateHistogram, EqualSamplesGiveZero) {
    std::mt19937_64 rng(8);
    const vec xs = normal_sample(rng, 1000, 0.0);
    const view x(xs.data(), 1000, 1);
    for (const auto& [name, rule] : rules) {
        const std::size_t bins = rule == binning::fixed || rule == binning::quantile ? 20 : 0;
        EXPECT_EQ(kldiv::estimate::kl_divergence_histogram(x, x, {.bins = rule, .bin_count = bins}).value, 0.0) << name;
    }
}

// Quantile bins beyond the N − 1 gaps of N pooled values would all be empty: bin_count = 2^26 on 10
// points allocated 2.4 GB. The rule makes at most N − 1 bins, with an edge at every value.
TEST(EstimateHistogram, QuantileBinsAreCappedByTheData) {
    const vec xs{0.5, 2.0, 3.5, 1.0, 4.0}, ys{6.0, 5.5, 7.0, 9.0, 8.0};
    const vec pooled{0.5, 2.0, 3.5, 1.0, 4.0, 6.0, 5.5, 7.0, 9.0, 8.0};
    const vec sorted{0.5, 1.0, 2.0, 3.5, 4.0, 5.5, 6.0, 7.0, 8.0, 9.0};
    for (const std::size_t bins : {std::size_t{9}, std::size_t{10}, kldiv::estimate::histogram_max_bins}) {
        EXPECT_EQ(kldiv::estimate::bin_edges(pooled, binning::quantile, bins), sorted) << bins;
        const auto h = kldiv::estimate::histogram_counts(view(xs.data(), 5, 1), view(ys.data(), 5, 1),
                                                         {.bins = binning::quantile, .bin_count = bins});
        EXPECT_EQ(h.p_counts, (vec{1, 1, 1, 1, 1, 0, 0, 0, 0})) << bins;
        EXPECT_EQ(h.q_counts, (vec{0, 0, 0, 0, 0, 1, 1, 1, 2})) << bins;
    }
    // Below the cap the rule is unchanged: 3 bins at the quantiles 0, 1/3, 2/3, 1.
    EXPECT_EQ(kldiv::estimate::bin_edges(pooled, binning::quantile, 3).size(), 4u);
    const vec one{2.5};
    EXPECT_EQ(kldiv::estimate::bin_edges(one, binning::quantile, 1000), (vec{2.0, 3.0}));  // one value: one bin
}

TEST(EstimateHistogram, BadInput) {
    const vec a{1, 2, 3, 4}, b{1, 2, std::nan(""), 4};
    auto expect_error = [](auto&& call, const std::string& text) {
        EXPECT_THAT(call, testing::ThrowsMessage<kldiv::error>(HasSubstr(text)));
    };
    expect_error([&] { (void)kldiv::estimate::histogram_counts(view(a.data(), 4, 1), view(b.data(), 4, 1)); },
                 "y[2][0] = nan");
    expect_error([&] { (void)kldiv::estimate::histogram_counts(view(a.data(), 4, 1), view(a.data(), 2, 2)); },
                 "x has 1 columns and y 2");
    expect_error([&] { (void)kldiv::estimate::histogram_counts(view(a.data(), 1, 4), view(a.data(), 1, 4)); },
                 "4 columns, but histograms need 1 to 3");
    expect_error([&] { (void)kldiv::estimate::histogram_counts(view(a.data(), 0, 1), view(a.data(), 4, 1)); },
                 "x has no rows");
    expect_error(
        [&] {
            (void)kldiv::estimate::histogram_counts(view(a.data(), 4, 1), view(a.data(), 4, 1),
                                                    {.bins = binning::fixed});
        },
        "bin_count = 0, but the fixed rule");
    expect_error(
        [&] {
            (void)kldiv::estimate::histogram_counts(view(a.data(), 4, 1), view(a.data(), 4, 1),
                                                    {.bins = binning::scott, .bin_count = 5});
        },
        "bin_count = 5, but the scott rule");
    expect_error(
        [&] {
            (void)kldiv::estimate::histogram_counts(view(a.data(), 1, 3), view(a.data(), 1, 3),
                                                    {.bins = binning::fixed, .bin_count = 1000});
        },
        "more than 2^26 bins");
    expect_error([&] { (void)kldiv::estimate::bin_edges(b, binning::sturges); }, "value 2 = nan");
    expect_error([&] { (void)kldiv::estimate::bin_edges(vec{}, binning::sturges); }, "empty");
}

}  // namespace
