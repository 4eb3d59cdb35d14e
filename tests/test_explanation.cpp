// Tests of explain (kldiv/explanation.hpp): the contributions against the direct definition in long
// double, their sums against the totals, the ranking (largest first, ties in event order), the
// shares (NaN where D(P‖Q) is 0 or infinite), the unit and the options passed through, and errors
// that name explain.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/explanation.hpp"

namespace {

using testing::HasSubstr;
constexpr double inf = std::numeric_limits<double>::infinity();

// p log(p/q) in long double, 0 where p = 0.
long double term(long double p, long double q) { return p == 0 ? 0.0L : p * std::log(p / q); }

TEST(Explanation, ContributionsAreTheDirectTermsAndSumToTheTotals) {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> p(257), q(257);
    for (std::size_t i = 0; i < p.size(); ++i) {
        p[i] = u(rng);
        q[i] = u(rng);
    }
    p[7] = 0.0;  // an event P never sees
    const double sp = std::accumulate(p.begin(), p.end(), 0.0), sq = std::accumulate(q.begin(), q.end(), 0.0);
    for (double& x : p) x /= sp;
    for (double& x : q) x /= sq;
    const kldiv::explanation e = kldiv::explain(p, q, {.base = kldiv::log_base::bits(), .sum_tolerance = 1e-12});
    ASSERT_EQ(e.contribution_pq.size(), p.size());
    long double total_pq = 0, total_qp = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const long double pq = term(p[i], q[i]) / std::log(2.0L), qp = term(q[i], p[i]) / std::log(2.0L);
        total_pq += pq;
        total_qp += qp;
        // A few ulps of p and q (renormalized) move p log(p/q) by about that much of p + q, and a
        // few of the term itself.
        const auto tolerance = [&](long double t) { return 1e-15 * (p[i] + q[i]) + 1e-15 * std::fabs(double(t)); };
        EXPECT_NEAR(e.contribution_pq[i], static_cast<double>(pq), tolerance(pq)) << i;
        if (p[i] == 0) {
            EXPECT_EQ(e.contribution_qp[i], inf);  // Q has the event, P does not
        } else {
            EXPECT_NEAR(e.contribution_qp[i], static_cast<double>(qp), tolerance(qp)) << i;
        }
        EXPECT_DOUBLE_EQ(e.p[i], p[i]);  // renormalized: within a few ulps
        EXPECT_DOUBLE_EQ(e.q[i], q[i]);
    }
    EXPECT_EQ(e.contribution_pq[7], 0.0);
    EXPECT_NEAR(e.totals.kl_pq, static_cast<double>(total_pq), 1e-14 * static_cast<double>(total_pq));
    EXPECT_EQ(e.totals.kl_qp, inf);
    EXPECT_EQ(total_qp, INFINITY);
    // Ranked by contribution to D(P‖Q), the shares summing to 1.
    double shares = 0;
    for (std::size_t r = 0; r < e.ranked.size(); ++r) {
        if (r > 0) EXPECT_GE(e.contribution_pq[e.ranked[r - 1]], e.contribution_pq[e.ranked[r]]);
        shares += e.share_pq(e.ranked[r]);
    }
    EXPECT_NEAR(shares, 1.0, 1e-12);
    std::vector<std::size_t> sorted = e.ranked;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);  // a permutation
}

TEST(Explanation, TiesKeepTheEventOrderAndSharesNeedAFiniteNonZeroTotal) {
    const std::vector<double> p{0.25, 0.25, 0.25, 0.25};
    const kldiv::explanation same = kldiv::explain(p, p);
    EXPECT_EQ(same.totals.kl_pq, 0.0);
    EXPECT_EQ(same.ranked, (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_TRUE(std::isnan(same.share_pq(0)));

    const std::vector<double> q{0.5, 0.5, 0.0, 0.0};
    const kldiv::explanation outside = kldiv::explain(p, q);
    EXPECT_EQ(outside.totals.kl_pq, inf);
    EXPECT_EQ(outside.contribution_pq[2], inf);
    EXPECT_EQ(outside.ranked, (std::vector<std::size_t>{2, 3, 0, 1}));
    EXPECT_TRUE(std::isnan(outside.share_pq(2)));
    EXPECT_NEAR(outside.contribution_qp[0], 0.5 * std::log(2.0), 1e-16);
}

TEST(Explanation, OptionsArePassedThrough) {
    // Counts, normalized; smoothing then puts mass on the empty event.
    const std::vector<double> p{3, 1, 0}, q{1, 1, 0};
    const kldiv::explanation e =
        kldiv::explain(p, q, {.on_zero = kldiv::zero_support::smooth, .epsilon = 0.01, .normalize = true});
    EXPECT_NEAR(e.p[0], (0.75 + 0.01) / 1.03, 1e-15);
    EXPECT_NEAR(e.q[2], 0.01 / 1.03, 1e-15);
    EXPECT_NEAR(e.contribution_pq[1], e.p[1] * std::log(e.p[1] / e.q[1]), 1e-15);
}

TEST(Explanation, ErrorsNameExplain) {
    const std::vector<double> p{0.5, 0.5}, q{0.5, 0.6}, three{0.2, 0.3, 0.5};
    try {
        (void)kldiv::explain(p, q);
        ADD_FAILURE() << "q was accepted";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "explain");
        EXPECT_THAT(e.what(), HasSubstr("explain: q sums to "));
    }
    EXPECT_THROW((void)kldiv::explain(p, three), kldiv::error);
    EXPECT_THROW((void)kldiv::explain(p, p, {.beta = 1.5}), kldiv::error);
}

}  // namespace
