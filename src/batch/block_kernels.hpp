#pragma once
// Block summaries of row segments (blocks.hpp): the SIMD kernels, dispatched at run time to the
// best target of this CPU (Highway), and their plain scalar twins, which are the reference the
// kernels are tested against and the path a block takes when an intermediate overflows.
//
// Each call summarizes blocks [first, last) of one row pair of `cols` events. `bad` is set when a
// value is outside its domain (probs: negative, NaN or inf; log space: NaN or +inf); the caller then
// finds and reports it. Log space: a and b are multiplied by inv_temperature; `p_side` asks for the
// summaries of P (weights from a), `q_side` for those of Q (weights from b).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kldiv/views.hpp"
#include "src/batch/blocks.hpp"

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

// exp(x) for each x ≤ 0, as the float logits kernel computes its weights (exp-inl.h): for the
// tests and for the benchmark's roofline.
void exp_non_positive(const float* x, float* out, std::size_t n) noexcept;

}  // namespace kldiv::detail
