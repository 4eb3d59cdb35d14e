#pragma once
// Poisson(rate): P(k) = rate^k e^−rate / k!; support {0, 1, …}.

#include <string_view>

namespace kldiv::distributions {

struct poisson {
    static constexpr std::string_view name = "poisson";

    double rate;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    explicit poisson(double rate);
};

}  // namespace kldiv::distributions
