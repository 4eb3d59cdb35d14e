#pragma once
// Geometric(probs): failures before the first success, P(k) = (1 − p)^k p; support {0, 1, …}.

#include <string_view>

namespace kldiv::distributions {

struct geometric {
    static constexpr std::string_view name = "geometric";

    double probs;  // in (0, 1]

    // Throws kldiv::error unless the parameters are as stated above.
    explicit geometric(double probs);
};

}  // namespace kldiv::distributions
