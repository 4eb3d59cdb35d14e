// exp(x) for x ≤ 0 in single precision (Highway, per target): the weights exp(a − max) of the
// float logits kernel. Compared with hwy::Exp it skips the range checks and the two-step scaling
// that arguments above 0 would need.
//   exp(x) = 2^k · p(r),  k = round(x / ln 2),  r = x − k ln 2 (Cody–Waite, two constants),
// p the Taylor polynomial of degree 7 (|r| ≤ ln2/2: truncation below 5.2e-9, under half an ulp),
// 2^k added into the exponent bits. Valid for −86.5 ≤ x ≤ 0 (then 2^k p(r) is a normal float);
// below −86.5, including −inf, the result is 0 (a weight under 3e-38 of the block's largest).
// Max error about 2 ulp over [−86.5, 0] (tests/test_batch_kernels.cpp checks it against std::exp).

#if defined(KLDIV_EXP_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_EXP_INL_H_
#undef KLDIV_EXP_INL_H_
#else
#define KLDIV_EXP_INL_H_
#endif

#include <cstddef>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Σ c[k] x^k for N = 2^j coefficients by Estrin's scheme: the same multiply-adds as Horner's rule,
// but a dependency chain of depth j + log2 instead of N, so consecutive vectors overlap.
template <class DV, class T, std::size_t N>
HWY_INLINE hn::Vec<DV> Estrin(DV d, hn::Vec<DV> x, const T (&c)[N]) {
    static_assert((N & (N - 1)) == 0 && N >= 2, "a power of two of coefficients");
    hn::Vec<DV> terms[N / 2];
#pragma GCC unroll 16
    for (std::size_t k = 0; k < N / 2; ++k) terms[k] = hn::MulAdd(hn::Set(d, c[2 * k + 1]), x, hn::Set(d, c[2 * k]));
    hn::Vec<DV> power = hn::Mul(x, x);
#pragma GCC unroll 4
    for (std::size_t width = N / 2; width > 1; width /= 2) {
#pragma GCC unroll 8
        for (std::size_t k = 0; k < width / 2; ++k) terms[k] = hn::MulAdd(terms[2 * k + 1], power, terms[2 * k]);
        power = hn::Mul(power, power);
    }
    return terms[0];
}

template <class DF>
HWY_INLINE hn::Vec<DF> ExpNonPositive(DF df, hn::Vec<DF> x) {
    static_assert(sizeof(hn::TFromD<DF>) == sizeof(float), "single precision");
    const hn::RebindToSigned<DF> di;
    const auto k = hn::Round(hn::Mul(x, hn::Set(df, 1.44269504088896341f)));
    auto r = hn::NegMulAdd(k, hn::Set(df, 0.693145751953125f), x);  // ln 2 high part: k·it is exact
    r = hn::NegMulAdd(k, hn::Set(df, 1.42860682030941723e-6f), r);
    static constexpr float c[8] = {1.0f, 1.0f, 1.0f / 2, 1.0f / 6, 1.0f / 24, 1.0f / 120, 1.0f / 720, 1.0f / 5040};
    const auto p = Estrin(df, r, c);
    const auto scaled = hn::BitCast(df, hn::Add(hn::BitCast(di, p), hn::ShiftLeft<23>(hn::ConvertTo(di, k))));
    return hn::IfThenElseZero(hn::Ge(x, hn::Set(df, -86.5f)), scaled);
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::detail
HWY_AFTER_NAMESPACE();

#endif  // KLDIV_EXP_INL_H_
