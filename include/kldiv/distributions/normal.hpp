#pragma once
// Normal(loc, scale): density e^(−z²/2) / (scale √(2π)), z = (x − loc)/scale; support ℝ.

#include <string_view>

namespace kldiv::distributions {

struct normal {
    static constexpr std::string_view name = "normal";

    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    normal(double loc, double scale);
};

}  // namespace kldiv::distributions
