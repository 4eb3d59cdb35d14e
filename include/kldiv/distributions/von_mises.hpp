#pragma once
// VonMises(loc, concentration): density e^(κ cos(x − loc)) / (2π I0(κ)) on the circle
// (one period, [loc − π, loc + π)).

#include <string_view>

namespace kldiv::distributions {

struct von_mises {
    static constexpr std::string_view name = "von_mises";

    double loc;            // finite
    double concentration;  // κ ≥ 0

    // Throws kldiv::error unless the parameters are as stated above.
    von_mises(double loc, double concentration);
};

}  // namespace kldiv::distributions
