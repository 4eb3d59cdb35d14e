// Compiles block_kernels-inl.h once per SIMD target and dispatches to the best one at run time.

#include "src/batch/block_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/batch/block_kernels.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/batch/block_kernels-inl.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::detail {
namespace HWY_NAMESPACE {

void LogBlocksF32(const float* a, const float* b, const log_segment& s, log_block* p, log_block* q, bool& bad) {
    LogBlocks(a, b, s, p, q, bad);
}
void LogBlocksF64(const double* a, const double* b, const log_segment& s, log_block* p, log_block* q, bool& bad) {
    LogBlocks(a, b, s, p, q, bad);
}
void ProbBlocksF32(const float* p, const float* q, const prob_segment& s, prob_block* out, bool& bad) {
    ProbBlocks(p, q, s, out, bad);
}
void ProbBlocksF64(const double* p, const double* q, const prob_segment& s, prob_block* out, bool& bad) {
    ProbBlocks(p, q, s, out, bad);
}
void LogBlocksF16(const float16* a, const float16* b, const log_segment& s, log_block* p, log_block* q, bool& bad) {
    HalfLogBlocks(a, b, s, p, q, bad);
}
void LogBlocksBF16(const bfloat16* a, const bfloat16* b, const log_segment& s, log_block* p, log_block* q, bool& bad) {
    HalfLogBlocks(a, b, s, p, q, bad);
}
void ProbBlocksF16(const float16* p, const float16* q, const prob_segment& s, prob_block* out, bool& bad) {
    HalfProbBlocks(p, q, s, out, bad);
}
void ProbBlocksBF16(const bfloat16* p, const bfloat16* q, const prob_segment& s, prob_block* out, bool& bad) {
    HalfProbBlocks(p, q, s, out, bad);
}
bool FamilySumF32(const float* p, const float* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                  double& out) {
    return FamilySum(p, q, n, sp, sq, kind, out);
}
bool FamilySumF64(const double* p, const double* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                  double& out) {
    return FamilySum(p, q, n, sp, sq, kind, out);
}
void ExpNonPositiveF32(const float* x, float* out, std::size_t n) {
    const hn::ScalableTag<float> df;
    const std::size_t lanes = hn::Lanes(df);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) hn::StoreU(ExpNonPositive(df, hn::LoadU(df, x + i)), df, out + i);
    for (; i < n; ++i) {
        const hn::CappedTag<float, 1> d1;
        hn::StoreU(ExpNonPositive(d1, hn::LoadU(d1, x + i)), d1, out + i);
    }
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace kldiv::detail {

HWY_EXPORT(LogBlocksF32);
HWY_EXPORT(LogBlocksF64);
HWY_EXPORT(ProbBlocksF32);
HWY_EXPORT(ProbBlocksF64);
HWY_EXPORT(ExpNonPositiveF32);
HWY_EXPORT(LogBlocksF16);
HWY_EXPORT(LogBlocksBF16);
HWY_EXPORT(ProbBlocksF16);
HWY_EXPORT(ProbBlocksBF16);
HWY_EXPORT(FamilySumF32);
HWY_EXPORT(FamilySumF64);

template <>
bool family_sum(const float* p, const float* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                double& out) noexcept {
    return HWY_DYNAMIC_DISPATCH(FamilySumF32)(p, q, n, sp, sq, kind, out);
}
template <>
bool family_sum(const double* p, const double* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                double& out) noexcept {
    return HWY_DYNAMIC_DISPATCH(FamilySumF64)(p, q, n, sp, sq, kind, out);
}

template <>
void log_blocks(const float* a, const float* b, const log_segment& s, log_block* p, log_block* q, bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(LogBlocksF32)(a, b, s, p, q, bad);
}
template <>
void log_blocks(const double* a, const double* b, const log_segment& s, log_block* p, log_block* q,
                bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(LogBlocksF64)(a, b, s, p, q, bad);
}
template <>
void prob_blocks(const float* p, const float* q, const prob_segment& s, prob_block* out, bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(ProbBlocksF32)(p, q, s, out, bad);
}
template <>
void prob_blocks(const double* p, const double* q, const prob_segment& s, prob_block* out, bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(ProbBlocksF64)(p, q, s, out, bad);
}

template <>
void log_blocks(const float16* a, const float16* b, const log_segment& s, log_block* p, log_block* q,
                bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(LogBlocksF16)(a, b, s, p, q, bad);
}
template <>
void log_blocks(const bfloat16* a, const bfloat16* b, const log_segment& s, log_block* p, log_block* q,
                bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(LogBlocksBF16)(a, b, s, p, q, bad);
}
template <>
void prob_blocks(const float16* p, const float16* q, const prob_segment& s, prob_block* out, bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(ProbBlocksF16)(p, q, s, out, bad);
}
template <>
void prob_blocks(const bfloat16* p, const bfloat16* q, const prob_segment& s, prob_block* out, bool& bad) noexcept {
    HWY_DYNAMIC_DISPATCH(ProbBlocksBF16)(p, q, s, out, bad);
}

void exp_non_positive(const float* x, float* out, std::size_t n) noexcept {
    HWY_DYNAMIC_DISPATCH(ExpNonPositiveF32)(x, out, n);
}

}  // namespace kldiv::detail
#endif  // HWY_ONCE
