#pragma once
// HalfNormal(scale): |X| for X ~ Normal(0, scale); support [0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct half_normal {
    static constexpr std::string_view name = "half_normal";

    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    explicit half_normal(double scale);
};

}  // namespace kldiv::distributions
