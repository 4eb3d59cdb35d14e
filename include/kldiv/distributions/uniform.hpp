#pragma once
// Uniform(low, high): density 1 / (high − low) on [low, high].

#include <string_view>

namespace kldiv::distributions {

struct uniform {
    static constexpr std::string_view name = "uniform";

    double low;   // finite
    double high;  // finite, > low

    // Throws kldiv::error unless the parameters are as stated above.
    uniform(double low, double high);
};

}  // namespace kldiv::distributions
