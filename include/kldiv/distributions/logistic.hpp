#pragma once
// Logistic(loc, scale): density e^−z / (scale (1 + e^−z)²), z = (x − loc)/scale; support ℝ.

#include <string_view>

namespace kldiv::distributions {

struct logistic {
    static constexpr std::string_view name = "logistic";

    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    logistic(double loc, double scale);
};

}  // namespace kldiv::distributions
