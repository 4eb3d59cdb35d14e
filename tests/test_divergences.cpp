// Tests of include/kldiv/divergences.hpp: every measure against its textbook definition evaluated by
// mpmath at 200 digits (tests/data/divergence_cases.tsv, generate_divergences.py), the relations
// between the measures, the data-processing inequality, the options, and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/discrete.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/error.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using vec = std::vector<double>;
using kldiv::measure;
using testing::HasSubstr;
constexpr double inf = std::numeric_limits<double>::infinity();

std::vector<std::string> split(const std::string& line, char by) {
    std::vector<std::string> out;
    std::stringstream s(line);
    for (std::string field; std::getline(s, field, by);) out.push_back(field);
    return out;
}

struct pair_case {
    bool is_float = false;
    bool normalize = false;
    vec p, q;
};

vec hex_values(const std::string& text) {
    vec out;
    for (const std::string& v : split(text, ',')) out.push_back(std::strtod(v.c_str(), nullptr));  // subnormals too
    return out;
}

double measured(const pair_case& c, measure m, const kldiv::options& opts) {
    if (!c.is_float) return kldiv::divergence(c.p, c.q, m, opts);
    const std::vector<float> p(c.p.begin(), c.p.end()), q(c.q.begin(), c.q.end());  // exact: float values
    return kldiv::divergence(std::span<const float>(p), std::span<const float>(q), m, opts);
}

// The stated accuracy: relative error below 1e-13 against the 200-digit references (absolute 1e-300
// below: the subnormal range), infinities and zeros exactly.
TEST(Divergences, AgreeWithMpmathDefinitions) {
    std::ifstream in(std::string(KLDIV_TEST_DATA) + "/divergence_cases.tsv");
    ASSERT_TRUE(in) << "missing divergence_cases.tsv";
    std::vector<pair_case> cases;
    std::size_t checked = 0, zeros = 0, infinities = 0;
    double worst = 0.0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto f = split(line, '\t');
        if (f[0] == "vector") {
            ASSERT_EQ(std::stoul(f[1]), cases.size());
            cases.push_back({f[2] == "float32", f[3] == "1", hex_values(f[4]), hex_values(f[5])});
            continue;
        }
        const pair_case& c = cases.at(std::stoul(f[1]));
        const measure m = kldiv::parse<measure>(f[2], "measure", "test");
        const kldiv::options opts{
            .normalize = c.normalize, .beta = std::stod(f[4]), .alpha = f[3] == "inf" ? inf : std::stod(f[3])};
        const double expected = std::strtod(f[5].c_str(), nullptr);  // "inf" too
        const double got = measured(c, m, opts);
        SCOPED_TRACE("case " + f[1] + " " + f[2] + " alpha " + f[3] + " beta " + f[4]);
        if (std::isinf(expected) || expected == 0.0) {
            EXPECT_EQ(got, expected);
            (expected == 0.0 ? zeros : infinities) += 1;
        } else {
            const double error = std::fabs(got - expected);
            EXPECT_LE(error, 1e-13 * std::fabs(expected) + 1e-300) << got << " vs " << expected;
            worst = std::max(worst, error / std::fabs(expected));
        }
        ++checked;
    }
    EXPECT_EQ(cases.size(), 22u);
    EXPECT_EQ(checked, 1034u);
    EXPECT_GT(zeros, 40u);
    EXPECT_GT(infinities, 40u);
    std::cout << "worst relative error " << worst << " over " << checked << " values\n";
}

vec random_distribution(std::mt19937_64& rng, std::size_t n, std::size_t zeros = 0) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    vec v(n);
    for (double& x : v) x = u(rng) * u(rng);
    for (std::size_t i = 0; i < zeros && i + 1 < n; ++i) v[(i * 7) % n] = 0.0;
    const double s = std::accumulate(v.begin(), v.end(), 0.0);
    for (double& x : v) x /= s;
    return v;
}

// |a − b| ≤ relative·|b| + absolute, or both the same infinity.
void expect_close(double a, double b, double relative, double absolute = 0.0) {
    if (std::isinf(b)) {
        EXPECT_EQ(a, b);
    } else {
        EXPECT_LE(std::fabs(a - b), relative * std::fabs(b) + absolute) << a << " vs " << b;
    }
}

double d(const vec& p, const vec& q, measure m, double alpha = 1.0) {
    return kldiv::divergence(p, q, m, {.alpha = alpha});
}

