// Closed forms of D(P‖Q) for Q on the half-line (gamma and its special cases exponential and chi2,
// inverse gamma, Weibull, log-normal, half-normal, Pareto), in nats.
// φ(u) = e^u − 1 − u ≥ 0; ϕ(x) = (1+x) ln(1+x) − x ≥ 0; B(a, h) = lnΓ(a+h) − lnΓ(a) − hψ(a) ≥ 0;
// μ is Binet's function (lnΓ less Stirling's approximation) and B_μ its Bregman divergence.
//
// Cancellation-free (every term ≥ 0, exactly 0 for P = Q):
//   Gamma(α1, β1) ‖ Gamma(α2, β2)   α2 φ(ln(m1/m2)) + ½ φ(ln(α2/α1)) + B_μ(α1, α2 − α1),  m = α/β the
//                                   means (the textbook form cancels to 1/α of its terms for large α)
//   Pareto(s1, α1) ‖ Pareto(s2, α2) φ(ln(α2/α1)) + α2 ln(s1/s2)
//   LogNormal(μ, σ) ‖ Gamma(a, b)   a φ(μ + ln(b/a) + σ²/2) + ½ φ(ln(aσ²)) + μ(a)
//   exponential, chi2 and inverse gamma same-family pairs forward to gamma.
// Near their common member (the exponential), in the shape offsets a = α − 1, c = k − 1 or 1/k − 1:
//   Gamma(α, β) ‖ Weibull(λ, k)     φ(w) + B(α+1, k−1) + B(α, 1−α) + φ(ln(k/α)) − (α−1)²/α,
//                                   w = lnΓ(α+k) − lnΓ(α) − k ln(βλ)
//   Weibull(λ, k) ‖ Gamma(α, β)     α φ(w) + a B(2, c) + a c + B(1, c) + B(1, a) − ϕ(a),
//                                   w = ln(βλ/α) + lnΓ(1 + 1/k), c = 1/k − 1
//   are sums of accurate terms whose quadratic form in (a, c) is positive definite; they cancel by at
//   most a bounded factor (about 200 in the worst direction), not to rounding noise. For α ≥ 4 the
//   shape remainders are regrouped through −H(Gamma(α, 1)) and μ(α), without terms of size α ln α.
// The other pairs are P's entropy and expectations against Q's log-density, each written as
// Q's shape-free scale term (a φ(ln(scale ratio)) ≥ 0) plus a shape remainder; where that remainder
// tends to 0 for large shapes, or has terms of size α ln α, it is formed from Binet's function instead
// of lnΓ and ψ (P against gamma: a φ(w) + μ(a) + ½ ln(2π/a) + a·(ln E[X] − E[ln X]) + E[ln X] − H(P)):
//   Gamma(α, β) ‖ InverseGamma(a, b)  a φ(ln(bβ/((α−1)a))) + ½ φ(ln(a/α)) + a φ(ln(1 − 1/α))
//                                     + B_μ(α, a − α) + 2a μ'(α)        (+∞ for α ≤ 1)
//   Gamma(α, β) ‖ LogNormal(μ, σ)     ½ φ(ln(ψ'(α)/σ²)) + (ψ(α) − ln β − μ)²/(2σ²) + ½ ln(αψ'(α)) − μ(α) + α μ'(α),
//                                     αψ'(α) = 1 + 1/(2α) + α μ''(α)

#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>

#include "src/core/terms.hpp"
#include "src/distributions/closed_forms_univariate.hpp"

