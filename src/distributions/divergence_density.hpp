#pragma once
// The integrand (summand) of D(P‖Q) in non-negative form, from ln p and ln q at one point:
//   t = q − p + p·v = p·φ(v),  v = ln p − ln q,  φ(v) = e^−v − 1 + v ≥ 0,
// which integrates to D over P's support (∫ q − p there is −Q(outside), which the caller adds
// back) and does not cancel when P ≈ Q: φ is evaluated by its series for small |v|. Where q ≫ p
// (v < −1) it is formed as q·(1 − e^v (1 − v)), the factor in (0.26, 1]; where a density exceeds
// e^700 through its logarithm. p = 0 gives q; p > 0 = q gives +∞. Where p is below the smallest
// double (far in a tail, where a log density may have saturated at −∞: Gumbel's ln q = −e^−z) the
// term is taken as q: p·v is then below 1e-300 unless |ln q| > 1e300, which the tail rules of
// tails.hpp exclude wherever D is finite.
//
// rounding is a bound on the error of t from the errors of ln p and ln q (each taken as
// 4 eps·(|ln| + 1), what evaluating a log density costs): since ∂t/∂ln p = p·v and
// ∂t/∂ln q = q − p, it is 4 eps·(|p v|(|ln p| + 1) + |q − p|(|ln q| + 1)). Relative to t it is
// about 8 eps·|ln p|/|v| for small v: the limit on the accuracy of D when P and Q nearly agree.

#include <cfloat>
#include <cmath>
#include <limits>

#include "src/core/generators.hpp"

namespace kldiv::distributions::detail {

struct divergence_term {
    double value;
    double rounding;
};

inline divergence_term divergence_density(double log_p, double log_q) noexcept {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    constexpr double big = 700.0;  // e^700 < DBL_MAX
    if (std::exp(log_p) == 0.0) {  // p = 0, or p·v < 1e-300 unless ln q < −1e300
        const double q = std::exp(log_q);
        return {q, q == 0.0 ? 0.0 : 4 * DBL_EPSILON * q * (std::fabs(log_q) + 1)};
    }
    if (log_q == -infinity) return {infinity, 0.0};
    const double v = log_p - log_q;
    double t;
    if (v < -1.0) {
        const double f = -std::expm1(v) + std::exp(v) * v;  // 1 − e^v (1 − v)
        t = log_q > big ? std::exp(log_q + std::log(f)) : std::exp(log_q) * f;
    } else {
        const double f = kldiv::detail::phi(v);
        t = log_p > big ? std::exp(log_p + std::log(f)) : std::exp(log_p) * f;
    }
    if (log_p > big || log_q > big) return {t, 4 * DBL_EPSILON * t * (std::fabs(log_p) + std::fabs(log_q) + 2)};
    const double p = std::exp(log_p), q = std::exp(log_q);
    return {t,
            4 * DBL_EPSILON * (std::fabs(p * v) * (std::fabs(log_p) + 1) + std::fabs(q - p) * (std::fabs(log_q) + 1))};
}

}  // namespace kldiv::distributions::detail
