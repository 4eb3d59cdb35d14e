#pragma once
// LogNormal(loc, scale): e^X for X ~ Normal(loc, scale); support (0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct log_normal {
    static constexpr std::string_view name = "log_normal";

    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    log_normal(double loc, double scale);
};

}  // namespace kldiv::distributions
