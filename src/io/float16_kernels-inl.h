// Per-target body of widen_float16 (float16_kernels.hpp), compiled for every SIMD target by
// float16_kernels.cpp. Only x86 targets with F16C (AVX2 and later) convert in vectors: Highway
// 1.0.3's emulation on the others turns ∞ and NaN into finite values, so they run the scalar twin.

#if defined(KLDIV_FLOAT16_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_FLOAT16_KERNELS_INL_H_
#undef KLDIV_FLOAT16_KERNELS_INL_H_
#else
#define KLDIV_FLOAT16_KERNELS_INL_H_
#endif

#include "hwy/highway.h"
#include "src/io/float16_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace kldiv::io::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void WidenFloat16(const void* halves, float* out, std::size_t n) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
    const hn::ScalableTag<float> df;
    const hn::Rebind<hwy::float16_t, decltype(df)> dh;
    const std::size_t lanes = hn::Lanes(df);
    const auto* in = static_cast<const hwy::float16_t*>(halves);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) hn::StoreU(hn::PromoteTo(df, hn::LoadU(dh, in + i)), df, out + i);
    reference_widen_float16(in + i, out + i, n - i);
#else
    reference_widen_float16(halves, out, n);
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::io::detail
HWY_AFTER_NAMESPACE();

#endif  // include guard
