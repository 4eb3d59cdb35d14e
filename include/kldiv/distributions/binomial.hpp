#pragma once
// Binomial(total_count, probs): successes in n trials; support {0, …, n}.

#include <cstdint>
#include <string_view>

namespace kldiv::distributions {

struct binomial {
    static constexpr std::string_view name = "binomial";

    std::uint64_t total_count;  // n ≥ 0
    double probs;               // in [0, 1]

    // Throws kldiv::error unless the parameters are as stated above.
    binomial(std::uint64_t total_count, double probs);
};

}  // namespace kldiv::distributions
