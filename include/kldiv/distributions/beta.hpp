#pragma once
// Beta(concentration1, concentration0): density x^(a−1) (1 − x)^(b−1) / B(a, b); support [0, 1].

#include <string_view>

namespace kldiv::distributions {

struct beta {
    static constexpr std::string_view name = "beta";

    double concentration1;  // a > 0
    double concentration0;  // b > 0

    // Throws kldiv::error unless the parameters are as stated above.
    beta(double concentration1, double concentration0);
};

}  // namespace kldiv::distributions
