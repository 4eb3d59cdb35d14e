#pragma once
// Position by position: a reference and a candidate model's next-token rows (logits or
// log-probabilities, float, row-major, one row per scored position) turned into the per-position
// comparisons that comparison_summary accumulates (comparison_summary.hpp).
//
// Both rows are normalized by a log-softmax (log-probabilities are treated as logits, so rows that
// do not sum exactly to 1 — quantized or truncated ones — are renormalized). Per row:
//   D(p‖q), and on request D(q‖p) and JS(p, q), by the batch kernels (batch.hpp): accurate to about
//     1e-7 relative for float rows and never negative;
//   ln p(x) = a_x − ln Σ exp(a) and ln q(x) likewise for the actual next token x (when known);
//   same top: the first index of the largest value agrees; top-k overlap for k = 5 and 10, the top k
//     taken by value with ties to the lower index.
// A reference entry of −inf is a token of probability 0 (as a masked logit); where the candidate
// gives −inf to a token the reference gives mass, D(p‖q) is +inf and an error names the row.

#include <cstdint>
#include <span>

#include "kldiv/batch.hpp"
#include "kldiv/llm/comparison_summary.hpp"

namespace kldiv::llm {

struct compare_rows_options {
    bool reverse_kl = false;  // also D(candidate‖reference)
    bool js = false;          // also JS(reference, candidate), β = 1/2
    unsigned threads = 0;     // 0: all hardware threads
    std::uint64_t first_position = 0;  // the position of the first row, for error messages
};

// reference and candidate have the same shape; next_tokens is empty (no token ids) or has one id per
// row, −1 for a position whose next token is unknown. Throws kldiv::error naming the row for a
// non-finite KL, a NaN value, a token id outside [−1, vocabulary), or mismatched shapes.
void compare_rows(matrix_view<const float> reference, matrix_view<const float> candidate,
                  std::span<const std::int32_t> next_tokens, const compare_rows_options& opts,
                  std::span<token_comparison> out);

}  // namespace kldiv::llm
