#pragma once
// The k largest values of a next-token row (k = 10, or the --top-k asked for, at most 100), for the
// same-top and top-k overlap statistics of llm-compare (compare_rows.cpp). Once k values are held,
// the scan only has to find the next value above the smallest of them: a SIMD kernel (Highway, dispatched at run time,
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

inline constexpr std::size_t max_top_k = 100;

// The indices of the k largest values of a row (fewer if the row is shorter), largest first, ties to
// the lower index; k in [1, max_top_k].
struct top_tokens {
    std::array<std::size_t, max_top_k> index{};
    std::size_t count = 0;

    top_tokens(std::span<const float> row, std::size_t k) noexcept;
};

}  // namespace kldiv::llm::detail