const measure every_measure[] = {measure::kl_divergence,      measure::reverse_kl,   measure::jeffreys,
                                 measure::js_divergence,      measure::js_distance,  measure::renyi_divergence,
                                 measure::tsallis_divergence, measure::pearson_chi2, measure::neyman_chi2,
                                 measure::squared_hellinger,  measure::hellinger,    measure::total_variation,
                                 measure::bhattacharyya,      measure::triangular,   measure::skew_divergence};

TEST(Divergences, ZeroExactlyForEqualAndPositiveOtherwise) {
    std::mt19937_64 rng(1);
    for (int trial = 0; trial < 50; ++trial) {
        const vec p = random_distribution(rng, 1 + trial % 9, trial % 3);
        vec q = p;
        vec r = random_distribution(rng, p.size());
        for (double& x : q) x *= 4.0;  // proportional (exactly): the same distribution
        for (measure m : every_measure) {
            for (double alpha : {0.3, 1.0, 2.5}) {
                if (m == measure::skew_divergence && alpha > 1.0) continue;
                SCOPED_TRACE(kldiv::name(m));
                EXPECT_EQ(kldiv::divergence(p, q, m, {.normalize = true, .alpha = alpha}), 0.0);
                if (p.size() > 1 && p != r) {
                    EXPECT_GT(kldiv::divergence(p, r, m, {.alpha = alpha}), 0.0);
                }
            }
        }
    }
}

// Relations every textbook states, on random pairs with and without zeros.
TEST(Divergences, Relations) {
    std::mt19937_64 rng(2);
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t n = 2 + trial % 30;
        const vec p = random_distribution(rng, n, trial % 4 == 0 ? n / 3 : 0);
        const vec q = random_distribution(rng, n, trial % 4 == 1 ? n / 3 : 0);
        const double kl = d(p, q, measure::kl_divergence), tv = d(p, q, measure::total_variation);
        const double h2 = d(p, q, measure::squared_hellinger), h = d(p, q, measure::hellinger);
        const double chi2 = d(p, q, measure::pearson_chi2), tri = d(p, q, measure::triangular);
        const double slack = 1e-14;
        EXPECT_LE(tv, std::sqrt(kl / 2.0) + slack);  // Pinsker (δ = ½‖P − Q‖₁)
        EXPECT_LE(h2, tv + slack);                   // H² ≤ δ ≤ √2·H
        EXPECT_LE(tv, std::sqrt(2.0) * h + slack);
        EXPECT_LE(2.0 * h2, tri * (1 + slack));  // 2H² ≤ Δ ≤ 4H²
        EXPECT_LE(tri, 4.0 * h2 * (1 + slack));
        EXPECT_LE(kl, std::log1p(chi2) * (1 + 1e-13));  // D ≤ ln(1 + χ²) = D_2
        EXPECT_DOUBLE_EQ(h * h, h2);
        EXPECT_NEAR(d(p, q, measure::renyi_divergence, 0.5), 2.0 * d(p, q, measure::bhattacharyya), 1e-14 * (1 + kl));
        EXPECT_EQ(d(p, q, measure::renyi_divergence, 2.0), std::log1p(chi2));
        expect_close(d(p, q, measure::tsallis_divergence, 2.0), chi2, 1e-13);
        expect_close(d(p, q, measure::neyman_chi2), d(q, p, measure::pearson_chi2), 1e-14);
        EXPECT_EQ(d(p, q, measure::reverse_kl), d(q, p, measure::kl_divergence));
        EXPECT_EQ(d(p, q, measure::renyi_divergence, 1.0), kl);
        EXPECT_EQ(d(p, q, measure::skew_divergence, 1.0), kl);
        EXPECT_NEAR(d(p, q, measure::bhattacharyya), -std::log1p(-h2), 1e-14);
        // Symmetric measures.
        for (measure m : {measure::jeffreys, measure::js_divergence, measure::squared_hellinger,
                          measure::total_variation, measure::bhattacharyya, measure::triangular}) {
            SCOPED_TRACE(kldiv::name(m));
            expect_close(d(p, q, m), d(q, p, m), 1e-15, 1e-15);
        }
        // Rényi is non-decreasing in α, through α = 1 (KL) and up to D_∞; α → 1 is continuous.
        double previous = 0.0;
        for (double a : {0.0, 0.01, 0.2, 0.5, 0.9, 0.99999, 1.0, 1.00001, 1.5, 2.0, 4.0, 30.0, 300.0, inf}) {
            const double v = d(p, q, measure::renyi_divergence, a);
            EXPECT_GE(v, previous * (1 - 1e-14)) << "alpha " << a;
            previous = v;
        }
        if (std::isfinite(kl)) {
            EXPECT_NEAR(d(p, q, measure::renyi_divergence, 1.0 - 1e-9), kl, 1e-8 * kl + 1e-300);
            EXPECT_NEAR(d(p, q, measure::renyi_divergence, 1.0 + 1e-9), kl, 1e-8 * kl + 1e-300);
            EXPECT_NEAR(d(p, q, measure::tsallis_divergence, 1.0 + 1e-9), kl, 1e-8 * kl + 1e-300);
        }
        // Skew divergence: M ≥ (1−α)P, so s_α ≤ ln(1/(1−α)).
        EXPECT_LE(d(p, q, measure::skew_divergence, 0.5), std::log(2.0) + slack);
    }
}

