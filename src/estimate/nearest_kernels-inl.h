// Per-target body of keep_nearer_in_block (nearest_kernels.hpp), compiled for every SIMD target by
// nearest_kernels.cpp: lanes run across points, four vectors at a time; a group of vectors whose
// lanes are all outside (0, best.back()) costs one comparison, the others go through
// keep_if_nearer lane by lane in point order.

#if defined(KLDIV_NEAREST_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_NEAREST_KERNELS_INL_H_
#undef KLDIV_NEAREST_KERNELS_INL_H_
#else
#define KLDIV_NEAREST_KERNELS_INL_H_
#endif

#include "hwy/highway.h"
#include "src/estimate/nearest_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace kldiv::estimate::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Squared distances from `query` to the `Vectors` vectors of points starting at point i.
template <std::size_t Vectors, class D>
HWY_INLINE void SquaredDistances(D d, const point_block& b, const double* query, std::size_t i, hn::Vec<D>* sums) {
    const std::size_t n = hn::Lanes(d);
    for (std::size_t v = 0; v < Vectors; ++v) sums[v] = hn::Zero(d);
    for (std::size_t j = 0; j < b.dimension; ++j) {
        const auto q = hn::Set(d, query[j]);
        const double* row = b.coordinates + j * b.stride + i;
        for (std::size_t v = 0; v < Vectors; ++v) {
            const auto e = hn::Sub(hn::LoadU(d, row + v * n), q);
            sums[v] = hn::Add(sums[v], hn::Mul(e, e));
        }
    }
}

template <std::size_t Vectors, class D>
HWY_INLINE void KeepNearer(D d, const hn::Vec<D>* sums, std::span<double> best) {
    const auto limit = hn::Set(d, best.back()), zero = hn::Zero(d);
    auto near = hn::And(hn::Gt(sums[0], zero), hn::Lt(sums[0], limit));
    for (std::size_t v = 1; v < Vectors; ++v)
        near = hn::Or(near, hn::And(hn::Gt(sums[v], zero), hn::Lt(sums[v], limit)));
    if (hn::AllFalse(d, near)) return;
    const std::size_t n = hn::Lanes(d);
    HWY_ALIGN double lanes[Vectors * HWY_MAX_BYTES / sizeof(double)];
    for (std::size_t v = 0; v < Vectors; ++v) hn::Store(sums[v], d, lanes + v * n);
    for (std::size_t l = 0; l < Vectors * n; ++l) keep_if_nearer(best, lanes[l]);
}

void KeepNearerInBlock(const point_block& b, const double* query, std::span<double> best) {
    const hn::ScalableTag<double> d;
    const std::size_t n = hn::Lanes(d);
    constexpr std::size_t group = 4;
    hn::Vec<decltype(d)> sums[group];
    std::size_t i = 0;
    for (; i + group * n <= b.stride; i += group * n) {
        SquaredDistances<group>(d, b, query, i, sums);
        KeepNearer<group>(d, sums, best);
    }
    for (; i < b.stride; i += n) {  // stride is a multiple of the granule, hence of n
        SquaredDistances<1>(d, b, query, i, sums);
        KeepNearer<1>(d, sums, best);
    }
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::estimate::detail
HWY_AFTER_NAMESPACE();

#endif  // include guard
