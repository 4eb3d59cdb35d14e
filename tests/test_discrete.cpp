// Tests of include/kldiv/discrete.hpp: golden values (mpmath, 30 digits), the mathematical
// properties of the measures, the options, and bad input. The accuracy sweep over thousands of
// generated cases is in test_reference.cpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/batch.hpp"
#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace {

using vec = std::vector<double>;
using testing::HasSubstr;
constexpr double inf = std::numeric_limits<double>::infinity();

// Golden values for P = (0.2, 0.8), Q = (0.5, 0.5), from mpmath at 30 digits.
constexpr double kl_pq = 0.192744757021757429884044182565;
constexpr double kl_qp = 0.22314355131420975576629509031;
constexpr double entropy_p = 0.500402423538187879533187938893;
constexpr double ln2 = 0.693147180559945309417232121458;
constexpr double js_half = 0.0506718369855658637383732487443;
constexpr double js_quarter = 0.0368936174262774445862995308968;  // β = 1/4

const vec P{0.2, 0.8};
const vec Q{0.5, 0.5};

void expect_rel(double actual, double expected, double tolerance) {
    if (std::isinf(expected)) {
        EXPECT_EQ(actual, expected);
        return;
    }
    EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected)) << actual << " vs " << expected;
}

// A random probability vector; `zeros` of its events set to 0.
vec random_distribution(std::mt19937_64& rng, std::size_t n, std::size_t zeros = 0) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    vec v(n);
    for (double& x : v) x = u(rng);
    for (std::size_t i = 0; i < zeros && i + 1 < n; ++i) v[i] = 0.0;  // keep one event
    const double s = std::accumulate(v.begin(), v.end(), 0.0);
    for (double& x : v) x /= s;
    return v;
}

TEST(Discrete, GoldenValues) {
    expect_rel(kldiv::kl_divergence(P, Q), kl_pq, 1e-15);
    expect_rel(kldiv::kl_divergence(Q, P), kl_qp, 1e-15);
    expect_rel(kldiv::entropy(P), entropy_p, 1e-15);
    expect_rel(kldiv::entropy(Q), ln2, 1e-15);
    expect_rel(kldiv::cross_entropy(P, Q), ln2, 1e-15);
    expect_rel(kldiv::cross_entropy(Q, P), ln2 + kl_qp, 1e-15);
    expect_rel(kldiv::jeffreys(P, Q), kl_pq + kl_qp, 1e-15);
    expect_rel(kldiv::js_divergence(P, Q), js_half, 1e-15);
    expect_rel(kldiv::js_divergence(P, Q, {.beta = 0.25}), js_quarter, 1e-15);
}

TEST(Discrete, FloatInputsMeasureTheSameValues) {
    const std::vector<float> pf{0.2f, 0.8f}, qf{0.5f, 0.5f};
    const vec pd(pf.begin(), pf.end()), qd(qf.begin(), qf.end());
    EXPECT_EQ(kldiv::kl_divergence(pf, qf), kldiv::kl_divergence(pd, qd));
    EXPECT_EQ(kldiv::entropy(pf), kldiv::entropy(pd));
    EXPECT_EQ(kldiv::cross_entropy(pf, qf), kldiv::cross_entropy(pd, qd));
    EXPECT_EQ(kldiv::jeffreys(pf, qf), kldiv::jeffreys(pd, qd));
    EXPECT_EQ(kldiv::js_divergence(pf, qf, {.beta = 0.3}), kldiv::js_divergence(pd, qd, {.beta = 0.3}));
    // float(0.3) is not 0.3: the distributions differ, and so do their divergences.
    const std::vector<float> pf3{0.3f, 0.7f};
    EXPECT_NE(kldiv::kl_divergence(pf3, qf), kldiv::kl_divergence(vec{0.3, 0.7}, Q));
}

TEST(Discrete, Units) {
    const kldiv::options bits{.base = kldiv::log_base::bits()};
    const kldiv::options dits{.base = kldiv::log_base::dits()};
    expect_rel(kldiv::kl_divergence(P, Q, bits), kl_pq / ln2, 1e-15);
    expect_rel(kldiv::entropy(Q, bits), 1.0, 1e-15);
    expect_rel(kldiv::js_divergence(P, Q, dits), js_half / std::log(10.0), 1e-15);
    expect_rel(kldiv::kl_divergence(P, Q, {.base = kldiv::log_base(3.0)}), kl_pq / std::log(3.0), 1e-15);
}

