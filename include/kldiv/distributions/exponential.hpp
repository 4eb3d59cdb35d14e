#pragma once
// Exponential(rate): density rate·e^(−rate·x); support [0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct exponential {
    static constexpr std::string_view name = "exponential";

    double rate;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    explicit exponential(double rate);
};

}  // namespace kldiv::distributions
