#pragma once
// LowRankMultivariateNormal(loc, W, D) on ℝ^d: covariance Σ = W Wᵀ + diag(D) with W of size d × r,
// as in PyTorch. Its divergences cost O(d r²) instead of O(d³).

#include <string_view>
#include <vector>

#include "kldiv/distributions/matrix.hpp"

namespace kldiv::distributions {

struct lowrank_multivariate_normal {
    static constexpr std::string_view name = "lowrank_multivariate_normal";

    std::vector<double> loc;       // d ≥ 1, finite
    matrix cov_factor;             // W: d × r, r ≥ 1, finite
    std::vector<double> cov_diag;  // D: d values, each > 0

    // Throws kldiv::error unless the shapes agree and the values are as stated above.
    lowrank_multivariate_normal(std::vector<double> loc, matrix cov_factor, std::vector<double> cov_diag);

    std::size_t dimension() const noexcept { return loc.size(); }
    matrix covariance() const;  // W Wᵀ + diag(D)
};

}  // namespace kldiv::distributions
