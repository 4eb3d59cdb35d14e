#pragma once
// ContinuousBernoulli(probs) (Loaiza-Ganem & Cunningham 2019): density C(λ) λ^x (1 − λ)^(1−x) on [0, 1],
// C(λ) = 2 artanh(1 − 2λ) / (1 − 2λ) (2 at λ = 1/2).

#include <string_view>

namespace kldiv::distributions {

struct continuous_bernoulli {
    static constexpr std::string_view name = "continuous_bernoulli";

    double probs;  // λ in (0, 1)

    // Throws kldiv::error unless the parameters are as stated above.
    explicit continuous_bernoulli(double probs);
};

}  // namespace kldiv::distributions
