// Compiles gradient_kernels-inl.h once per SIMD target and dispatches to the best one at run time.

#include "src/batch/gradient_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/batch/gradient_kernels.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/batch/gradient_kernels-inl.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::detail {
namespace HWY_NAMESPACE {

void RowGradientsF32(const float* s, const float* t, const gradient_row& row, float* gs, float* gt) {
    RowGradients(s, t, row, gs, gt);
}
void RowGradientsF64(const double* s, const double* t, const gradient_row& row, double* gs, double* gt) {
    RowGradients(s, t, row, gs, gt);
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace kldiv::detail {

HWY_EXPORT(RowGradientsF32);
HWY_EXPORT(RowGradientsF64);

template <>
void row_gradients(const float* s, const float* t, const gradient_row& row, float* gs, float* gt) noexcept {
    HWY_DYNAMIC_DISPATCH(RowGradientsF32)(s, t, row, gs, gt);
}
template <>
void row_gradients(const double* s, const double* t, const gradient_row& row, double* gs, double* gt) noexcept {
    HWY_DYNAMIC_DISPATCH(RowGradientsF64)(s, t, row, gs, gt);
}

}  // namespace kldiv::detail
#endif  // HWY_ONCE
