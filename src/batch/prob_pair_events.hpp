#pragma once
// A pair of probability rows as given (raw values with exact sums) as the events of the divergence
// sums (src/core/divergence_terms.hpp), with the sums of the terms that need no logarithm (χ²,
// Hellinger, total variation, triangular, the Bhattacharyya coefficient) taken by the SIMD kernel
// (block_kernels.hpp: family_sum) for float and double rows; the other sums, and a pair the kernel
// cannot take, go event by event.

#include <optional>
#include <span>
#include <type_traits>

#include "src/batch/block_kernels.hpp"
#include "src/core/divergence_terms.hpp"

namespace kldiv::detail {

template <class T>
struct prob_pair_events : vector_events<std::span<const T>, std::span<const T>> {
    double_double sum_p, sum_q;

    std::optional<double> sum(term_kind kind) const noexcept {
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
            const bool swap = kind == term_kind::neyman;  // Σ (p̂ − q̂)²/p̂: Pearson's with P and Q swapped
            const auto& a = swap ? this->q : this->p;
            const auto& b = swap ? this->p : this->q;
            double out = 0.0;
            if (family_sum(a.data(), b.data(), a.size(), swap ? sum_q : sum_p, swap ? sum_p : sum_q,
                           swap ? term_kind::pearson : kind, out)) {
                return out;
            }
        }
        return std::nullopt;
    }
};

// The events of p and q (validated rows with exact sums sp, sq).
template <class T>
prob_pair_events<T> prob_pair(std::span<const T> p, double_double sp, std::span<const T> q, double_double sq) {
    return {{p, q, pair_scale(sp, sq)}, sp, sq};
}

}  // namespace kldiv::detail