// Merging events (a Markov kernel that maps several outcomes to one) never increases an
// f-divergence nor a Rényi divergence.
TEST(Divergences, DataProcessingInequality) {
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 100; ++trial) {
        const std::size_t n = 4 + trial % 20;
        const vec p = random_distribution(rng, n, trial % 3 == 0 ? 2 : 0);
        const vec q = random_distribution(rng, n, trial % 3 == 1 ? 2 : 0);
        vec pm((n + 1) / 2, 0.0), qm((n + 1) / 2, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            pm[i / 2] += p[i];
            qm[i / 2] += q[i];
        }
        for (measure m : every_measure) {
            for (double alpha : {0.0, 0.4, 1.0, 3.0, inf}) {
                if (m == measure::skew_divergence && !(alpha > 0.0 && alpha <= 1.0)) continue;
                if (m == measure::tsallis_divergence && std::isinf(alpha)) continue;
                const double before = kldiv::divergence(p, q, m, {.alpha = alpha});
                const double after = kldiv::divergence(pm, qm, m, {.normalize = true, .alpha = alpha});
                EXPECT_LE(after, before * (1 + 1e-13) + 1e-300) << kldiv::name(m) << " alpha " << alpha;
            }
        }
    }
}

TEST(Divergences, UnitsApplyToLogarithmicMeasuresOnly) {
    const vec p{0.2, 0.5, 0.3}, q{0.4, 0.4, 0.2};
    for (measure m : every_measure) {
        const double nats = kldiv::divergence(p, q, m, {.alpha = 0.7});
        const double bits = kldiv::divergence(p, q, m, {.base = kldiv::log_base::bits(), .alpha = 0.7});
        if (m == measure::js_distance) {
            EXPECT_NEAR(bits, nats / std::sqrt(std::log(2.0)), 1e-15);
        } else if (kldiv::in_log_units(m)) {
            EXPECT_NEAR(bits, nats / std::log(2.0), 1e-15) << kldiv::name(m);
        } else {
            EXPECT_EQ(bits, nats) << kldiv::name(m);
        }
    }
}

TEST(Divergences, SupportsAndZeroPolicies) {
    const vec p{0.5, 0.5, 0.0}, q{0.5, 0.0, 0.5};  // each has an event the other lacks
    EXPECT_EQ(d(p, q, measure::renyi_divergence, 1.5), inf);
    EXPECT_NEAR(d(p, q, measure::renyi_divergence, 0.0), -std::log(0.5), 1e-16);
    EXPECT_EQ(d(p, q, measure::renyi_divergence, inf), inf);
    EXPECT_NEAR(d(p, q, measure::total_variation), 0.5, 1e-16);
    EXPECT_NEAR(d(p, q, measure::squared_hellinger), 0.5, 1e-16);
    EXPECT_NEAR(d(p, q, measure::triangular), 1.0, 1e-16);
    EXPECT_EQ(d(p, q, measure::pearson_chi2), inf);
    EXPECT_EQ(d(p, q, measure::neyman_chi2), inf);
    const vec disjoint_p{1.0, 0.0}, disjoint_q{0.0, 1.0};
    EXPECT_EQ(d(disjoint_p, disjoint_q, measure::renyi_divergence, 0.5), inf);
    EXPECT_EQ(d(disjoint_p, disjoint_q, measure::renyi_divergence, 0.2), inf);
    EXPECT_EQ(d(disjoint_p, disjoint_q, measure::bhattacharyya), inf);
    EXPECT_EQ(d(disjoint_p, disjoint_q, measure::total_variation), 1.0);
    EXPECT_EQ(d(disjoint_p, disjoint_q, measure::hellinger), 1.0);
    EXPECT_EQ(d(disjoint_p, disjoint_q, measure::triangular), 2.0);
    EXPECT_NEAR(d(disjoint_p, disjoint_q, measure::skew_divergence, 0.25), std::log(4.0 / 3.0), 1e-15);
    // on_zero = error refuses only where the measure would be infinite, naming the direction.
    const kldiv::options strict{.on_zero = kldiv::zero_support::error};
    EXPECT_NO_THROW(kldiv::divergence(p, q, measure::total_variation, strict));
    EXPECT_NO_THROW(
        kldiv::divergence(p, q, measure::renyi_divergence, {.on_zero = kldiv::zero_support::error, .alpha = 0.5}));
    EXPECT_NO_THROW(kldiv::divergence(vec{0.5, 0.5}, vec{1.0, 0.0}, measure::neyman_chi2, strict));  // finite
    try {
        kldiv::divergence(vec{1.0, 0.0}, vec{0.5, 0.5}, measure::neyman_chi2, strict);
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("q[1] = 0.5 > 0 where p[1] = 0"));
    }
    // Smoothing makes everything finite.
    const double smoothed =
        kldiv::divergence(p, q, measure::pearson_chi2, {.on_zero = kldiv::zero_support::smooth, .epsilon = 1e-3});
    EXPECT_GT(smoothed, 100.0);
    EXPECT_TRUE(std::isfinite(smoothed));
}

