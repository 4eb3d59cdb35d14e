// Tests of include/kldiv/normalized.hpp.

#include <gtest/gtest.h>
#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"
#include "kldiv/normalized.hpp"

#include <vector>

namespace {

using vec = std::vector<double>;

TEST(Normalized, IsTheDistributionTheMeasuresSee) {
    const vec counts{2, 8, 0};
    const vec p = kldiv::normalized(counts, {.normalize = true});
    EXPECT_EQ(p, (vec{0.2, 0.8, 0.0}));
    const double eps = 1e-3;
    const vec s =
        kldiv::normalized(counts, {.on_zero = kldiv::zero_support::smooth, .epsilon = eps, .normalize = true});
    for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(s[i], (p[i] + eps) / (1 + 3 * eps), 3e-16);
    // A measure of the normalized vector equals the measure of the raw one.
    const vec q{0.3, 0.3, 0.4};
    EXPECT_NEAR(kldiv::kl_divergence(p, q), kldiv::kl_divergence(counts, q, {.normalize = true}), 1e-16);
    EXPECT_THROW(kldiv::normalized(counts), kldiv::error);  // counts do not sum to 1
}

}  // namespace
