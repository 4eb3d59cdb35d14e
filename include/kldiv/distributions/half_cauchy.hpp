#pragma once
// HalfCauchy(scale): |X| for X ~ Cauchy(0, scale); density 2 / (π scale (1 + (x/scale)²)), support
// [0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct half_cauchy {
    static constexpr std::string_view name = "half_cauchy";

    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    explicit half_cauchy(double scale);
};

}  // namespace kldiv::distributions
