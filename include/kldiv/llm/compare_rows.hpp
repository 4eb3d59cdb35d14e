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
// gives −inf to a token the reference gives mass, D(p‖q) is +inf and an error names the candidate's
// file, the position and the token.
//
// Floored tokens (row_source::read's floors: a clamped row of a llama.cpp base file): the tokens at
// or below either row's floor form one set F, measured as one event (src/llm/floored_tail.hpp): the
// measures are those of the coarsened pair (the tokens outside F, and F), never negative and at most
// the exact divergence up to the decode error (docs/formats/llama-kl-base.md). ln p(x) and ln q(x)
// are the stored values less the coarsened row's normalizer: a floored actual token is read at its
// row's floor μ, an upper bound, and flagged (token_comparison). The top tokens are those of the
// rows as given.

#include <cstdint>
#include <span>

#include "kldiv/io/row_source.hpp"
#include "kldiv/llm/comparison_summary.hpp"
#include "kldiv/views.hpp"

namespace kldiv::llm {

struct compare_rows_options {
    bool reverse_kl = false;           // also D(candidate‖reference)
    bool js = false;                   // also JS(reference, candidate), β = 1/2
    std::size_t top_k = 0;             // also |top-k ∩ top-k| for this k in [1, 100], besides 5 and 10; 0: not
    unsigned threads = 0;              // 0: all hardware threads
    std::uint64_t first_position = 0;  // the position of the first row, for error messages
    // The models' files, to name them in errors (a value that is NaN or +inf, a row without mass, a
    // token the candidate gives probability 0): "candidate file c.npy (its row 17), position 17".
    std::span<const io::source_file> reference_files{}, candidate_files{};
};

// Per row, each model's floor (row_source::read): entries at or below it are floored; −inf: none.
// Empty spans: no row has a floor.
struct row_floors {
    std::span<const float> reference{}, candidate{};
};

// reference and candidate have the same shape; next_tokens is empty (no token ids) or has one id per
// row, −1 for a position whose next token is unknown; floors are empty or have one entry per row.
// Throws kldiv::error naming the file, the position and the token id for a NaN or +inf value, a row
// without mass or a non-finite KL; and for a token id outside [−1, vocabulary) or mismatched shapes.
void compare_rows(matrix_view<const float> reference, matrix_view<const float> candidate,
                  std::span<const std::int32_t> next_tokens, const compare_rows_options& opts,
                  std::span<token_comparison> out, const row_floors& floors = {});

}  // namespace kldiv::llm
