// Compiles top_tokens-inl.h once per SIMD target and dispatches to the best one at run time; the
// scalar twin; the top-k scan built on them (top_tokens.hpp).

#include "src/llm/top_tokens.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/llm/top_tokens.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/llm/top_tokens-inl.h"

#if HWY_ONCE
namespace kldiv::llm::detail {

HWY_EXPORT(FirstAbove);

std::size_t first_above(std::span<const float> row, float threshold) noexcept {
    return HWY_DYNAMIC_DISPATCH(FirstAbove)(row.data(), row.size(), threshold);
}

std::size_t reference_first_above(std::span<const float> row, float threshold) noexcept {
    for (std::size_t j = 0; j < row.size(); ++j) {
        if (row[j] > threshold) return j;
    }
    return row.size();
}

top_tokens::top_tokens(std::span<const float> row, std::size_t top_k) noexcept {
    std::array<float, max_top_k> value{};
    const auto insert = [&](std::size_t j) {
        const float v = row[j];
        std::size_t at = count < top_k ? count++ : top_k - 1;
        for (; at > 0 && v > value[at - 1]; --at) {
            value[at] = value[at - 1];
            index[at] = index[at - 1];
        }
        value[at] = v;
        index[at] = j;
    };
    std::size_t j = 0;
    for (; j < row.size() && count < top_k; ++j) insert(j);
    // Full: only a value above the smallest held one enters (an equal one keeps the earlier index).
    while ((j += first_above(row.subspan(j), value[top_k - 1])) < row.size()) insert(j++);
}

}  // namespace kldiv::llm::detail
#endif  // HWY_ONCE
