// Compiles normal_rows_kernels-inl.h once per SIMD target and dispatches to the best one at run time.

#include "src/distributions/normal_rows_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/distributions/normal_rows_kernels.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/distributions/normal_rows_kernels-inl.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::distributions::detail {
namespace HWY_NAMESPACE {

double NormalRowKLF32(const normal_row<float>& r) { return NormalRowKL(r); }
double NormalRowKLF64(const normal_row<double>& r) { return NormalRowKL(r); }

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::distributions::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace kldiv::distributions::detail {

HWY_EXPORT(NormalRowKLF32);
HWY_EXPORT(NormalRowKLF64);

template <>
double normal_row_kl(const normal_row<float>& r) noexcept {
    return HWY_DYNAMIC_DISPATCH(NormalRowKLF32)(r);
}
template <>
double normal_row_kl(const normal_row<double>& r) noexcept {
    return HWY_DYNAMIC_DISPATCH(NormalRowKLF64)(r);
}

}  // namespace kldiv::distributions::detail
#endif  // HWY_ONCE
