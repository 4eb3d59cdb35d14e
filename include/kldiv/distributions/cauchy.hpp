#pragma once
// Cauchy(loc, scale): density 1 / (π scale (1 + z²)), z = (x − loc)/scale; support ℝ.

#include <string_view>

namespace kldiv::distributions {

struct cauchy {
    static constexpr std::string_view name = "cauchy";

    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    cauchy(double loc, double scale);
};

}  // namespace kldiv::distributions
