// The encodings of a kldiv reference file's rows (float32, float16, q16), their decoding, and the
// bounds they guarantee, per value and for D(ref‖cand).
#include "src/io/reference_encoding.hpp"

#include <bit>
#include <cfloat>
#include <cmath>
#include <string>

#include "kldiv/error.hpp"
#include "src/io/reference_layout.hpp"
#include "src/io/stored_floats.hpp"

namespace kldiv::io {

double reference_kl_error_bound(double kl, double delta, double dropped) {
    if (!(kl >= 0) || !(delta >= 0) || !(dropped >= 0 && dropped <= 1)) {
        throw error("reference_kl_error_bound", "kl = " + std::to_string(kl) + ", delta = " + std::to_string(delta) +
                                                    ", dropped = " + std::to_string(dropped) +
                                                    ", but they must be kl >= 0, delta >= 0 and 0 <= dropped <= 1");
    }
    if (dropped == 1) return std::numeric_limits<double>::infinity();
    const double eta = (std::expm1(2 * delta) + dropped) / (1 - dropped);  // e^{2δ}/(1−β) − 1
    return eta * (kl + std::sqrt(2 * kl)) + eta * eta + dropped;
}

}  // namespace kldiv::io

namespace kldiv::io::detail {

namespace {

// y rounded to an integer, ties to even, for |y| < 2^51 (default rounding mode): adding 1.5·2^52
// leaves a double whose last bit is worth 1, so the addition itself rounds.
double round_to_integer(double y) noexcept {
    constexpr double shift = 0x1.8p52;
    return (y + shift) - shift;
}

}  // namespace

std::uint16_t to_float16(double x) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto sign = static_cast<std::uint16_t>((bits >> 48) & 0x8000u);
    const std::uint64_t magnitude = bits & 0x7fffffffffffffffu;
    if (magnitude > 0x7ff0000000000000u) return sign | 0x7e00u;  // NaN
    const double a = std::bit_cast<double>(magnitude);
    if (a >= 65520.0) return sign | 0x7c00u;  // beyond 65504 + half its spacing (16): ∞
    if (a < 0x1p-14) {                        // subnormal: a multiple of 2^-24 (1024 · 2^-24 is the smallest normal)
        return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(round_to_integer(a * 0x1p24)));
    }
    // Normal: the exponent rebiased (1023 → 15) and the top 10 of the 52 significand bits; the
    // other 42 round to nearest, ties to even, and a carry runs into the exponent as it must.
    const auto exponent = static_cast<std::uint32_t>(magnitude >> 52) - 1023 + 15;
    const std::uint64_t significand = magnitude & 0xfffffffffffffu;
    std::uint32_t h = exponent << 10 | static_cast<std::uint32_t>(significand >> 42);
    const std::uint64_t rest = significand & 0x3ffffffffffu, half = std::uint64_t{1} << 41;
    if (rest > half || (rest == half && (h & 1u) != 0)) ++h;
    return static_cast<std::uint16_t>(sign | h);
}

