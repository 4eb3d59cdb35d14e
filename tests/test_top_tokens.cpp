// The top-k scan of llm-compare (src/llm/top_tokens.hpp): on every compiled SIMD target the
// first_above kernel equals its scalar twin, and the top tokens equal those of a full stable sort
// (by value, largest first, ties to the lower index), with ties, −inf and short rows.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "src/batch/block_kernels.hpp"
#include "src/llm/top_tokens.hpp"
#include "tests/every_simd_target.hpp"

namespace {

using kldiv::llm::detail::first_above;
using kldiv::llm::detail::max_top_k;
using kldiv::llm::detail::reference_first_above;
using kldiv::llm::detail::top_tokens;

class TopTokens : public every_simd_target {};

// Rows of every length up to 70 and a long one, with values rounded to create ties, some −inf
// and NaN, against thresholds below, inside and above the values.
TEST_P(TopTokens, FirstAboveEqualsTheScalarTwin) {
    std::mt19937_64 rng(5);
    std::normal_distribution<float> z;
    std::vector<std::size_t> sizes(71);
    std::iota(sizes.begin(), sizes.end(), 0);
    sizes.push_back(4099);
    std::size_t found = 0;
    for (const std::size_t size : sizes) {
        std::vector<float> row(size);
        for (float& v : row) v = std::round(z(rng) * 4.0f) / 4.0f;
        for (std::size_t j = 3; j < size; j += 11) row[j] = -INFINITY;
        for (std::size_t j = 5; j < size; j += 17) row[j] = NAN;
        for (const float threshold : {-INFINITY, -1.0f, 0.5f, 2.0f, 3.0f, INFINITY}) {
            for (const std::size_t start : {std::size_t{0}, size / 3}) {
                const std::span<const float> part = std::span<const float>(row).subspan(start);
                const std::size_t expected = reference_first_above(part, threshold);
                ASSERT_EQ(first_above(part, threshold), expected) << "size " << size << ", threshold " << threshold;
                found += expected < part.size();
            }
        }
    }
    EXPECT_GT(found, 300u);  // most searches find a value; the others run to the end
}

TEST_P(TopTokens, EqualAFullSort) {
    std::mt19937_64 rng(9);
    std::normal_distribution<float> z;
    for (const std::size_t size : {1u, 7u, 10u, 11u, 64u, 1000u, 128000u}) {
        for (int ties = 0; ties < 2; ++ties) {
            std::vector<float> row(size);
            for (float& v : row) v = ties ? std::round(z(rng) * 2.0f) / 2.0f : z(rng) * 3.0f;
            for (std::size_t j = 2; j < size; j += 5) row[j] = -INFINITY;
            std::vector<std::size_t> order(size);
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return row[a] > row[b]; });
            for (const std::size_t k : {std::size_t{1}, std::size_t{10}, std::size_t{37}, max_top_k}) {
                const top_tokens top(row, k);
                ASSERT_EQ(top.count, std::min(size, k));
                for (std::size_t i = 0; i < top.count; ++i) {
                    ASSERT_EQ(top.index[i], order[i])
                        << "size " << size << (ties ? " with ties" : "") << ", k " << k << ", rank " << i;
                }
            }
        }
    }
}

KLDIV_FOR_EVERY_SIMD_TARGET(TopTokens);

}  // namespace
