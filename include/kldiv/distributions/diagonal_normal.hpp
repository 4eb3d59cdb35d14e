#pragma once
// DiagonalNormal(loc, scale) on ℝ^d: independent normals, Σ = diag(scale²); PyTorch writes it
// Independent(Normal(loc, scale), 1).

#include <string_view>
#include <vector>

#include "kldiv/distributions/matrix.hpp"

namespace kldiv::distributions {

struct diagonal_normal {
    static constexpr std::string_view name = "diagonal_normal";

    std::vector<double> loc;    // d ≥ 1, finite
    std::vector<double> scale;  // d values, each > 0

    // Throws kldiv::error unless the sizes agree and the values are as stated above.
    diagonal_normal(std::vector<double> loc, std::vector<double> scale);

    std::size_t dimension() const noexcept { return loc.size(); }
    matrix covariance() const;  // diag(scale²)
};

}  // namespace kldiv::distributions
