// The terms shared by the univariate closed forms (declared in closed_forms_univariate.hpp):
// elementary gaps that are ≥ 0 by convexity and computed without cancellation.
//
//   φ(u) = e^u − 1 − u                   phi(−u) of src/core/generators.hpp
//   B(a, h) = lnΓ(a+h) − lnΓ(a) − hψ(a)  with lnΓ(x) = lnΓ(x + n) − Σ_{i<n} ln(x + i) shifted to
//                                        x ≥ 10, and there lnΓ = G + ½ ln 2π + μ, G(x) = (x−½) ln x − x:
//       B = Σ_{i<n} φ(v_i) + B_G + B_μ,  v_i = ln((a+h+i)/(a+i)),
//       B_G(a, h) = a·ϕ(h/a) + ½ φ(ln(1 + h/a)),  ϕ(x) = (1+x) ln(1+x) − x,
//       B_μ(a, h) = Σ_j c_j a^(1−2j) [φ((1−2j) v) + (2j−1) φ(v)],  v = ln(1 + h/a),
//   where c_j = B_2j / (2j(2j−1)) are Stirling's coefficients (the Bregman divergence of x^−m is
//   a^−m [φ(−m v) + m φ(v)]). Every term but the alternating Stirling tail (|c_2/c_1| a^−2 < 1/3000)
//   is ≥ 0, so B keeps its relative precision for any h.
//   Continuous Bernoulli: ℓ(y) = ln(sinh y / y) = Σ_n 4^n B_2n y^2n / (2n (2n)!), by its series for
//   |y| < 1/2; its Bregman divergence by quadrature of ℓ'' ≥ 0 for nearby arguments.

#include "src/distributions/closed_forms_univariate.hpp"

#include "src/core/generators.hpp"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>

#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "src/core/terms.hpp"

namespace kldiv::distributions::detail::kl_terms {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// Overflow gives +∞ (the divergence is then beyond the double range), not an exception.
using quiet = boost::math::policies::policy<boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;

// Stirling's coefficients c_j = B_2j / (2j (2j − 1)), j = 1..8.
constexpr std::array<double, 8> stirling = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                                            1.0 / 1188, -691.0 / 360360, 1.0 / 156,  -3617.0 / 122400};
// Below this, ln Γ is shifted up by its recurrence before Stirling's series is used; there the
// series' first omitted term is below 1e-16 of μ.
constexpr double stirling_threshold = 10.0;

// B_G(a, b): the Bregman divergence of G(x) = (x − ½) ln x − x, with v = ln(b/a):
// a ϕ(h/a) + ½ φ(v), where a ϕ(h/a) = b v − h is formed directly for b ≥ 2a (no overflow of h/a).
double stirling_part(double a, double b, double h, double v) noexcept {
    const double main = b <= 2.0 * a ? a * kldiv::detail::kl_generator(h / a) : b * v - h;
    return main + 0.5 * exp_gap(v);
}

// B_μ(a, b) for a, b ≥ stirling_threshold, from Stirling's series (smallest terms first); the
// Bregman divergence of x^−m is a^−m φ(−m v) + m a^−m φ(v), and a^−m φ(−m v) = b^−m − a^−m (1 − m v)
// is formed directly where m v < −2 (no overflow of e^(−m v)).
double stirling_bregman(double a, double b, double v) noexcept {
    const double inverse_square = 1.0 / (a * a);
    std::array<double, stirling.size()> terms{};
    double power = 1.0 / a;  // a^−m, m = 2j − 1
    for (std::size_t j = 0; j < stirling.size(); ++j) {
        const double m = static_cast<double>(2 * j + 1);
        const double down = m * v >= -2.0 ? power * exp_gap(-m * v) : std::pow(b, -m) - power * (1.0 - m * v);
        terms[j] = stirling[j] * (down + m * power * exp_gap(v));
        power *= inverse_square;
    }
    double sum = 0.0;
    for (std::size_t j = terms.size(); j-- > 0;) sum += terms[j];
    return sum;
}

// Taylor coefficients a_n = 4^n B_2n / (2n (2n)!) of ℓ(y) = ln(sinh y / y) = Σ a_n y^2n.
constexpr std::array<double, 12> log_sinhc_series = {
    0.16666666666666666667,   -0.0055555555555555555556,  0.00035273368606701940035, -0.000026455026455026455026,
    2.1377799155576933355e-6, -1.8036702340053310071e-7,  1.5661391322766984143e-8,  -1.3884130493737299423e-9,
    1.250435917600499603e-10, -1.1402575602296091433e-11, 1.0502923908637556408e-12, -9.7548778415937016497e-14};
