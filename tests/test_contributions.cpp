// Tests of include/kldiv/contributions.hpp: per-event shares add up to the measures.

#include <gtest/gtest.h>
#include "kldiv/contributions.hpp"
#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace {

using vec = std::vector<double>;

TEST(Contributions, KnownValues) {
    const vec p{0.2, 0.8}, q{0.5, 0.5};
    vec out(2);
    kldiv::kl_contributions(p, q, out);
    // 0.2 ln(0.4) and 0.8 ln(1.6), mpmath to 30 digits
    EXPECT_NEAR(out[0], -0.183258146374831015163736151551, 1e-16);
    EXPECT_NEAR(out[1], 0.376002903396588445047780334116, 1e-16);
    kldiv::kl_contributions(p, q, out, {.base = kldiv::log_base::bits()});
    EXPECT_NEAR(out[0], -0.264385618977472469574, 2e-16);  // 0.2 log2(0.4)
}

TEST(Contributions, SumToTheMeasures) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t n = 2 + trial % 40;
        vec p(n), q(n);
        for (std::size_t i = 0; i < n; ++i) {
            p[i] = i == 0 ? 0.0 : u(rng);
            q[i] = u(rng);
        }
        const kldiv::options counts{.normalize = true};
        vec kl(n), h(n);
        kldiv::kl_contributions(p, q, kl, counts);
        kldiv::entropy_contributions(p, h, counts);
        EXPECT_EQ(kl[0], 0.0);  // 0·log(0/q) = 0
        for (std::size_t i = 0; i < n; ++i) EXPECT_GE(h[i], 0.0);
        const double d = kldiv::kl_divergence(p, q, counts);
        EXPECT_NEAR(std::accumulate(kl.begin(), kl.end(), 0.0), d, 1e-14);
        EXPECT_NEAR(std::accumulate(h.begin(), h.end(), 0.0), kldiv::entropy(p, counts), 1e-14);
    }
}

TEST(Contributions, InfiniteWhereQMissesAnEvent) {
    const vec p{0.5, 0.5}, q{1.0, 0.0};
    vec out(2);
    kldiv::kl_contributions(p, q, out);
    EXPECT_TRUE(std::isinf(out[1]) && out[1] > 0);
    EXPECT_THROW(kldiv::kl_contributions(p, q, out, {.on_zero = kldiv::zero_support::error}), kldiv::error);
    vec short_out(1);
    EXPECT_THROW(kldiv::kl_contributions(p, q, short_out), kldiv::error);
}

}  // namespace
