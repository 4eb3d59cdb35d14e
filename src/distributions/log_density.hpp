#pragma once
// ln p(x): the log density (the log pmf for the discrete families) of every family, at points of
// its space, with the normalizing constants computed once per distribution. −∞ outside the support.
//
// On the line a point is a real_point: x with ln x and ln(1 − x), which the caller may know better
// than x itself does. A double x cannot hold a point 1e-400 above 0 or 1e-20 below 1, where gamma
// with α < 1 and beta keep much of their mass (x^(α−1), (1 − x)^(b−1)): the quadrature integrates
// there in s = ln x or s = ln(1 − x) and passes s exactly, the samplers form ln x of a gamma or
// beta variate from its logarithm. Every family on (0, ∞) or [0, 1] reads ln x and ln(1 − x) from
// the point, never from x. Mixtures are evaluated by log-sum-exp over their components of weight
// > 0, so no density underflows before its logarithm is taken.
//
// For Monte Carlo every distribution's points are flat arrays of point_size(d) doubles:
//   univariate families and mixtures of them   {x, ln x, ln(1 − x)}
//   multinomial                                 the K counts
//   dirichlet, logistic_normal                  ln x_k for the K components (a component far below
//                                               1e-308 stays > 0)
//   independent                                 its components' points, one after another
//   the normal families, gaussian_mixture       the d coordinates
//   wishart                                     the lower Cholesky factor C of X = C Cᵀ, d × d row-major
// Densities are taken against counting measure (discrete families), Lebesgue measure on ℝ, on one
// period of the circle, on the first K − 1 coordinates of the simplex (dirichlet), on ℝ^d, and on
// the d(d+1)/2 entries of the symmetric matrix X (wishart): P and Q of one space share the measure,
// which is all ln(p/q) needs.

#include <cmath>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

struct real_point {
    double x;
    double log_x;            // NaN for x < 0
    double log_one_minus_x;  // NaN for x > 1
};
inline real_point at(double x) noexcept { return {x, std::log(x), std::log1p(-x)}; }

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