TEST(Divergences, ExtremeOrdersStayAccurate) {
    // A pair far apart with orders far from 1: the log-sum-exp path; against the direct sum in long
    // double (which is accurate only where D_α is not small).
    const vec p{0.7, 0.2, 0.1 - 1e-12, 1e-12}, q{0.1, 0.3, 0.1, 0.5};
    for (double alpha : {0.3, 1.7, 25.0, 400.0}) {
        long double s = 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            s += std::pow(static_cast<long double>(p[i]), alpha) * std::pow(static_cast<long double>(q[i]), 1 - alpha);
        }
        const double direct = static_cast<double>(std::log(s) / (alpha - 1));
        EXPECT_NEAR(d(p, q, measure::renyi_divergence, alpha), direct, 1e-13 * direct) << alpha;
    }
    // Ratios beyond the double range: D_∞ = ln(p̂/q̂) of the subnormal q.
    const vec tiny_q{0.5, 0.5}, huge_ratio{1.0 - 1e-300, 1e-300};
    const double ln_ratio = std::log(0.5) - std::log(4e-320);  // 734.7…
    for (double alpha : {1.5, 2.0, 3.0, 10.0, inf}) {
        // D_α = ln(0.5^α (1^(1−α) + (4e-320)^(1−α))) / (α − 1), the second term dominating
        const double expected = std::isinf(alpha) ? ln_ratio : ln_ratio + std::log(0.5) / (alpha - 1);
        EXPECT_NEAR(d(tiny_q, vec{1.0, 4e-320}, measure::renyi_divergence, alpha), expected, 1e-13 * 736) << alpha;
    }
    // α < 1: the subnormal event's share (4e-320)^0.3 ≈ 1e-96 is negligible, D = 0.7 ln 2 / 0.3.
    EXPECT_NEAR(d(tiny_q, vec{1.0, 4e-320}, measure::renyi_divergence, 0.7), 0.7 * std::log(2.0) / 0.3, 1e-15);
    // χ² beyond the double range is +inf, correctly rounded: (0.5)²/4e-320 > DBL_MAX.
    EXPECT_EQ(d(tiny_q, vec{1.0, 4e-320}, measure::pearson_chi2), inf);
    // A term of 1e300 whose ratio p̂/q̂ = 1e310 is not a double.
    const double chi2 = d(vec{1.0 - 1e-10, 1e-10}, vec{1.0, 1e-320}, measure::pearson_chi2);
    EXPECT_NEAR(chi2, 1e-20 / 1e-320, 1e-13 * chi2);
    EXPECT_EQ(d(huge_ratio, tiny_q, measure::renyi_divergence, 0.0), 0.0);
}