TEST(Discrete, GibbsInequalityAndIdentityOfIndiscernibles) {
    std::mt19937_64 rng(1);
    for (int trial = 0; trial < 500; ++trial) {
        const std::size_t n = 1 + trial % 40;
        const vec p = random_distribution(rng, n), q = random_distribution(rng, n);
        EXPECT_GE(kldiv::kl_divergence(p, q), 0.0);
        EXPECT_EQ(kldiv::kl_divergence(p, p), 0.0);
        EXPECT_EQ(kldiv::js_divergence(p, p, {.beta = 0.3}), 0.0);
        EXPECT_EQ(kldiv::jeffreys(q, q), 0.0);
        if (p != q) {
            EXPECT_GT(kldiv::kl_divergence(p, q), 0.0);
            EXPECT_GT(kldiv::js_divergence(p, q), 0.0);
        }
        // H(P, P) = H(P)
        expect_rel(kldiv::cross_entropy(p, p), kldiv::entropy(p), 1e-14);
    }
}

// Counts a·n_i against b·n_i are one distribution: exactly 0 also where b/a is no double (3 and 7),
// which a ratio of the sums would leave about 1e-65 from 0. Rows of the batch kernels too, across
// blocks (1024 events) and with zeros.
TEST(Discrete, ProportionalCountsGiveExactlyZero) {
    std::mt19937_64 rng(4);
    std::uniform_int_distribution<int> count(0, 99), factor(1, 49);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t n = 1 + static_cast<std::size_t>(trial) * 11 % 3000;
        const double a = factor(rng), b = factor(rng);
        vec p(n), q(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double c = trial % 2 == 0 ? 1 + count(rng) : count(rng);  // zeros on odd trials
            p[i] = a * c;
            q[i] = b * c;
        }
        if (std::accumulate(p.begin(), p.end(), 0.0) == 0.0) continue;
        const kldiv::options counts{.normalize = true};
        EXPECT_EQ(kldiv::kl_divergence(p, q, counts), 0.0) << trial;
        EXPECT_EQ(kldiv::jeffreys(p, q, counts), 0.0) << trial;
        EXPECT_EQ(kldiv::js_divergence(p, q, counts), 0.0) << trial;
        double rows[3];
        kldiv::measure_rows(kldiv::matrix_view<const double>(p.data(), 1, n),
                            kldiv::matrix_view<const double>(q.data(), 1, n),
                            {.kl = {rows, 1}, .reverse_kl = {rows + 1, 1}, .js = {rows + 2, 1}}, {.measure = counts});
        EXPECT_EQ(rows[0], 0.0) << trial;
        EXPECT_EQ(rows[1], 0.0) << trial;
        EXPECT_EQ(rows[2], 0.0) << trial;
    }
    EXPECT_EQ(kldiv::kl_divergence(vec{3}, vec{7}, {.normalize = true}), 0.0);
}

TEST(Discrete, NeverNegativeForNearlyIdenticalVectors) {
    // The textbook Σ p log(p/q) goes negative here because the vectors sum to 1 only up to rounding.
    std::mt19937_64 rng(2);
    std::uniform_int_distribution<int> ulps(-3, 3);
    for (int trial = 0; trial < 1000; ++trial) {
        const vec p = random_distribution(rng, 2 + trial % 100);
        vec q = p;
        for (double& x : q) {
            const int k = ulps(rng);
            for (int i = 0; i < std::abs(k); ++i) x = std::nextafter(x, k > 0 ? 1.0 : 0.0);
        }
        EXPECT_GE(kldiv::kl_divergence(p, q), 0.0);
        EXPECT_GE(kldiv::kl_divergence(q, p), 0.0);
        EXPECT_GE(kldiv::js_divergence(p, q), 0.0);
        EXPECT_LT(kldiv::kl_divergence(p, q), 1e-28);
    }
}

TEST(Discrete, PinskerInequality) {
    // D(P‖Q) ≥ ½ ‖P − Q‖₁² in nats.
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 500; ++trial) {
        const std::size_t n = 2 + trial % 30;
        const vec p = random_distribution(rng, n), q = random_distribution(rng, n);
        double l1 = 0.0;
        for (std::size_t i = 0; i < n; ++i) l1 += std::fabs(p[i] - q[i]);
        EXPECT_GE(kldiv::kl_divergence(p, q), 0.5 * l1 * l1 * (1 - 1e-12));
    }
}