// Below this |y| the series is used: its terms fall by (y/π)² < 0.026 each, 12 of them reach 1e-19.
constexpr double log_sinhc_series_limit = 0.5;

// Σ_n a_n·(2n)!/(2n − k)! · y^(2n − k): the k-th derivative of ℓ by its series (k ≤ 2).
double log_sinhc_by_series(double y, int k) noexcept {
    const double y2 = y * y;
    double sum = 0.0;
    for (std::size_t i = log_sinhc_series.size(); i-- > 0;) {
        const double n2 = static_cast<double>(2 * (i + 1));
        double c = log_sinhc_series[i];
        if (k >= 1) c *= n2;
        if (k >= 2) c *= n2 - 1.0;
        sum = sum * y2 + c;
    }
    // sum = Σ c_n y^(2n − 2); restore the power y^(2 − k).
    if (k == 0) return sum * y2;
    if (k == 1) return sum * y;
    return sum;
}

}  // namespace

double exp_gap(double u) noexcept { return kldiv::detail::phi(-u); }

double log_ratio(double x, double y) noexcept { return log_ratio(x, y, x - y); }

double log_ratio(double x, double y, double x_minus_y) noexcept {
    if (x >= 0.5 * y && x <= 2.0 * y) return std::log1p(x_minus_y / y);
    const double r = x / y;
    if (r >= DBL_MIN && r <= DBL_MAX) return std::log(r);  // |ln r| ≥ ln 2: the rounding of r is harmless
    return std::log(x) - std::log(y);
}

double log_product(double x, double y) noexcept {
    const double p = x * y;
    if (!(p >= DBL_MIN && p <= DBL_MAX)) return std::log(x) + std::log(y);
    const double e = std::fma(x, y, -p);  // x·y = p + e exactly
    if (p >= 0.5 && p <= 2.0) return std::log1p((p - 1.0) + e);
    return std::log(p) + e / p;
}

double difference_of_products(double a, double b, double c, double d) noexcept {
    const double cd = c * d;
    const double error = std::fma(-c, d, cd);  // cd − c·d exactly
    return std::fma(a, b, -cd) + error;
}

double log_ratio_of_products(double a, double b, double c, double d) noexcept {
    const double x = a * b, y = c * d;
    if (x >= DBL_MIN && x <= DBL_MAX && y >= DBL_MIN && y <= DBL_MAX)
        return log_ratio(x, y, difference_of_products(a, b, c, d));
    return (std::log(a) + std::log(b)) - (std::log(c) + std::log(d));
}

double kl_term(double x, double y, double x_minus_y) noexcept {
    if (x == 0.0) return y;
    if (y == 0.0) return infinity;
    const double delta = x_minus_y / y;
    if (delta <= 1.0) return y * kldiv::detail::kl_generator(std::fmax(delta, -1.0));
    // x ≥ 2y: x (ln(x/y) − 1) + y does not cancel.
    return x * (log_ratio(x, y, x_minus_y) - 1.0) + y;
}

double bernoulli_kl(double x, double y, double x_minus_y, double x_complement, double y_complement) noexcept {
    return kl_term(x, y, x_minus_y) + kl_term(x_complement, y_complement, -x_minus_y);
}

double log_gamma(double x) { return boost::math::lgamma(x, quiet()); }
double digamma(double x) { return boost::math::digamma(x, quiet()); }
double trigamma(double x) { return boost::math::trigamma(x, quiet()); }

double lgamma_bregman(double a, double b, double h) {
    if (h == 0.0) return 0.0;
    const double low = std::min(a, b);
    double sum = 0.0, shift = 0.0;
    if (low < stirling_threshold) {
        shift = std::ceil(stirling_threshold - low);
        for (double i = 0.0; i < shift; i += 1.0) sum += exp_gap(log_ratio(b + i, a + i, h));
    }
    const double as = a + shift, bs = b + shift, v = log_ratio(bs, as, h);
    return sum + stirling_part(as, bs, h, v) + stirling_bregman(as, bs, v);
}

double lgamma_difference(double a, double b, double h) {
    if (std::fabs(h) <= 0.5 * a) return h * digamma(a) + lgamma_bregman(a, b, h);
    return log_gamma(b) - log_gamma(a);
}

double binet(double x) {
    if (x >= stirling_threshold) {
        const double inverse_square = 1.0 / (x * x);
        double sum = 0.0;
        for (std::size_t j = stirling.size(); j-- > 0;) sum = sum * inverse_square + stirling[j];
        return sum / x;
    }
    return log_gamma(x) - (x - 0.5) * std::log(x) + x - 0.5 * std::log(2.0 * std::numbers::pi);
}

