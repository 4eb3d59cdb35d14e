// Compiles nearest_kernels-inl.h once per SIMD target and dispatches to the best one at run time;
// the scalar twin.

#include "src/estimate/nearest_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/estimate/nearest_kernels.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/estimate/nearest_kernels-inl.h"

#if HWY_ONCE
namespace kldiv::estimate::detail {

HWY_EXPORT(KeepNearerInBlock);

void keep_nearer_in_block(const point_block& block, const double* query, std::span<double> best) noexcept {
    HWY_DYNAMIC_DISPATCH(KeepNearerInBlock)(block, query, best);
}

void reference_keep_nearer_in_block(const point_block& block, const double* query, std::span<double> best) noexcept {
    for (std::size_t i = 0; i < block.stride; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < block.dimension; ++j) {
            const double e = block.coordinates[j * block.stride + i] - query[j];
            s += e * e;
        }
        keep_if_nearer(best, s);
    }
}

}  // namespace kldiv::estimate::detail
#endif  // HWY_ONCE
