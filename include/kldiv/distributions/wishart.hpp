#pragma once
// Wishart(df, Σ) on d × d positive-definite matrices: X = Σ_{i ≤ df} z_i z_iᵀ, z_i ~ N(0, Σ), for
// integer df; any real df > d − 1 is allowed. Stored as the lower Cholesky factor L of Σ = L Lᵀ and
// built, like PyTorch's, from exactly one of Σ, Σ⁻¹ or L.

#include <optional>
#include <string_view>

#include "kldiv/distributions/matrix.hpp"

namespace kldiv::distributions {

struct wishart {
    static constexpr std::string_view name = "wishart";

    double df;                                                // ν > d − 1
    matrix scale_tril;                                        // d × d lower triangular, positive diagonal
    std::optional<matrix> given_covariance, given_precision;  // as given (as for multivariate_normal)

    // Each throws kldiv::error unless df > d − 1 and the matrix is valid (as for multivariate_normal).
    static wishart from_covariance(double df, const matrix& covariance);
    static wishart from_precision(double df, const matrix& precision);
    static wishart from_scale_tril(double df, matrix scale_tril);

    std::size_t dimension() const noexcept { return scale_tril.rows; }
    matrix covariance() const;  // L Lᵀ

private:
    wishart(double n, matrix s, std::optional<matrix> c = {}, std::optional<matrix> pr = {})
        : df(n), scale_tril(std::move(s)), given_covariance(std::move(c)), given_precision(std::move(pr)) {}
};

}  // namespace kldiv::distributions
