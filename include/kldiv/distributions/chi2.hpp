#pragma once
// Chi2(df): Gamma(df/2, 1/2); support (0, ∞).

#include <string_view>

namespace kldiv::distributions {

struct chi2 {
    static constexpr std::string_view name = "chi2";

    double df;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    explicit chi2(double df);
};

}  // namespace kldiv::distributions
