#pragma once
// Block summaries of row segments (blocks.hpp): the SIMD kernels, dispatched at run time to the
// best target of this CPU (Highway), and their plain scalar twins, which are the reference the
// kernels are tested against and the path a block takes when an intermediate overflows.
//
// Each call summarizes blocks [first, last) of one row pair of `cols` events. `bad` is set when a
// value is outside its domain (probs: negative, NaN or inf; log space: NaN or +inf); the caller then
// finds and reports it. Log space: a and b are multiplied by inv_temperature; `p_side` asks for the
// summaries of P (weights from a), `q_side` for those of Q (weights from b).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kldiv/views.hpp"
#include "src/batch/blocks.hpp"
#include "src/core/divergence_terms.hpp"

namespace kldiv::detail {

// What one side of a log-space block needs: its weights only (entropy), or the divergence too.
enum class side { none, weights, divergence };

struct log_segment {
    std::size_t cols = 0, first = 0, last = 0;
    double inv_temperature = 1.0;
    side p_side = side::none, q_side = side::none;
    bool entropy = true;  // false: the kernels may skip E[m − a] (log_block::spread)
};

struct prob_segment {
    std::size_t cols = 0, first = 0, last = 0;
    block_request request{};
};

template <class T>
void log_blocks(const T* a, const T* b, const log_segment& s, log_block* p_out, log_block* q_out, bool& bad) noexcept;
template <class T>
void prob_blocks(const T* p, const T* q, const prob_segment& s, prob_block* out, bool& bad) noexcept;

template <class T>
void reference_log_blocks(const T* a, const T* b, const log_segment& s, log_block* p_out, log_block* q_out,
                          bool& bad) noexcept;
template <class T>
void reference_prob_blocks(const T* p, const T* q, const prob_segment& s, prob_block* out, bool& bad) noexcept;

// One event's term of `kind` (divergence_terms.hpp; neyman is pearson with P and Q swapped by the
// caller) of raw values p, q with c = Sq/Sp and the inverse sums, δ = (c·p − q)/q as the kernels form
// it: the scalar twin of FamilySum's lanes. NaN where p, q > 0 give a δ that is not finite.
inline double family_term(double p, double q, double_double c, double inv_sp, double inv_sq, term_kind kind) noexcept {
    if (p == 0.0 && q == 0.0) return 0.0;
    const double ph = p * inv_sp, qh = q * inv_sq;
    const bool both = p > 0.0 && q > 0.0;
    double delta = 0.0;
    if (both) {
        delta = (std::fma(c.hi, p, -q) + c.lo * p) / q;
        if (!std::isfinite(delta)) return NAN;
    }
    const bool near = both && delta <= 1.0;
    switch (kind) {
        case term_kind::pearson:
            if (q == 0.0) return INFINITY;
            if (p == 0.0) return qh;
            if (near) return (qh * delta) * delta;
            return ((ph - qh) / std::sqrt(qh)) * ((ph - qh) / std::sqrt(qh));
        case term_kind::squared_hellinger: {
            if (!both) return 0.5 * (ph + qh);
            if (near) {
                const double r = delta / (std::sqrt(1.0 + delta) + 1.0);
                return (0.5 * qh) * (r * r);
            }
            const double x = std::sqrt(ph) - std::sqrt(qh);
            return 0.5 * (x * x);
        }
        case term_kind::total_variation:
            return near ? (0.5 * qh) * std::fabs(delta) : 0.5 * std::fabs(ph - qh);
        case term_kind::triangular: {
            if (!both) return ph + qh;
            if (near) return (qh * delta) * (delta / (2.0 + delta));
            const double x = ph - qh;
            return x * (x / (ph + qh));
        }
        case term_kind::bhattacharyya_coefficient:
        case term_kind::neyman:
            return std::sqrt(ph) * std::sqrt(qh);
    }
    return 0.0;
}

// Σ of the terms of `kind` over a probability row pair of n events as given (raw values with exact
// sums sp, sq), in the units of p̂ and q̂: plain sums in blocks of block_size events, the blocks
// compensated in order. False where a δ is not finite (the caller sums divergence_terms.hpp's terms
// instead). family_sum dispatches to the SIMD kernel; reference_family_sum is its scalar twin.
template <class T>
bool family_sum(const T* p, const T* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                double& out) noexcept;
template <class T>
bool reference_family_sum(const T* p, const T* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                          double& out) noexcept;

// exp(x) for each x ≤ 0, as the float logits kernel computes its weights (exp-inl.h): for the
// tests and for the benchmark's roofline.
void exp_non_positive(const float* x, float* out, std::size_t n) noexcept;

}  // namespace kldiv::detail
