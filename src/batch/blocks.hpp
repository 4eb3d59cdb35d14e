#pragma once
// Rows are measured in fixed blocks of block_size events. A block is summarized by a few doubles;
// a row's value is a fold of its block summaries in index order. The summaries are exact
// decompositions, not approximations, and every piece is non-negative, so the fold cannot cancel.
//
// Log space (logits, log-probabilities), one direction: weights w = exp(a − m) from the row `a`,
// differences d = a − b (both already divided by the temperature). Within block k,
//   F_k = E_k[φ(d − s_k)],  φ(v) = exp(−v) − 1 + v ≥ 0,  g_k = E_k[d − s_k],
// with s_k the value of d at the block's heaviest event. For any reference r,
//   D(P‖Q) = E_p[d] + ln E_p[exp(−d)] = ḡ + ln(1 + Y − ḡ) = Y − ψ(Y − ḡ)  (the last form for small Y),
//   Y = Σ π_k (φ(Δ_k) + exp(−Δ_k) F_k − g_k expm1(−Δ_k)),  ḡ = Σ π_k (Δ_k + g_k),  Δ_k = s_k − r,
// ψ(h) = h − ln(1 + h), π_k the block's share of P's mass. With r = E_p[d], ḡ is only rounding and
// the value is Y up to a term of second order. That is D(P‖Q̃), with Q̃ = Q renormalized over P's
// support S (E_p[exp(−d)] = Σ_S exp(b)/Σ exp(a)). Where Q has mass outside S (events with p = 0, as
// a masked logit a = −inf), D(P‖Q) = D(P‖Q̃) − ln Q(S) = D(P‖Q̃) + ln(1 + Z_out/Z_S), Z_out = Σ_{p=0}
// exp(b) and Z_S = Σ_S exp(b) = exp(ln Σ exp(a) − r + ln(1 + h)): a second non-negative term, from
// the blocks' absent_max and absent_weight. Y's pieces are ≥ 0 except g_k expm1(−Δ_k); it
// cancels against the others by at most g_k²/(2 Var_k), and g_k² ≤ block_size·Var_k because the
// heaviest event carries at least 1/block_size of the block's mass: the error stays below
// ~block_size·eps relative. Exactly 0 for equal rows. Per event: one exponential (the weight),
// plus φ by its series when |v| ≤ 0.1, or by expm1 otherwise.
//
// Probabilities: the chain rule over blocks. With P_k, Q_k the rows conditioned on block k and
// π^P, π^Q the blocks' masses,
//   D(P‖Q) = D(π^P‖π^Q) + Σ π^P_k D(P_k‖Q_k),
// and within a block D(P_k‖Q_k) = Σ q̂ f(δ), f(δ) = (1+δ) ln(1+δ) − δ, D(Q_k‖P_k) = Σ q̂ ψ(δ),
// δ = c p/q − 1 with c = S^Q_k / S^P_k: one logarithm per event for both directions. An event
// where p = 0 adds q̂ (f(−1) = 1) to the first, one where q = 0 adds p̂ to the second. The block
// sums S are double-double and c their double-double ratio, and c·p − q is formed with one
// rounding, so δ keeps its relative precision when P and Q agree to many digits; the masses π enter
// D(π^P‖π^Q) the same way (kl_term on double-double values, terms.hpp). Where ρ = 1 + δ < 1/2, ln ρ
// comes from ρ = c p/q itself (1 + δ would have lost ρ's digits when p ≪ q).

#include <cmath>
#include <cstddef>
#include <span>

#include "src/common/exact_sum.hpp"

namespace kldiv::detail {

inline constexpr std::size_t block_size = 1024;

inline std::size_t block_count(std::size_t cols) noexcept { return (cols + block_size - 1) / block_size; }

// One direction of one block in log space.
struct log_block {
    double max = -INFINITY;  // m = max a over the block; −inf: the block has no mass
    double weight = 0.0;     // Σ exp(a − m)
    double below = 0.0;      // the same over the events below m: weight − below counts the ties at m
    double shift = 0.0;      // s: weighted mean of d
    double phi = 0.0;        // E[φ(d − s)]
    double offset = 0.0;     // E[d − s]
    double spread = 0.0;     // E[m − a] ≥ 0 (for the entropy)
    // The other row's mass where this one has none (a = −inf, b > −inf: p = 0 where q > 0):
    double absent_max = -INFINITY;  // max b over those events; −inf: there are none
    double absent_weight = 0.0;     // Σ exp(b − absent_max) over them
    bool outside = false;           // an event with a > −inf and b = −inf: q = 0 where p > 0
    bool unstable = false;          // an intermediate overflowed: the row needs the two-pass path
};

// One block of a probability row pair.
struct prob_block {
    double_double sum_p, sum_q;  // exact to about eps²: block masses that agree to the last digit keep δ
    double kl = 0.0;             // D(P_k‖Q_k)
    double reverse_kl = 0.0;     // D(Q_k‖P_k)
    double entropy_p = 0.0;      // H(P_k)
    double entropy_q = 0.0;      // H(Q_k)
    bool outside_p = false;      // p > 0 where q = 0
    bool outside_q = false;      // q > 0 where p = 0
    bool unstable = false;       // an intermediate overflowed: use the scalar twin for this block
};

// What to compute for a block.
struct block_request {
    bool phi = false;      // log space: F and g (the KL); probs: D(P_k‖Q_k)
    bool reverse = false;  // probs: D(Q_k‖P_k)
    bool entropy = false;  // probs: H(P_k) and H(Q_k)
};

// A log-space row folded from its blocks (nats).
struct log_row {
    double kl = 0.0;              // D(P‖Q)
    double entropy = 0.0;         // H(P)
    double log_normalizer = 0.0;  // ln Σ exp(a)
    bool outside = false;         // D(P‖Q) = +inf by support
    bool finite = true;           // false: an intermediate overflowed, use the two-pass path
};

log_row fold_log_blocks(std::span<const log_block> blocks, bool want_kl) noexcept;

// A probability row folded from its blocks (nats). `scratch` holds 2 × blocks.size() doubles.
struct prob_row {
    double kl = 0.0, reverse_kl = 0.0, entropy_p = 0.0, entropy_q = 0.0;
    double sum_p = 0.0, sum_q = 0.0;
};

prob_row fold_prob_blocks(std::span<const prob_block> blocks, const block_request& request,
                          std::span<double> scratch) noexcept;

}  // namespace kldiv::detail
