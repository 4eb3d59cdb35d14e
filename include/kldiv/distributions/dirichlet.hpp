#pragma once
// Dirichlet(concentration): density Π x_k^(α_k − 1) / B(α) on the simplex of K ≥ 2 components.

#include <string_view>
#include <vector>

namespace kldiv::distributions {

struct dirichlet {
    static constexpr std::string_view name = "dirichlet";

    std::vector<double> concentration;  // each > 0, K ≥ 2

    // Throws kldiv::error unless the parameters are as stated above.
    explicit dirichlet(std::vector<double> concentration);
};

}  // namespace kldiv::distributions
