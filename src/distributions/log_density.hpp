#pragma once
// ln p(x): the log density (the log pmf for the discrete families) of every family, at points of
// its space, with the normalizing constants computed once per distribution. −∞ outside the support.
//
// On the line a point is a real_point: x, and 1 − x where the caller knows it better than
// 1 − x rounded (a double next to 1 cannot hold a distance below 1.1e-16 from 1, and beta's
// (1 − x)^(b−1) needs it: the quadrature passes the exact distance to the end of its interval, the
// sampler the exact complement). Mixtures are evaluated by log-sum-exp over their components of
// weight > 0, so no density underflows before its logarithm is taken.
//
// For Monte Carlo every distribution's points are flat arrays of point_size(d) doubles:
//   univariate families and mixtures of them   {x, 1 − x}
//   multinomial                                 the K counts
//   dirichlet                                   ln x_k for the K components (a component far below
//                                               1e-308 stays > 0)
//   the normal families, gaussian_mixture       the d coordinates
//   wishart                                     the lower Cholesky factor C of X = C Cᵀ, d × d row-major
// Densities are taken against counting measure (discrete families), Lebesgue measure on ℝ, on one
// period of the circle, on the first K − 1 coordinates of the simplex (dirichlet), on ℝ^d, and on
// the d(d+1)/2 entries of the symmetric matrix X (wishart): P and Q of one space share the measure,
// which is all ln(p/q) needs.

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

struct real_point {
    double x;
    double one_minus_x;
};
inline real_point at(double x) noexcept { return {x, 1.0 - x}; }

// ln p on the line (or the circle) for a univariate family or a mixture of them.
class line_density {
public:
    explicit line_density(const distribution& d);
    explicit line_density(const univariate& d);
    double operator()(real_point x) const;

private:
    std::vector<double> log_weights_;
    std::vector<std::function<double(real_point)>> components_;
};

using point_log_density = std::function<double(std::span<const double>)>;

// The number of doubles in one point of d's space (see above).
std::size_t point_size(const distribution& d);

// ln p at a point of d's space; safe to call from several threads at once.
point_log_density log_density_function(const distribution& d);

}  // namespace kldiv::distributions::detail
