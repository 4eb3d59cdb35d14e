#pragma once
// Combining per-row values: reduction::sum gives Σ w_i v_i and reduction::mean Σ w_i v_i / Σ w_i over
// the rows the mask keeps (w_i = 1 without weights), summed in row order (compensated), so the
// result does not depend on the number of threads. Shared by the measures and the losses.

#include <cmath>
#include <cstdint>
#include <span>

#include <string>

#include "kldiv/error.hpp"
#include "kldiv/row_options.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"
#include "src/core/terms.hpp"

namespace kldiv::detail {

// Throws kldiv::error unless o.weights and o.mask are empty or have one entry per row, and every
// weight is finite and >= 0.
inline void check_row_options(const char* function, const row_options& o, std::size_t rows) {
    if (!o.weights.empty() && o.weights.size() != rows) {
        throw error(function, "rows.weights has " + std::to_string(o.weights.size()) + " elements, but there are " +
                                  std::to_string(rows) + " rows");
    }
    for (std::size_t i = 0; i < o.weights.size(); ++i) {
        if (!(o.weights[i] >= 0.0 && std::isfinite(o.weights[i]))) {
            throw error(function, "rows.weights[" + std::to_string(i) + "] = " + to_text(o.weights[i]) +
                                      ", but weights must be finite and >= 0");
        }
    }
    if (!o.mask.empty() && o.mask.size() != rows) {
        throw error(function, "rows.mask has " + std::to_string(o.mask.size()) + " elements, but there are " +
                                  std::to_string(rows) + " rows");
    }
}

struct row_reduction {
    std::span<const double> weights;
    std::span<const std::uint8_t> mask;
    reduction reduce = reduction::none;
    std::size_t rows = 0;

    row_reduction(const row_options& o, reduction r, std::size_t n)
        : weights(o.weights), mask(o.mask), reduce(r), rows(n) {}

    bool kept(std::size_t i) const noexcept { return mask.empty() || mask[i] != 0; }
    double weight(std::size_t i) const noexcept { return !kept(i) ? 0.0 : weights.empty() ? 1.0 : weights[i]; }

    // Σ of the kept weights; throws for a mean over no weight.
    double total_weight(const char* function) const {
        compensated_sum total;
        for (std::size_t i = 0; i < rows; ++i) total.add(weight(i));
        if (reduce == reduction::mean && !std::isfinite(total.value())) {
            throw error(function,
                        "rows.weights sum to more than the largest double, but a mean needs a finite "
                        "total weight: scale the weights down");
        }
        if (reduce == reduction::mean && !(total.value() > 0.0)) {
            throw error(function, "reduction = mean over rows whose total weight is 0, but a mean needs weight");
        }
        return total.value();
    }

    // How much row i counts in the reduced value: w_i / Σ w for mean, w_i for sum, 1 (or 0 when
    // masked) for none.
    double factor(std::size_t i, double total) const noexcept {
        if (reduce == reduction::none) return kept(i) ? 1.0 : 0.0;
        return reduce == reduction::sum ? weight(i) : weight(i) / total;
    }

    // The reduced value of value_of(i) over the rows (reduction sum or mean).
    template <class ValueOf>
    double apply(const char* function, ValueOf&& value_of) const {
        const double total = total_weight(function);
        compensated_sum sum;
        for (std::size_t i = 0; i < rows; ++i) {
            const double w = weight(i);
            if (w == 0.0) continue;
            const double v = value_of(i);
            if (std::isinf(v)) return v;
            sum.add(w * v);
        }
        return reduce == reduction::sum ? sum.value() : sum.value() / total;
    }
};

}  // namespace kldiv::detail