TEST(Divergences, GeneralizedJensenShannon) {
    std::mt19937_64 rng(4);
    for (int trial = 0; trial < 50; ++trial) {
        const std::size_t n = 1 + trial % 12;
        const vec a = random_distribution(rng, n, trial % 3), b = random_distribution(rng, n),
                  c = random_distribution(rng, n, 1);
        const std::span<const double> two[] = {a, b};
        for (double beta : {0.5, 0.2}) {
            const vec w{beta, 1 - beta};
            EXPECT_NEAR(kldiv::generalized_js_divergence(two, w), kldiv::js_divergence(a, b, {.beta = beta}), 1e-15);
        }
        const std::span<const double> three[] = {a, b, c}, shuffled[] = {c, a, b};
        const vec w{0.5, 0.3, 0.2}, ws{0.2, 0.5, 0.3};
        const double js3 = kldiv::generalized_js_divergence(three, w);
        EXPECT_NEAR(kldiv::generalized_js_divergence(shuffled, ws), js3, 1e-15);
        // H(M) − Σ w H(P_i), and at most H(w).
        vec m(n, 0.0);
        for (std::size_t j = 0; j < n; ++j) m[j] = 0.5 * a[j] + 0.3 * b[j] + 0.2 * c[j];
        const double by_entropies =
            kldiv::entropy(m) - 0.5 * kldiv::entropy(a) - 0.3 * kldiv::entropy(b) - 0.2 * kldiv::entropy(c);
        EXPECT_NEAR(js3, by_entropies, 1e-14);
        EXPECT_LE(js3, kldiv::entropy(w) + 1e-15);
        EXPECT_GE(js3, 0.0);
        const std::span<const double> same[] = {a, a, a};
        EXPECT_EQ(kldiv::generalized_js_divergence(same, w), 0.0);
        EXPECT_EQ(kldiv::generalized_js_divergence(same, {}), 0.0);
    }
    // Disjoint supports with equal weights reach ln n.
    const vec e0{1, 0, 0}, e1{0, 1, 0}, e2{0, 0, 1};
    const std::span<const double> disjoint[] = {e0, e1, e2};
    EXPECT_NEAR(kldiv::generalized_js_divergence(disjoint, {}), std::log(3.0), 1e-15);
    EXPECT_NEAR(kldiv::generalized_js_divergence(disjoint, {}, {.base = kldiv::log_base::bits()}), std::log2(3.0),
                1e-15);
}

TEST(Divergences, BadInputNamesFunctionValueAndRule) {
    const vec p{0.5, 0.5}, q{0.25, 0.75};
    const auto message = [&](measure m, kldiv::options o) {
        try {
            kldiv::divergence(p, q, m, o);
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(message(measure::renyi_divergence, {.alpha = -1}),
                HasSubstr("alpha = -1, but the order of renyi_divergence must be >= 0 (inf allowed)"));
    EXPECT_THAT(message(measure::renyi_divergence, {.alpha = std::nan("")}), HasSubstr("alpha = nan"));
    EXPECT_THAT(message(measure::tsallis_divergence, {.alpha = inf}),
                HasSubstr("order of tsallis_divergence must be finite and >= 0"));
    EXPECT_THAT(message(measure::skew_divergence, {.alpha = 0}),
                HasSubstr("alpha = 0, but the weight of Q in skew_divergence must lie in (0, 1]"));
    EXPECT_THAT(message(measure::js_distance, {.beta = 1}), HasSubstr("beta = 1"));
    EXPECT_EQ(message(measure::hellinger, {.alpha = -1}), "no error");  // alpha is not read
    EXPECT_THROW(kldiv::divergence(p, vec{1.0}, measure::hellinger), kldiv::error);
    EXPECT_THROW(kldiv::divergence(vec{}, vec{}, measure::hellinger), kldiv::error);
    EXPECT_THROW(kldiv::divergence(vec{0.5, -0.5}, vec{0.5, 0.5}, measure::total_variation), kldiv::error);
    const std::span<const double> two[] = {p, q};
    try {
        kldiv::generalized_js_divergence(two, vec{0.5, 0.4});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("weights sums to 0.9"));
    }
    EXPECT_THROW(kldiv::generalized_js_divergence(two, vec{1.0}), kldiv::error);
    try {
        kldiv::generalized_js_divergence(two, vec{1.5, -0.5});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("weights[1] = -0.5, but weights must be finite and >= 0"));
    }
    EXPECT_THROW(kldiv::generalized_js_divergence(std::span<const std::span<const double>>(), {}), kldiv::error);
    const vec shorter{1.0};
    const std::span<const double> ragged[] = {p, shorter};
    EXPECT_THROW(kldiv::generalized_js_divergence(ragged, {}), kldiv::error);
}

TEST(Divergences, NamesAndKinds) {
    EXPECT_EQ(kldiv::parse<measure>("chi2", "measure", "t"), measure::pearson_chi2);
    EXPECT_EQ(kldiv::parse<measure>("renyi", "measure", "t"), measure::renyi_divergence);
    EXPECT_EQ(kldiv::name(measure::total_variation, '-'), "total-variation");
    EXPECT_TRUE(kldiv::is_f_divergence(measure::triangular));
    EXPECT_FALSE(kldiv::is_f_divergence(measure::renyi_divergence));
    EXPECT_TRUE(kldiv::uses_alpha(measure::skew_divergence));
    EXPECT_FALSE(kldiv::uses_alpha(measure::hellinger));
}

}  // namespace
