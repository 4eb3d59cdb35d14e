#pragma once
// Laplace(loc, scale): density e^(−|x − loc|/scale) / (2 scale); support ℝ.

#include <string_view>

namespace kldiv::distributions {

struct laplace {
    static constexpr std::string_view name = "laplace";

    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    laplace(double loc, double scale);
};

}  // namespace kldiv::distributions
