#pragma once
// InverseGamma(concentration, rate): 1/X for X ~ Gamma(concentration, rate), density
// β^α x^(−α−1) e^(−β/x) / Γ(α); support (0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct inverse_gamma {
    static constexpr std::string_view name = "inverse_gamma";

    double concentration;  // α > 0
    double rate;           // β > 0

    // Throws kldiv::error unless the parameters are as stated above.
    inverse_gamma(double concentration, double rate);
};

}  // namespace kldiv::distributions
