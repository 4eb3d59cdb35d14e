#pragma once
// NegativeBinomial(total_count, probs) as in PyTorch: successes before total_count failures,
// P(k) = C(k + r − 1, k) (1 − p)^r p^k with real r > 0; support {0, 1, …}.

#include <string_view>

namespace kldiv::distributions {

struct negative_binomial {
    static constexpr std::string_view name = "negative_binomial";

    double total_count;  // r > 0
    double probs;        // in [0, 1)

    // Throws kldiv::error unless the parameters are as stated above.
    negative_binomial(double total_count, double probs);
};

}  // namespace kldiv::distributions
