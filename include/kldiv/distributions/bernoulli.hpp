#pragma once
// Bernoulli(probs): P(1) = probs, P(0) = 1 − probs; support {0, 1}.

#include <string_view>

namespace kldiv::distributions {

struct bernoulli {
    static constexpr std::string_view name = "bernoulli";

    double probs;  // in [0, 1]

    // Throws kldiv::error unless the parameters are as stated above.
    explicit bernoulli(double probs);
};

}  // namespace kldiv::distributions
