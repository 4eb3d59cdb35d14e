#pragma once
// Categorical(probs): P(k) = probs[k]; support {0, …, K − 1}. The probabilities are normalized
// on construction (like PyTorch): they must be finite, ≥ 0 and not all 0.

#include <string_view>
#include <vector>

namespace kldiv::distributions {

struct categorical {
    static constexpr std::string_view name = "categorical";

    std::vector<double> probs;    // normalized, K ≥ 1
    std::vector<double> weights;  // probs as given, before normalizing: the closed forms compare
                                  // these, free of the normalization's rounding

    // Throws kldiv::error unless the parameters are as stated above.
    explicit categorical(std::vector<double> probs);
};

}  // namespace kldiv::distributions