double encode_row(std::span<const double> log_probs, reference_encoding e, int step_log2, std::byte* values,
                  std::byte* anchor) noexcept {
    double dropped = 0;
    const std::size_t n = log_probs.size();
    switch (e) {
        case reference_encoding::float32:
            for (std::size_t j = 0; j < n; ++j) {
                const auto v = static_cast<float>(log_probs[j]);
                if (std::isinf(v) && std::isfinite(log_probs[j])) dropped += std::exp(log_probs[j]);
                store_le(values + 4 * j, v);
            }
            break;
        case reference_encoding::float16:
            for (std::size_t j = 0; j < n; ++j) {
                const std::uint16_t bits = to_float16(log_probs[j]);
                if (bits == 0xfc00u && std::isfinite(log_probs[j])) dropped += std::exp(log_probs[j]);
                store_le(values + 2 * j, bits);
            }
            break;
        case reference_encoding::q16: {
            double max = -std::numeric_limits<double>::infinity();
            for (double l : log_probs) max = std::max(max, l);
            const double per_step = std::ldexp(1.0, -step_log2);  // exact scaling
            const double n0 = round_to_integer(-max * per_step);  // the row max's grid index (< 2^24)
            store_le(anchor, static_cast<std::uint32_t>(n0));
            const double last_kept = n0 + q16_max_kept_code;
            for (std::size_t j = 0; j < n; ++j) {
                const double y = -log_probs[j] * per_step;  // >= n0 − 1/2; +∞ for −∞
                std::uint16_t stored = q16_dropped;
                if (y < last_kept + 1) {  // else round(y) > last_kept: dropped (and |y| < 2^51 here)
                    const double grid = round_to_integer(y);
                    if (grid <= last_kept) stored = static_cast<std::uint16_t>(grid - n0);
                }
                if (stored == q16_dropped && std::isfinite(log_probs[j])) dropped += std::exp(log_probs[j]);
                store_le(values + 2 * j, stored);
            }
            break;
        }
    }
    return dropped;
}

namespace {

// The first value that is NaN or > 0, or out.size(). Checked after decoding, in a loop the
// compiler can vectorize.
std::size_t first_invalid(std::span<const float> out) noexcept {
    unsigned bad = 0;
    for (float v : out) bad |= static_cast<unsigned>(!(v <= 0.0f));
    if (bad == 0) return out.size();
    std::size_t j = 0;
    while (out[j] <= 0.0f) ++j;
    return j;
}

}  // namespace

std::size_t decode_row(const std::byte* values, std::uint32_t anchor, reference_encoding e, int step_log2,
                       std::span<float> out) noexcept {
    const std::size_t n = out.size();
    switch (e) {
        case reference_encoding::float32:
        case reference_encoding::float16:  // little-endian in the file
            io::detail::widen_stored(e == reference_encoding::float32 ? io::detail::stored_float::float32
                                                                      : io::detail::stored_float::float16,
                                     std::endian::native != std::endian::little, values, out.data(), n);
            break;
        case reference_encoding::q16: {
            const float step = std::ldexp(1.0f, step_log2);
            const auto minus_infinity = std::bit_cast<std::uint32_t>(-std::numeric_limits<float>::infinity());
            for (std::size_t j = 0; j < n; ++j) {  // without branches, so that it vectorizes
                const std::uint32_t code = load_le<std::uint16_t>(values + 2 * j);
                const auto value = std::bit_cast<std::uint32_t>(-static_cast<float>(anchor + code) * step);
                const std::uint32_t dropped = 0u - static_cast<std::uint32_t>(code == q16_dropped);  // all ones
                out[j] = std::bit_cast<float>((value & ~dropped) | (minus_infinity & dropped));
            }
            break;
        }
    }
    return first_invalid(out);
}

reference_error_bound error_bound_of(reference_encoding e, int step_log2, std::size_t n_vocab,
                                     double dropped_mass) noexcept {
    reference_error_bound b;
    b.dropped_mass = dropped_mass;
    // A row's maximum is at least −log(n_vocab), so values within kept_range below it are at
    // least −(kept_range + log n_vocab): for float16 and float32 the largest finite magnitude.
    const double log_v = std::log(static_cast<double>(n_vocab));
    switch (e) {
        case reference_encoding::float32:
            b.relative = 0x1p-24;
            b.absolute = 0x1p-150;
            b.kept_range = static_cast<double>(FLT_MAX) - log_v;
            break;
        case reference_encoding::float16:
            b.relative = 0x1p-11;
            b.absolute = 0x1p-25;
            b.kept_range = 65504.0 - log_v;
            break;
        case reference_encoding::q16:
            b.absolute = std::ldexp(0.5, step_log2);
            b.kept_range = q16_max_kept_code * std::ldexp(1.0, step_log2);
            break;
    }
    return b;
}

}  // namespace kldiv::io::detail
