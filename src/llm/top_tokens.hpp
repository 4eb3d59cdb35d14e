#pragma once
// The k = 10 largest values of a next-token row, for the same-top and top-k overlap statistics of
// llm-compare (compare_rows.cpp). Once ten values are held, the scan only has to find the next
// value above the smallest of them: a SIMD kernel (Highway, dispatched at run time,
// top_tokens-inl.h) skips the rest of the row a few vectors at a time, and its scalar twin is the
// reference it is tested against.

#include <array>
#include <cstddef>
#include <span>

namespace kldiv::llm::detail {

// The index of the first row[j] > threshold (j in [0, row.size())), or row.size() if none. NaN is
// never above.
std::size_t first_above(std::span<const float> row, float threshold) noexcept;
std::size_t reference_first_above(std::span<const float> row, float threshold) noexcept;

inline constexpr std::size_t top_k = 10;

// The indices of the k = 10 largest values of a row (fewer if the row is shorter), largest first,
// ties to the lower index.
struct top_tokens {
    std::array<std::size_t, top_k> index{};
    std::size_t count = 0;

    explicit top_tokens(std::span<const float> row) noexcept;
};

}  // namespace kldiv::llm::detail
