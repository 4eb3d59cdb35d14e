#pragma once
// How the values of the rows of a batch are combined (reduction), and which rows count and over
// how many threads (row_options): one shape for measure_rows (batch.hpp), the losses (losses.hpp)
// and the diagonal-Gaussian rows (distributions/normal_rows.hpp). Each of their options holds a
// `reduce` (none for measures, mean for losses) beside its `rows`.

#include <cstdint>
#include <span>

#include "kldiv/names.hpp"

namespace kldiv {

// How the per-row values are combined.
enum class reduction {
    none,  // one value per row (masked rows get 0)
    sum,   // Σ w_i v_i over unmasked rows (w_i = 1 without weights)
    mean,  // Σ w_i v_i / Σ w_i over unmasked rows
};

// "none", "sum", "mean" (kldiv/names.hpp).
inline std::span<const named<reduction>> names_of(reduction) noexcept {
    static constexpr named<reduction> table[] = {
        {reduction::none, "none"}, {reduction::sum, "sum"}, {reduction::mean, "mean"}};
    return table;
}

struct row_options {
    std::span<const double> weights{};     // empty, or one finite weight >= 0 per row
    std::span<const std::uint8_t> mask{};  // empty, or one flag per row: 0 skips the row
    unsigned threads = 0;                  // 0: all hardware threads
};

}  // namespace kldiv
