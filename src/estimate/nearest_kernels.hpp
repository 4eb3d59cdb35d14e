#pragma once
// The inner loop of the blocked brute-force neighbour search (neighbours.cpp): one query against a
// block of points stored coordinate by coordinate, keeping the k smallest positive squared
// distances. A SIMD kernel (Highway, dispatched at run time, nearest_kernels-inl.h) and its plain
// scalar twin, the reference it is tested against. Both form each distance as Σ_j (p_j − q_j)² with
// j in order, a product then a sum (no fused multiply-add), so they agree bit for bit with each
// other and with the k-d tree's distances.

#include <cstddef>
#include <span>

namespace kldiv::estimate::detail {

// Points [0, stride) of a block: coordinate j of point i at coordinates[j * stride + i]; stride is
// a multiple of point_block_granule, and the points past the block's real ones are NaN (never near).
struct point_block {
    const double* coordinates = nullptr;
    std::size_t stride = 0, dimension = 0;
};

inline constexpr std::size_t point_block_granule = 64;

// Puts s into the ascending list `best` (dropping its last entry) if 0 < s < best.back().
inline void keep_if_nearer(std::span<double> best, double s) noexcept {
    if (!(s > 0.0 && s < best.back())) return;
    std::size_t i = best.size() - 1;
    for (; i > 0 && best[i - 1] > s; --i) best[i] = best[i - 1];
    best[i] = s;
}

// keep_if_nearer for the distance from `query` (block.dimension coordinates) to every point of the block.
void keep_nearer_in_block(const point_block& block, const double* query, std::span<double> best) noexcept;
void reference_keep_nearer_in_block(const point_block& block, const double* query, std::span<double> best) noexcept;

}  // namespace kldiv::estimate::detail
