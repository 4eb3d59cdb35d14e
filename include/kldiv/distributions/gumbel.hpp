#pragma once
// Gumbel(loc, scale): density e^−(z + e^−z) / scale, z = (x − loc)/scale; support ℝ.

#include <string_view>

namespace kldiv::distributions {

struct gumbel {
    static constexpr std::string_view name = "gumbel";

    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    gumbel(double loc, double scale);
};

}  // namespace kldiv::distributions
