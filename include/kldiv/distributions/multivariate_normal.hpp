#pragma once
// MultivariateNormal(loc, Σ) on ℝ^d, stored as the lower Cholesky factor L of Σ = L Lᵀ. Built, like
// PyTorch's, from exactly one of the covariance matrix, the precision matrix Σ⁻¹ or L itself.

#include <optional>
#include <string_view>
#include <vector>

#include "kldiv/distributions/matrix.hpp"

namespace kldiv::distributions {

struct multivariate_normal {
    static constexpr std::string_view name = "multivariate_normal";

    std::vector<double> loc;  // d ≥ 1, finite
    matrix scale_tril;        // d × d lower triangular, positive diagonal
    // The matrix exactly as given to from_covariance or from_precision (the other empty; both empty
    // for from_scale_tril): two normals given the same way are compared by the exact difference of
    // these matrices, which the rounding of the factorization would swamp where they nearly agree.
    std::optional<matrix> given_covariance, given_precision;

    // Each throws kldiv::error unless loc is finite and the matrix is d × d, finite, symmetric (to
    // 1e-10 relative) and positive definite (or, for scale_tril, lower triangular with a positive
    // diagonal).
    static multivariate_normal from_covariance(std::vector<double> loc, const matrix& covariance);
    static multivariate_normal from_precision(std::vector<double> loc, const matrix& precision);
    static multivariate_normal from_scale_tril(std::vector<double> loc, matrix scale_tril);

    std::size_t dimension() const noexcept { return loc.size(); }
    matrix covariance() const;  // L Lᵀ

private:
    multivariate_normal(std::vector<double> l, matrix s, std::optional<matrix> c = {}, std::optional<matrix> pr = {})
        : loc(std::move(l)), scale_tril(std::move(s)), given_covariance(std::move(c)), given_precision(std::move(pr)) {}
};

}  // namespace kldiv::distributions