double binet_derivative(double x) {
    if (x >= stirling_threshold) {
        const double inverse_square = 1.0 / (x * x);
        double sum = 0.0;
        for (std::size_t j = stirling.size(); j-- > 0;)
            sum = sum * inverse_square - static_cast<double>(2 * j + 1) * stirling[j];
        return sum * inverse_square;
    }
    return digamma(x) - std::log(x) + 0.5 / x;
}

double binet_second_derivative(double x) {
    if (x >= stirling_threshold) {
        const double inverse_square = 1.0 / (x * x);
        double sum = 0.0;
        for (std::size_t j = stirling.size(); j-- > 0;) {
            const double m = static_cast<double>(2 * j + 1);
            sum = sum * inverse_square + m * (m + 1.0) * stirling[j];
        }
        return sum * inverse_square / x;
    }
    if (x < 1.0) return (0.5 / x - 1.0) / x + trigamma(x + 1.0);  // ψ'(x) = ψ'(x + 1) + 1/x²
    return trigamma(x) - 1.0 / x - 0.5 / (x * x);
}

double binet_bregman(double a, double b, double h) {
    const double v = log_ratio(b, a, h);
    if (std::min(a, b) >= stirling_threshold) return stirling_bregman(a, b, v);
    // Nearby points below the threshold: B_lnΓ − B_G cancels by at most a factor of about 6·20².
    if (std::max(a, b) <= 2.0 * std::min(a, b)) return lgamma_bregman(a, b, h) - stirling_part(a, b, h, v);
    // Far apart the divergence is of the size of its terms.
    return binet(b) - binet(a) - h * binet_derivative(a);
}

double gamma_negentropy(double alpha) {
    return -0.5 * (std::log(2.0 * std::numbers::pi) + std::log(alpha)) - 0.5 + 0.5 / alpha - binet(alpha) +
           (alpha - 1.0) * binet_derivative(alpha);
}

double uniform_mean_log(double low, double high) noexcept {
    // E[ln(high/X)] = ϕ(−ε)/ε with ε = (high − low)/high, ϕ(x) = (1+x) ln(1+x) − x.
    const double epsilon = (high - low) / high;
    return std::log(high) - kldiv::detail::kl_generator(-epsilon) / epsilon;
}

double log_sinhc(double y) noexcept {
    const double a = std::fabs(y);
    if (a < log_sinhc_series_limit) return log_sinhc_by_series(a, 0);
    return a - std::log(2.0 * a) + std::log1p(-std::exp(-2.0 * a));
}

double log_sinhc_derivative(double y) noexcept {
    if (std::fabs(y) < log_sinhc_series_limit) return log_sinhc_by_series(y, 1);
    return 1.0 / std::tanh(y) - 1.0 / y;
}

double log_sinhc_second_derivative(double y) noexcept {
    if (std::fabs(y) < log_sinhc_series_limit) return log_sinhc_by_series(y, 2);
    const double s = std::sinh(y);
    return 1.0 / (y * y) - 1.0 / (s * s);
}

double log_sinhc_bregman(double y1, double d) {
    // ℓ'' has its nearest poles at ±iπ, and behaves like 1/y² far out: the quadrature is accurate
    // where |d| ≤ max(1/2, |y1|/2); farther apart the divergence is large enough to be formed directly.
    if (std::fabs(d) <= 0.5 * std::max(1.0, std::fabs(y1)))
        return bregman_by_quadrature(log_sinhc_second_derivative, y1, d);
    return log_sinhc(y1 + d) - log_sinhc(y1) - d * log_sinhc_derivative(y1);
}

double continuous_bernoulli_y(double probs) noexcept {
    return 0.5 * log_ratio(probs, 1.0 - probs, 2.0 * probs - 1.0);  // 2λ − 1 is exact near λ = ½
}

double continuous_bernoulli_y_difference(double probs1, double probs2) noexcept {
    const double d = probs2 - probs1;
    return 0.5 * (log_ratio(probs2, probs1, d) - log_ratio(1.0 - probs2, 1.0 - probs1, -d));
}

double bregman_by_quadrature(double (*second_derivative)(double), double x, double d) {
    using rule = boost::math::quadrature::gauss<double, 20>;
    // ∫₀¹ (1 − s) f''(x + s d) ds with s = (1 ± t)/2.
    double sum = 0.0;
    for (std::size_t i = 0; i < rule::abscissa().size(); ++i) {
        const double t = rule::abscissa()[i], w = rule::weights()[i];
        const double s_low = 0.5 * (1.0 - t), s_high = 0.5 * (1.0 + t);
        sum +=
            w * ((1.0 - s_low) * second_derivative(x + s_low * d) + (1.0 - s_high) * second_derivative(x + s_high * d));
    }
    return 0.5 * sum * d * d;
}

}  // namespace kldiv::distributions::detail::kl_terms
