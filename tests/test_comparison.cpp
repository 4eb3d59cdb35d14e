// Tests of include/kldiv/comparison.hpp: one call gives exactly what the single measures give.

#include <gtest/gtest.h>
#include "kldiv/comparison.hpp"
#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"

#include <cmath>
#include <vector>

namespace {

using vec = std::vector<double>;

void expect_matches_single_measures(const vec& p, const vec& q, double beta, kldiv::options opts) {
    opts.beta = beta;
    const kldiv::comparison c = kldiv::compare(p, q, opts);
    EXPECT_EQ(c.entropy_p, kldiv::entropy(p, opts));
    EXPECT_EQ(c.entropy_q, kldiv::entropy(q, opts));
    EXPECT_EQ(c.cross_entropy_pq, kldiv::cross_entropy(p, q, opts));
    EXPECT_EQ(c.cross_entropy_qp, kldiv::cross_entropy(q, p, opts));
    EXPECT_EQ(c.kl_pq, kldiv::kl_divergence(p, q, opts));
    EXPECT_EQ(c.kl_qp, kldiv::kl_divergence(q, p, opts));
    EXPECT_EQ(c.js, kldiv::js_divergence(p, q, opts));
    EXPECT_DOUBLE_EQ(c.jeffreys, kldiv::jeffreys(p, q, opts));
    EXPECT_EQ(c.beta, beta);
}

TEST(Comparison, EqualsTheSingleMeasures) {
    expect_matches_single_measures({0.2, 0.8}, {0.5, 0.5}, 0.5, {});
    expect_matches_single_measures({0.1, 0.2, 0.7}, {0.3, 0.3, 0.4}, 0.2, {.base = kldiv::log_base::bits()});
    expect_matches_single_measures({3, 0, 1}, {1, 1, 2}, 0.5, {.normalize = true});
    expect_matches_single_measures({0.5, 0.5, 0.0}, {0.25, 0.25, 0.5}, 0.5,
                                   {.on_zero = kldiv::zero_support::smooth, .epsilon = 1e-6});
}

TEST(Comparison, InfiniteDirectionsAndErrors) {
    const vec p{0.5, 0.5, 0.0}, q{0.25, 0.25, 0.5};
    const kldiv::comparison c = kldiv::compare(p, q);
    EXPECT_TRUE(std::isfinite(c.kl_pq));
    EXPECT_TRUE(std::isinf(c.kl_qp));
    EXPECT_TRUE(std::isinf(c.cross_entropy_qp));
    EXPECT_TRUE(std::isinf(c.jeffreys));
    EXPECT_TRUE(std::isfinite(c.js));
    // on_zero = error guards both directions here, since compare measures both.
    EXPECT_THROW(kldiv::compare(p, q, {.on_zero = kldiv::zero_support::error}), kldiv::error);
    EXPECT_THROW(kldiv::compare(p, q, {.beta = 0.0}), kldiv::error);
}

}  // namespace