TEST(Discrete, DecompositionIdentities) {
    std::mt19937_64 rng(4);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t n = 2 + trial % 50;
        const vec p = random_distribution(rng, n, trial % 3), q = random_distribution(rng, n);
        const double h = kldiv::entropy(p), d = kldiv::kl_divergence(p, q);
        // H(P, Q) = H(P) + D(P‖Q)
        expect_rel(kldiv::cross_entropy(p, q), h + d, 1e-14);
        // J = D(P‖Q) + D(Q‖P)
        expect_rel(kldiv::jeffreys(q, p), kldiv::kl_divergence(q, p) + kldiv::kl_divergence(p, q), 1e-14);
        // JS_β = H(M) − β H(P) − (1 − β) H(Q), M = β P + (1 − β) Q
        const double beta = 0.1 + 0.8 * (trial % 7) / 6.0;
        vec m(n);
        for (std::size_t i = 0; i < n; ++i) m[i] = beta * p[i] + (1 - beta) * q[i];
        const double js = kldiv::js_divergence(p, q, {.beta = beta});
        EXPECT_NEAR(js, kldiv::entropy(m) - beta * h - (1 - beta) * kldiv::entropy(q), 1e-14);
        // and JS_β = β D(P‖M) + (1 − β) D(Q‖M)
        EXPECT_NEAR(js, beta * kldiv::kl_divergence(p, m) + (1 - beta) * kldiv::kl_divergence(q, m), 1e-14);
        EXPECT_LE(kldiv::js_divergence(p, q), ln2);
    }
}

TEST(Discrete, ChainRule) {
    // D(P_XY‖Q_XY) = D(P_X‖Q_X) + Σ_x P(x) D(P_Y|x‖Q_Y|x)
    std::mt19937_64 rng(5);
    for (int trial = 0; trial < 100; ++trial) {
        const std::size_t nx = 2 + trial % 5, ny = 2 + trial % 7;
        const vec px = random_distribution(rng, nx), qx = random_distribution(rng, nx);
        vec pxy, qxy;
        double conditional = 0.0;
        for (std::size_t x = 0; x < nx; ++x) {
            const vec py = random_distribution(rng, ny), qy = random_distribution(rng, ny);
            conditional += px[x] * kldiv::kl_divergence(py, qy);
            for (std::size_t y = 0; y < ny; ++y) {
                pxy.push_back(px[x] * py[y]);
                qxy.push_back(qx[x] * qy[y]);
            }
        }
        expect_rel(kldiv::kl_divergence(pxy, qxy), kldiv::kl_divergence(px, qx) + conditional, 1e-13);
        // The entropy chain rule for independent components: H(X, Y) = H(X) + H(Y) when P_Y|x = P_Y.
    }
}

TEST(Discrete, InvariantUnderPermutationOfEvents) {
    std::mt19937_64 rng(6);
    for (int trial = 0; trial < 100; ++trial) {
        const std::size_t n = 2 + trial % 60;
        vec p = random_distribution(rng, n, trial % 2), q = random_distribution(rng, n);
        const double d = kldiv::kl_divergence(p, q), h = kldiv::entropy(p), js = kldiv::js_divergence(p, q);
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        vec pp(n), qp(n);
        for (std::size_t i = 0; i < n; ++i) {
            pp[i] = p[order[i]];
            qp[i] = q[order[i]];
        }
        expect_rel(kldiv::kl_divergence(pp, qp), d, 1e-14);
        expect_rel(kldiv::entropy(pp), h, 1e-14);
        expect_rel(kldiv::js_divergence(pp, qp), js, 1e-14);
    }
}

TEST(Discrete, JointConvexity) {
    // D(λP₁ + (1−λ)P₂ ‖ λQ₁ + (1−λ)Q₂) ≤ λ D(P₁‖Q₁) + (1−λ) D(P₂‖Q₂)
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t n = 2 + trial % 20;
        const vec p1 = random_distribution(rng, n), p2 = random_distribution(rng, n);
        const vec q1 = random_distribution(rng, n), q2 = random_distribution(rng, n);
        const double lambda = (trial % 9 + 1) / 10.0;
        vec p(n), q(n);
        for (std::size_t i = 0; i < n; ++i) {
            p[i] = lambda * p1[i] + (1 - lambda) * p2[i];
            q[i] = lambda * q1[i] + (1 - lambda) * q2[i];
        }
        const double bound = lambda * kldiv::kl_divergence(p1, q1) + (1 - lambda) * kldiv::kl_divergence(p2, q2);
        EXPECT_LE(kldiv::kl_divergence(p, q), bound * (1 + 1e-13));
    }
}