namespace kldiv::distributions::detail {
namespace {

using namespace kl_terms;

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double euler_gamma = std::numbers::egamma;

gamma as_gamma(const exponential& d) { return {1.0, d.rate}; }
gamma as_gamma(const chi2& d) { return {0.5 * d.df, 0.5}; }
gamma as_gamma(const inverse_gamma& d) { return {d.concentration, d.rate}; }

// −H(P) + lnΓ(a) − a ln b − (a − 1) E[ln X] + b E[X] = D(P ‖ Gamma(a, b)) for P with ln E[X], the
// Jensen gap ln E[X] − E[ln X] ≥ 0 and E[ln X] − H(P), written as
//   a φ(w) + μ(a) + ½ ln(2π/a) + a (ln E[X] − E[ln X]) + E[ln X] − H(P),   b E[X] = a e^w.
double to_gamma(double log_mean, double jensen_gap, double mean_log_minus_entropy, const gamma& q) {
    const double a = q.concentration;
    return a * exp_gap(log_ratio(q.rate, a) + log_mean) + binet(a) + 0.5 * std::log(2.0 * std::numbers::pi / a) +
           a * jensen_gap + mean_log_minus_entropy;
}

}  // namespace

// ---- Q gamma, exponential, chi2

std::optional<double> closed_form(const gamma& p, const gamma& q) {
    const double log_mean_ratio = log_ratio_of_products(p.concentration, q.rate, q.concentration, p.rate);
    return q.concentration * exp_gap(log_mean_ratio) + 0.5 * exp_gap(log_ratio(q.concentration, p.concentration)) +
           binet_bregman(p.concentration, q.concentration, q.concentration - p.concentration);
}

std::optional<double> closed_form(const gamma& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const gamma& p, const chi2& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const exponential& p, const gamma& q) { return closed_form(as_gamma(p), q); }
std::optional<double> closed_form(const exponential& p, const exponential& q) {
    return closed_form(as_gamma(p), as_gamma(q));
}
std::optional<double> closed_form(const exponential& p, const chi2& q) { return closed_form(as_gamma(p), as_gamma(q)); }
std::optional<double> closed_form(const chi2& p, const gamma& q) { return closed_form(as_gamma(p), q); }
std::optional<double> closed_form(const chi2& p, const exponential& q) { return closed_form(as_gamma(p), as_gamma(q)); }
std::optional<double> closed_form(const chi2& p, const chi2& q) { return closed_form(as_gamma(p), as_gamma(q)); }

// 1/X maps InverseGamma(α, β) to Gamma(α, β).
std::optional<double> closed_form(const inverse_gamma& p, const inverse_gamma& q) {
    return closed_form(as_gamma(p), as_gamma(q));
}

// ---- Q inverse gamma (and P inverse gamma against gamma, by 1/X)

std::optional<double> closed_form(const gamma& p, const inverse_gamma& q) {
    const double alpha = p.concentration, a = q.concentration;
    if (alpha <= 1.0) return infinity;  // E_P[1/X] = ∞
    const double log_z = log_ratio_of_products(q.rate, p.rate, alpha - 1.0, a);
    return a * exp_gap(log_z) + 0.5 * exp_gap(log_ratio(a, alpha)) + a * exp_gap(std::log1p(-1.0 / alpha)) +
           binet_bregman(alpha, a, a - alpha) + 2.0 * a * binet_derivative(alpha);
}

std::optional<double> closed_form(const exponential& p, const inverse_gamma& q) { return closed_form(as_gamma(p), q); }
std::optional<double> closed_form(const chi2& p, const inverse_gamma& q) { return closed_form(as_gamma(p), q); }

std::optional<double> closed_form(const inverse_gamma& p, const gamma& q) {
    return closed_form(as_gamma(p), inverse_gamma(q.concentration, q.rate));
}
std::optional<double> closed_form(const inverse_gamma& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const inverse_gamma& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

// ---- Q Weibull, and Weibull against gamma

std::optional<double> closed_form(const gamma& p, const weibull& q) {
    const double alpha = p.concentration, k = q.concentration;
    // lnΓ(α + k) − lnΓ(α) = ln α + [lnΓ(α + 1 + (k − 1)) − lnΓ(α + 1)], accurate near α = k = 1.
    const double w =
        std::log(alpha) + lgamma_difference(alpha + 1.0, alpha + k, k - 1.0) - k * log_product(p.rate, q.scale);
    const double a = alpha - 1.0;
    const double rest = exp_gap(w) + lgamma_bregman(alpha + 1.0, alpha + k, k - 1.0) + exp_gap(log_ratio(k, alpha));
    // B(α, 1 − α) − (α − 1)²/α = −H(Gamma(α, 1)) + 2 − 1/α: the second form has no terms of size α for
    // large α, the first keeps the relative precision near α = k = 1.
    if (alpha >= 4.0) return rest + gamma_negentropy(alpha) + 2.0 - 1.0 / alpha;
    return rest + lgamma_bregman(alpha, 1.0, -a) - a * a / alpha;
}

std::optional<double> closed_form(const exponential& p, const weibull& q) { return closed_form(as_gamma(p), q); }
std::optional<double> closed_form(const chi2& p, const weibull& q) { return closed_form(as_gamma(p), q); }

std::optional<double> closed_form(const weibull& p, const gamma& q) {
    const double alpha = q.concentration, k = p.concentration;
    const double m = 1.0 / k, c = (1.0 - k) / k, a = alpha - 1.0;  // 1/k, 1/k − 1, α − 1
    const double w = log_ratio_of_products(q.rate, p.scale, alpha, 1.0) + lgamma_difference(2.0, 1.0 + m, c);
    const double rest = alpha * exp_gap(w) + lgamma_bregman(1.0, m, c);
    // a (B(2, c) + c) + B(1, a) − ϕ(a) = a B(1, m) + μ(α) + ½ ln(2π/α) − 1: the second form has no terms
    // of size α ln α for large α, the first keeps the relative precision near α = k = 1.
    if (alpha >= 4.0)
        return rest + a * lgamma_bregman(1.0, 1.0 + m, m) + binet(alpha) +
               0.5 * std::log(2.0 * std::numbers::pi / alpha) - 1.0;
    return rest + a * lgamma_bregman(2.0, 1.0 + m, c) + a * c + lgamma_bregman(1.0, alpha, a) -
           kldiv::detail::kl_generator(a);
}

std::optional<double> closed_form(const weibull& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const weibull& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

// ---- log-normal against gamma, and gamma against log-normal

std::optional<double> closed_form(const log_normal& p, const gamma& q) {
    const double a = q.concentration, sigma = p.scale;
    const double w = p.loc + log_ratio(q.rate, a) + 0.5 * sigma * sigma;
    // ln(a σ²) also where σ² underflows (σ = 1e-300 gave +inf for a divergence near 690).
    const double log_a_variance =
        sigma * sigma >= DBL_MIN ? log_product(a, sigma * sigma) : std::log(a) + 2.0 * std::log(sigma);
    return a * exp_gap(w) + 0.5 * exp_gap(log_a_variance) + binet(a);
}

std::optional<double> closed_form(const log_normal& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const log_normal& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

std::optional<double> closed_form(const gamma& p, const log_normal& q) {
    const double alpha = p.concentration;
    const double psi1 = trigamma(alpha);
    const double z = (digamma(alpha) - std::log(p.rate) - q.loc) / q.scale;
    // αψ'(α) = 1 + 1/(2α) + α μ''(α)
    const double gap = 0.5 * std::log1p(0.5 / alpha + alpha * binet_second_derivative(alpha)) - binet(alpha) +
                       alpha * binet_derivative(alpha);
    return 0.5 * (exp_gap(std::log(psi1) - 2.0 * std::log(q.scale)) + z * z) + gap;
}

std::optional<double> closed_form(const exponential& p, const log_normal& q) { return closed_form(as_gamma(p), q); }
std::optional<double> closed_form(const chi2& p, const log_normal& q) { return closed_form(as_gamma(p), q); }

// ---- half-normal against gamma, and gamma against half-normal

std::optional<double> closed_form(const half_normal& p, const gamma& q) {
    // ln E[X] = ln σ + ½ ln(2/π), E[ln X] = ln σ − (γ + ln 2)/2, H = ln σ + ½ ln(π/2) + ½.
    return to_gamma(std::log(p.scale) + 0.5 * std::log(2.0 / std::numbers::pi),
                    0.5 * (std::log(4.0 / std::numbers::pi) + euler_gamma),
                    -0.5 * (euler_gamma + std::log(std::numbers::pi) + 1.0), q);
}

std::optional<double> closed_form(const half_normal& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const half_normal& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

std::optional<double> closed_form(const gamma& p, const half_normal& q) {
    // E[X²] = α(α+1)/β²: ½ φ(ln c) + ½ ln(πα(α+1)/2) + ½ − H(Gamma(α, 1)), c = E[X²]/σ².
    const double alpha = p.concentration;
    const double log_c = std::log(alpha) + std::log1p(alpha) - 2.0 * (std::log(p.rate) + std::log(q.scale));
    return 0.5 * exp_gap(log_c) + 0.5 * (std::log(0.5 * std::numbers::pi) + std::log(alpha) + std::log1p(alpha)) + 0.5 +
           gamma_negentropy(alpha);
}

std::optional<double> closed_form(const exponential& p, const half_normal& q) { return closed_form(as_gamma(p), q); }
std::optional<double> closed_form(const chi2& p, const half_normal& q) { return closed_form(as_gamma(p), q); }

// ---- Pareto, uniform, beta and continuous Bernoulli against the half-line families

std::optional<double> closed_form(const pareto& p, const pareto& q) {
    if (p.scale < q.scale) return infinity;
    return exp_gap(log_ratio(q.alpha, p.alpha)) + q.alpha * log_ratio(p.scale, q.scale);
}

std::optional<double> closed_form(const pareto& p, const gamma& q) {
    // ln E[X] = ln s − ln(1 − 1/α) (+∞ for α ≤ 1), E[ln X] = ln s + 1/α, H = ln(s/α) + 1 + 1/α.
    const double alpha = p.alpha;
    if (alpha <= 1.0) return infinity;
    const double log1p_minus = std::log1p(-1.0 / alpha);
    return to_gamma(std::log(p.scale) - log1p_minus, exp_gap(log1p_minus), std::log(alpha) - 1.0, q);
}

std::optional<double> closed_form(const pareto& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const pareto& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

std::optional<double> closed_form(const uniform& p, const gamma& q) {
    if (p.low < 0.0) return infinity;
    const double width = p.high - p.low, log_mean = std::log(p.low + 0.5 * width);
    const double mean_log = uniform_mean_log(p.low, p.high);
    return to_gamma(log_mean, log_mean - mean_log, mean_log - std::log(width), q);
}

std::optional<double> closed_form(const uniform& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const uniform& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

std::optional<double> closed_form(const uniform& p, const pareto& q) {
    // −ln ε − ln α + α ln(high/s) − (α + 1) E[ln(high/X)], ε = (high − low)/high.
    if (p.low < q.scale) return infinity;
    const double epsilon = (p.high - p.low) / p.high;
    const double mean_log_ratio = kldiv::detail::kl_generator(-epsilon) / epsilon;
    return -std::log(epsilon) - std::log(q.alpha) + q.alpha * std::log(p.high / q.scale) -
           (q.alpha + 1.0) * mean_log_ratio;
}

std::optional<double> closed_form(const beta& p, const gamma& q) {
    // E[X] = a/(a + b), E[ln X] = ψ(a) − ψ(a + b), −H = D(P ‖ Beta(1, 1)).
    const double a = p.concentration1, s = a + p.concentration0;
    const double log_mean = std::log(a / s), mean_log = digamma(a) - digamma(s);
    return to_gamma(log_mean, log_mean - mean_log, mean_log + *closed_form(p, beta(1.0, 1.0)), q);
}

std::optional<double> closed_form(const beta& p, const exponential& q) { return closed_form(p, as_gamma(q)); }
std::optional<double> closed_form(const beta& p, const chi2& q) { return closed_form(p, as_gamma(q)); }

std::optional<double> closed_form(const continuous_bernoulli& p, const exponential& q) {
    // −H = D(P ‖ Uniform(0, 1)) = ℓ(0) − ℓ(y) + y ℓ'(y), E[X] = (1 + ℓ'(y))/2.
    const double y = continuous_bernoulli_y(p.probs);
    return log_sinhc_bregman(y, -y) - std::log(q.rate) + q.rate * 0.5 * (1.0 + log_sinhc_derivative(y));
}

}  // namespace kldiv::distributions::detail
