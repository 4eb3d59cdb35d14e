// Per-target body of first_above (top_tokens.hpp), compiled for every SIMD target by
// top_tokens.cpp: four vectors compared with the threshold at once; the first group with a lane
// above it is searched vector by vector.

#if defined(KLDIV_TOP_TOKENS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_TOP_TOKENS_INL_H_
#undef KLDIV_TOP_TOKENS_INL_H_
#else
#define KLDIV_TOP_TOKENS_INL_H_
#endif

#include "hwy/highway.h"
#include "src/llm/top_tokens.hpp"

HWY_BEFORE_NAMESPACE();
namespace kldiv::llm::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

std::size_t FirstAbove(const float* row, std::size_t size, float threshold) {
    const hn::ScalableTag<float> d;
    const std::size_t n = hn::Lanes(d);
    const auto t = hn::Set(d, threshold);
    std::size_t j = 0;
    for (; j + 4 * n <= size; j += 4 * n) {
        const auto above =
            hn::Or(hn::Or(hn::Gt(hn::LoadU(d, row + j), t), hn::Gt(hn::LoadU(d, row + j + n), t)),
                   hn::Or(hn::Gt(hn::LoadU(d, row + j + 2 * n), t), hn::Gt(hn::LoadU(d, row + j + 3 * n), t)));
        if (!hn::AllFalse(d, above)) break;
    }
    for (; j + n <= size; j += n) {
        const intptr_t lane = hn::FindFirstTrue(d, hn::Gt(hn::LoadU(d, row + j), t));
        if (lane >= 0) return j + static_cast<std::size_t>(lane);
    }
    for (; j < size; ++j) {
        if (row[j] > threshold) return j;
    }
    return size;
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::llm::detail
HWY_AFTER_NAMESPACE();

#endif  // include guard