TEST(Discrete, ZeroConventions) {
    const vec p{0.5, 0.5, 0.0}, q{0.25, 0.25, 0.5};
    // 0·log(0/q) = 0: D(P‖Q) = ln 2 exactly; the reverse is +inf.
    expect_rel(kldiv::kl_divergence(p, q), ln2, 1e-15);
    EXPECT_EQ(kldiv::kl_divergence(q, p), inf);
    EXPECT_EQ(kldiv::cross_entropy(q, p), inf);
    EXPECT_EQ(kldiv::jeffreys(p, q), inf);
    expect_rel(kldiv::js_divergence(p, q), 0.215761554338835695579414254495, 1e-15);
    expect_rel(kldiv::entropy(p), ln2, 1e-15);
    // A point mass has zero entropy.
    EXPECT_EQ(kldiv::entropy(vec{0.0, 1.0, 0.0}), 0.0);
}

TEST(Discrete, ZeroSupportPolicies) {
    const vec p{0.5, 0.5, 0.0}, q{0.25, 0.25, 0.5};
    const kldiv::options error_policy{.on_zero = kldiv::zero_support::error};
    EXPECT_NO_THROW(kldiv::kl_divergence(p, q, error_policy));
    try {
        kldiv::kl_divergence(q, p, error_policy);
        FAIL() << "expected kldiv::error";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "kl_divergence");
        EXPECT_THAT(e.what(), HasSubstr("p[2] = 0.5 > 0 where q[2] = 0"));
    }
    EXPECT_THROW(kldiv::jeffreys(p, q, error_policy), kldiv::error);
    EXPECT_NO_THROW(kldiv::js_divergence(q, p, error_policy));

    // Smoothing adds ε to every probability, then renormalizes: the same as doing it by hand.
    const double eps = 1e-3;
    const kldiv::options smooth{.on_zero = kldiv::zero_support::smooth, .epsilon = eps};
    vec ps = p, qs = q;
    for (double& x : ps) x = (x + eps) / (1 + 3 * eps);
    for (double& x : qs) x = (x + eps) / (1 + 3 * eps);
    const double smoothed = kldiv::kl_divergence(q, p, smooth);
    EXPECT_TRUE(std::isfinite(smoothed));
    expect_rel(smoothed, kldiv::kl_divergence(qs, ps), 1e-14);
    expect_rel(kldiv::entropy(p, smooth), kldiv::entropy(ps), 1e-14);
    expect_rel(kldiv::cross_entropy(q, p, smooth), kldiv::entropy(qs) + smoothed, 1e-14);
}

TEST(Discrete, Normalization) {
    const vec counts_p{2, 8}, counts_q{5, 5};
    expect_rel(kldiv::kl_divergence(counts_p, counts_q, {.normalize = true}), kl_pq, 1e-15);
    expect_rel(kldiv::entropy(counts_p, {.normalize = true}), entropy_p, 1e-15);
    EXPECT_THROW(kldiv::kl_divergence(counts_p, counts_q), kldiv::error);
    // Within the tolerance the vector is accepted, and measured as the distribution p/Σp.
    const vec almost{0.2, 0.8 + 1e-9};
    const vec exact{0.2 / (1 + 1e-9), (0.8 + 1e-9) / (1 + 1e-9)};
    expect_rel(kldiv::kl_divergence(almost, Q), kldiv::kl_divergence(exact, Q), 1e-14);
    EXPECT_THROW(kldiv::kl_divergence(almost, Q, {.sum_tolerance = 1e-12}), kldiv::error);
}

TEST(Discrete, ExtremeValues) {
    // Probabilities near the bottom of the double range and a point mass near 1.
    const vec p{1.0 - 1e-300, 1e-300};
    const vec q{0.5, 0.5};
    EXPECT_TRUE(std::isfinite(kldiv::kl_divergence(p, q)));
    expect_rel(kldiv::kl_divergence(p, q), ln2, 1e-15);  // the 1e-300 term is negligible
    const vec tiny_q{1.0, 4.9406564584124654e-324};      // q with a subnormal event
    const vec r{0.5, 0.5};
    // D(R‖tiny_q) ≈ 0.5 ln(0.5/1) + 0.5 ln(0.5/2^-1074) = 0.5 (1074 ln 2 − 2 ln 2)... finite and large
    const double d = kldiv::kl_divergence(r, tiny_q);
    expect_rel(d, 0.5 * (std::log(0.5) + std::log(0.5) + 1074 * ln2), 1e-14);
}

