#pragma once
// The three encodings of a row of log-probabilities in a kldiv reference file — float32, float16
// and q16 — from the writer's normalized double row to bytes and from bytes to float, and what
// each guarantees (reference_error_bound). docs/formats/kldiv-reference.md states the rules.

#include <cstddef>
#include <cstdint>
#include <span>

#include "kldiv/io/reference_file.hpp"

namespace kldiv::io::detail {

// Bytes per stored value.
constexpr std::uint64_t value_size(reference_encoding e) noexcept { return e == reference_encoding::float32 ? 4 : 2; }

// Whether rows carry an anchor (a uint32 before the values, in the chunk's anchor section).
constexpr bool has_anchors(reference_encoding e) noexcept { return e == reference_encoding::q16; }

// q16: value j of a row with anchor n is stored as the code c_j = round(−ℓ_j / s) − n, s = 2^k,
// and decodes to −(n + c_j)·s, exactly in float32 because n + c_j < 2^24. The code q16_dropped
// decodes to −∞.
inline constexpr std::uint16_t q16_dropped = 0xffff;
inline constexpr std::uint32_t q16_max_kept_code = 0xfffe;
inline constexpr std::uint32_t q16_max_anchor = (std::uint32_t{1} << 24) - 0x10000u;
inline constexpr int q16_min_step_log2 = -16;
inline constexpr int q16_max_step_log2 = -4;

// x rounded once to the nearest IEEE binary16, ties to even (the default rounding mode assumed);
// |x| >= 65520 gives ±∞, NaN a quiet NaN.
std::uint16_t to_float16(double x) noexcept;

// Encodes the normalized row ℓ (every ℓ_j <= 0 or −∞, not all −∞) as `values` (ℓ.size() values,
// little-endian) and, for q16, its anchor (a little-endian uint32 at `anchor`). Returns the mass
// the row loses: Σ exp(ℓ_j) over the finite ℓ_j that decode to −∞.
double encode_row(std::span<const double> log_probs, reference_encoding e, int step_log2, std::byte* values,
                  std::byte* anchor) noexcept;

// Decodes out.size() values (and, for q16, the anchor, <= q16_max_anchor) into `out`. Returns the
// index of the first value no writer writes (NaN or > 0), or out.size() when there is none.
std::size_t decode_row(const std::byte* values, std::uint32_t anchor, reference_encoding e, int step_log2,
                       std::span<float> out) noexcept;

// The guarantees of encoding `e` for rows of n_vocab values, with the file's dropped mass.
reference_error_bound error_bound_of(reference_encoding e, int step_log2, std::size_t n_vocab,
                                     double dropped_mass) noexcept;

}  // namespace kldiv::io::detail
