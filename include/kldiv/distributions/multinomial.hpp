#pragma once
// Multinomial(total_count, probs): counts of K categories in n draws; support: count vectors
// summing to n. The probabilities are normalized on construction, like Categorical's.

#include <cstdint>
#include <string_view>
#include <vector>

namespace kldiv::distributions {

struct multinomial {
    static constexpr std::string_view name = "multinomial";

    std::uint64_t total_count;    // n ≥ 0
    std::vector<double> probs;    // normalized, K ≥ 1
    std::vector<double> weights;  // probs as given, before normalizing (as for categorical)

    // Throws kldiv::error unless the parameters are as stated above.
    multinomial(std::uint64_t total_count, std::vector<double> probs);
};

}  // namespace kldiv::distributions