TEST(Discrete, BadInputNamesFunctionValueAndRule) {
    const auto message = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const kldiv::error& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_EQ(message([] {
                  kldiv::kl_divergence(vec{0.2, -0.2, 1.0}, vec{0.3, 0.3, 0.4});
              }),
              "kl_divergence: p[1] = -0.2, but probabilities must be >= 0");
    EXPECT_EQ(message([] {
                  kldiv::entropy(vec{0.5, std::nan(""), 0.5});
              }),
              "entropy: p[1] = nan, but probabilities must be finite");
    EXPECT_EQ(message([] {
                  kldiv::cross_entropy(vec{0.5, 0.5}, vec{inf, 0.0});
              }),
              "cross_entropy: q[0] = inf, but probabilities must be finite");
    EXPECT_EQ(message([] { kldiv::kl_divergence(vec{}, vec{}); }),
              "kl_divergence: p is empty, but a distribution needs at least one event");
    EXPECT_EQ(message([] {
                  kldiv::jeffreys(vec{0.5, 0.5}, vec{0.2, 0.3, 0.5});
              }),
              "jeffreys: p has 2 events and q has 3, but both must have the same number of events");
    EXPECT_EQ(message([] {
                  kldiv::kl_divergence(vec{0.5, 0.7}, vec{0.5, 0.5});
              }),
              "kl_divergence: p sums to 1.2, but must sum to 1 within 1e-06 (set normalize to rescale it)");
    EXPECT_EQ(message([] {
                  kldiv::entropy(vec{0.0, 0.0}, {.normalize = true});
              }),
              "entropy: p sums to 0, but normalizing needs a positive sum");
    // Subnormal sums: 1/sum overflows, so they are refused (they gave inf and NaN).
    EXPECT_EQ(message([] {
                  kldiv::kl_divergence(vec{5e-324, 5e-324}, vec{1, 1}, {.normalize = true});
              }),
              "kl_divergence: p sums to 1e-323, but normalizing needs a sum >= 2.2250738585072014e-308 (the "
              "smallest normal double): scale the values up");
    EXPECT_EQ(kldiv::entropy(vec{1e-308, 3e-308}, {.normalize = true}),  // sum 4e-308 >= DBL_MIN: measured
              kldiv::entropy(vec{0.25, 0.75}));
    EXPECT_EQ(message([] {
                  kldiv::entropy(vec{1e308, 1e308}, {.normalize = true});
              }),
              "entropy: p sums to inf, but the sum must be finite");
    EXPECT_EQ(message([] { kldiv::js_divergence(P, Q, {.beta = 1.0}); }),
              "js_divergence: beta = 1, but the Jensen-Shannon weight must lie in (0, 1)");
    EXPECT_EQ(message([] { kldiv::kl_divergence(P, Q, {.on_zero = kldiv::zero_support::smooth, .epsilon = 0}); }),
              "kl_divergence: epsilon = 0, but smoothing needs an epsilon in (0, 1]");
    // 1e308 overflowed the smoothed sums into a NaN divergence; negative and NaN are refused too.
    for (const auto& [epsilon, text] : {std::pair{1e308, "1e+308"}, std::pair{1.5, "1.5"}, std::pair{-1.0, "-1"},
                                        std::pair{std::nan(""), "nan"}, std::pair{HUGE_VAL, "inf"}}) {
        const double eps = epsilon;  // clang 14 cannot capture a structured binding
        EXPECT_EQ(
            message([&] { kldiv::kl_divergence(P, Q, {.on_zero = kldiv::zero_support::smooth, .epsilon = eps}); }),
            std::string("kl_divergence: epsilon = ") + text + ", but smoothing needs an epsilon in (0, 1]");
    }
    EXPECT_TRUE(std::isfinite(kldiv::kl_divergence(P, Q, {.on_zero = kldiv::zero_support::smooth, .epsilon = 1.0})));
    EXPECT_EQ(message([] { kldiv::kl_divergence(P, Q, {.sum_tolerance = -1}); }),
              "kl_divergence: sum_tolerance = -1, but it must be finite and >= 0");
}

}  // namespace
