#pragma once
// Pareto(scale, alpha): density α s^α / x^(α+1); support [s, ∞).

#include <string_view>

namespace kldiv::distributions {

struct pareto {
    static constexpr std::string_view name = "pareto";

    double scale;  // s > 0
    double alpha;  // α > 0

    // Throws kldiv::error unless the parameters are as stated above.
    pareto(double scale, double alpha);
};

}  // namespace kldiv::distributions
