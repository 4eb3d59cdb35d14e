#pragma once
// A kldiv reference file read back against the rows it was written from: every token id, and
// every decoded log-probability against the bound its encoding guarantees (reference_file.hpp).
//
//   auto input = kldiv::io::open_rows({"base.npy"}, "input");
//   kldiv::io::reference_verification v = kldiv::io::verify_reference(*input, "base.kref");
//   // v.largest_error_to_bound <= 1, or kldiv::error named the first row and column that was not

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

#include "kldiv/io/row_source.hpp"

namespace kldiv::io {

struct reference_verification {
    double largest_error = 0;           // the largest |ℓ̂ − ℓ| over kept values, in nats
    double largest_error_to_bound = 0;  // the largest |ℓ̂ − ℓ| / that value's bound (≤ 1)
    std::uint64_t dropped_values = 0;   // finite ℓ below the kept range, decoded to −∞ as allowed
    double largest_dropped_mass = 0;    // the largest Σ exp(ℓ) over a row's dropped values
};

// Reads `input` (logits or log-probabilities, from its first row: a source just opened) and the reference file at
// `reference` side by side, a block of at most `buffer_bytes` at a time, and checks every row:
//   - ℓ_j = (a_j − M) − ln Σ_k exp(a_k − M), M = max_k a_k, computed in double as the writer
//     does, decodes within the encoding's bound (absolute + relative·|ℓ|, with 1e-12 of slack);
//     −∞ stays −∞; a finite ℓ may decode to −∞ only below the kept range (counted as dropped);
//   - when the file holds token ids, row i's is tokens[i] if `tokens` is given (one per row,
//     −1: unknown), else the one `input` carries (−1 if it carries none);
//   - the file has as many rows as `input` and the same vocabulary; the input holds no NaN or +inf
//     and no row of nothing but −inf (the writer refuses them).
// Throws kldiv::error("verify_reference", "row r: …") at the first row that fails.
reference_verification verify_reference(row_source& input, const std::filesystem::path& reference,
                                        std::span<const std::int32_t> tokens = {},
                                        std::size_t buffer_bytes = std::size_t{256} << 20);

}  // namespace kldiv::io
