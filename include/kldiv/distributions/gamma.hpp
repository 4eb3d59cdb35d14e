#pragma once
// Gamma(concentration, rate): density β^α x^(α−1) e^(−βx) / Γ(α); support (0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct gamma {
    static constexpr std::string_view name = "gamma";

    double concentration;  // α > 0
    double rate;           // β > 0

    // Throws kldiv::error unless the parameters are as stated above.
    gamma(double concentration, double rate);
};

}  // namespace kldiv::distributions
