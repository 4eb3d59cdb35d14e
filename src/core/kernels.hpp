#pragma once
// The measures in nats over already validated vectors: the noexcept layer below the boundary.
// p and q are raw values with exact sums sp and sq; the measures are of p/sp and q/sq.

#include <span>

#include "src/core/terms.hpp"

namespace kldiv::detail {

template <class T>
double entropy_nats(std::span<const T> p, double_double sp) noexcept {
    const scale s(sp);
    return sum_terms(p.size(), [&](std::size_t i) { return entropy_term(static_cast<double>(p[i]), s); });
}

template <class T>
double cross_entropy_nats(std::span<const T> p, double_double sp, std::span<const T> q, double_double sq) noexcept {
    const scale a(sp), b(sq);
    return sum_terms(p.size(), [&](std::size_t i) {
        return cross_entropy_term(static_cast<double>(p[i]), static_cast<double>(q[i]), a, b);
    });
}

template <class T>
double kl_nats(std::span<const T> p, double_double sp, std::span<const T> q, double_double sq) noexcept {
    const pair_scale s(sp, sq);
    return sum_terms(p.size(),
                     [&](std::size_t i) { return kl_term(static_cast<double>(p[i]), static_cast<double>(q[i]), s); });
}

template <class T>
double js_nats(std::span<const T> p, double_double sp, std::span<const T> q, double_double sq, double beta) noexcept {
    const pair_scale s(sp, sq);
    return sum_terms(p.size(), [&](std::size_t i) {
        return js_term(static_cast<double>(p[i]), static_cast<double>(q[i]), s, beta);
    });
}

}  // namespace kldiv::detail
