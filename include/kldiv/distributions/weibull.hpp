#pragma once
// Weibull(scale, concentration): density (k/λ)(x/λ)^(k−1) e^−(x/λ)^k; support [0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct weibull {
    static constexpr std::string_view name = "weibull";

    double scale;          // λ > 0
    double concentration;  // k > 0

    // Throws kldiv::error unless the parameters are as stated above.
    weibull(double scale, double concentration);
};

}  // namespace kldiv::distributions
