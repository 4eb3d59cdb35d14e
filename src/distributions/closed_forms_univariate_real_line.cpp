// Closed forms of D(P‖Q) for Q normal, Laplace, Gumbel, Cauchy and von Mises, in nats.
// φ(u) = e^u − 1 − u ≥ 0; B(a, h) = lnΓ(a+h) − lnΓ(a) − hψ(a) ≥ 0; γ is Euler's constant.
//
// Cancellation-free (every term ≥ 0, exactly 0 for P = Q):
//   Normal(μ1, σ1) ‖ Normal(μ2, σ2)    ½ φ(ln(σ1²/σ2²)) + (μ1 − μ2)²/(2σ2²)
//   Laplace(μ1, b1) ‖ Laplace(μ2, b2)  φ(ln r) + r φ(−|μ1 − μ2|/b1),  r = b1/b2
//   Cauchy(l1, s1) ‖ Cauchy(l2, s2)    ln(1 + ((s1 − s2)² + (l1 − l2)²)/(4 s1 s2))
//   Gumbel(μ1, s1) ‖ Gumbel(μ2, s2)    φ(lnΓ(1 + r) − δ) + B(1, r − 1),  r = s1/s2, δ = (μ1 − μ2)/s2
//   VonMises(μ1, κ1) ‖ VonMises(μ2, κ2)  [ln I0(κ2) − ln I0(κ1) − (κ2 − κ1) A(κ1)] + 2 κ2 A(κ1) sin²((μ1 − μ2)/2),
//                                      A = I1/I0; the bracket (a Bregman divergence) by quadrature of
//                                      A' ≥ 0 for nearby κ, and Hankel's expansion for κ ≥ 30; far
//                                      apart, as [ln I0(κ2) − κ2] − [ln I0(κ1) − κ1] + (κ2 − κ1)(1 − A(κ1))
//                                      so that no κ-sized terms cancel (κ up to DBL_MAX)
//   half_normal, log_normal and weibull pairs forward to normal and Gumbel pairs.
// P of any family with mean m, variance v and entropy H against Normal(μ, σ):
//   ½ φ(ln(v/σ²)) + (m − μ)²/(2σ²) + g,   g = ½ ln(2πe v) − H ≥ 0 (P's distance from normality):
//   a constant for location-scale families, from Binet's function μ(x) for gamma and inverse gamma
//   (g = 1/(2α) − μ(α) + (α − 1) μ'(α) for gamma, no large terms), and a difference of
//   logarithms for beta, Pareto and the continuous Bernoulli.
// Against Gumbel(μ, s), with z = (x − μ)/s, the scale-free part comes out as φ(ln E_P[e^−z]) plus a
// remainder that depends on the shapes only (≥ 0 in each case, minimum KL between the families).
// Against Laplace: Normal(μ1, σ) ‖ Laplace(μ2, b) = φ(ln x) + ln(g(t)/g(0)) + ½ − ln(π/2), with
// g(t) = E|Z + t| for Z standard normal, t = (μ1 − μ2)/σ, x = σ g(t)/b.

#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>

#include <boost/math/special_functions/bessel.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/sin_pi.hpp>

#include "src/distributions/closed_forms_univariate.hpp"

namespace kldiv::distributions::detail {
namespace {

using namespace kl_terms;

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double pi = std::numbers::pi;
constexpr double euler_gamma = std::numbers::egamma;

// ½ ln(2πe v) − H for the location-scale families (to 20 digits, from mpmath).
constexpr double gumbel_normality_gap = 0.090573019538512554911;      // ½ ln(π³/3) − ½ − γ
constexpr double laplace_normality_gap = 0.072364942924700087072;     // ½ ln π − ½
constexpr double logistic_normality_gap = 0.014362274720018070226;    // ½ ln(2π³/3) − 3/2
constexpr double uniform_normality_gap = 0.17648520831067258667;      // ½ ln(πe/6)
constexpr double half_normal_normality_gap = 0.18699441362131841379;  // ½ ln(4 − 8/π)
constexpr double normal_gumbel_minimum = 0.08106146679532725822;      // 1 − ½ ln 2π
constexpr double normal_laplace_minimum = 0.048417294710545135274;    // ½ − ln(π/2)
constexpr double half_log_two_pi_e = 1.4189385332046727418;           // ½ ln(2πe)

// D(P‖Normal(μ, σ)) for P with this mean, ln variance and normality gap.
double to_normal(double mean, double log_variance, double gap, const normal& q) {
    const double z = (mean - q.loc) / q.scale;
    return 0.5 * (exp_gap(log_variance - 2.0 * std::log(q.scale)) + z * z) + gap;
}

// ln(e^x − 1) for x > 0.
double log_expm1(double x) { return x > 30.0 ? x + std::log1p(-std::exp(-x)) : std::log(std::expm1(x)); }

// D(Gumbel(μ1, s1) ‖ Gumbel(μ2, s2)) from δ = (μ1 − μ2)/s2, r = s1/s2, ε = r − 1 and ln r (each to
// full relative precision): φ(lnΓ(1 + r) − δ) + B(1, ε); far from r = 1, B(1, ε) = lnΓ(r) + γ(r − 1)
// directly, with lnΓ(r) = lnΓ(1 + r) − ln r for small r (r may underflow).
double gumbel_kl(double delta, double r, double epsilon, double log_r) {
    if (r == infinity) return infinity;  // B(1, ε) ≥ lnΓ(r) overflows
    if (std::fabs(epsilon) <= 0.5)
        return exp_gap(lgamma_difference(2.0, 1.0 + r, epsilon) - delta) + lgamma_bregman(1.0, r, epsilon);
    if (r < 0.5) {
        const double log_gamma_1r = std::log1p(boost::math::tgamma1pm1(r));
        return exp_gap(log_gamma_1r - delta) + (log_gamma_1r - log_r) + euler_gamma * epsilon;
    }
    return exp_gap(log_gamma(1.0 + r) - delta) + log_gamma(r) + euler_gamma * epsilon;
}

// ---- von Mises: ln I0, A = I1/I0 and A' = 1 − A/κ − A², by Boost below κ = 30 and by Hankel's
// expansion I_ν(κ) = e^κ / √(2πκ) · S_ν(κ), S_ν = Σ_k t_k, t_k = t_{k−1} ((2k−1)² − 4ν²)/(8kκ), above.
constexpr double hankel_threshold = 30.0;

struct hankel_sums {
    double s, ds, d2s;  // S_ν(κ), S_ν'(κ), S_ν''(κ)
};

hankel_sums hankel(double nu, double kappa) {
    hankel_sums r{1.0, 0.0, 0.0};
    double t = 1.0;
    for (int k = 1; k < 100; ++k) {
        const double next = t * ((2.0 * k - 1.0) * (2.0 * k - 1.0) - 4.0 * nu * nu) / (8.0 * k * kappa);
        if (std::fabs(next) > std::fabs(t)) break;  // the asymptotic series starts to diverge
        t = next;
        r.s += t;
        r.ds -= k * t / kappa;
        r.d2s += k * (k + 1.0) * t / (kappa * kappa);
        if (std::fabs(t) < 1e-18 * std::fabs(r.s)) break;
    }
    return r;
}

// ln I0(κ) − κ (no overflow, and no κ to cancel later, up to κ = DBL_MAX).
double log_i0_minus_kappa(double kappa) {
    if (kappa < hankel_threshold) return std::log(boost::math::cyl_bessel_i(0.0, kappa)) - kappa;
    return -0.5 * (std::log(2.0 * pi) + std::log(kappa)) + std::log(hankel(0.0, kappa).s);
}

double bessel_ratio(double kappa) {
    if (kappa < hankel_threshold) return boost::math::cyl_bessel_i(1.0, kappa) / boost::math::cyl_bessel_i(0.0, kappa);
    return hankel(1.0, kappa).s / hankel(0.0, kappa).s;
}

// d (1 − A(κ)) to full relative precision for any d and κ up to DBL_MAX. Above the threshold it is
// (d/κ) · κ (S0 − S1)/S0, with S0 − S1 summed term by term as κ t_k (t_k = O(1/κ) for k ≥ 1): 1 − A
// ≈ 1/(2κ) is below DBL_MIN for κ > 2e307, and 8κ overflows (κ = 1e308 against κ2 = 1.2 lost the
// term d (1 − A) ≈ −½), while κ (1 − A) ≈ ½ is representable.
double times_ratio_complement(double d, double kappa) {
    if (kappa < hankel_threshold) return d * (1.0 - bessel_ratio(kappa));
    double u0 = 0.125, u1 = -0.375;  // κ t_1 of S0 and of S1
    double s0 = 1.0 + u0 / kappa, difference = u0 - u1;
    for (int k = 2; k < 100; ++k) {
        const double odd = (2.0 * k - 1.0) * (2.0 * k - 1.0), scale = 8.0 * k;
        const double n0 = u0 * odd / scale / kappa, n1 = u1 * (odd - 4.0) / scale / kappa;
        if (std::fabs(n0) > std::fabs(u0) || std::fabs(n1) > std::fabs(u1)) break;  // diverging
        u0 = n0;
        u1 = n1;
        s0 += u0 / kappa;
        difference += u0 - u1;
        if (std::fabs(u0) + std::fabs(u1) < 1e-18 * std::fabs(difference)) break;
    }
    return d / kappa * (difference / s0);
}

double bessel_ratio_derivative(double kappa) {
    if (kappa < 1e-4) return 0.5 - 3.0 / 16.0 * kappa * kappa;
    if (kappa < hankel_threshold) {
        const double a = bessel_ratio(kappa);
        return 1.0 - a / kappa - a * a;
    }
    // (ln I0)'' = 1/(2κ²) + (ln S0)''
    const hankel_sums h = hankel(0.0, kappa);
    const double d = h.ds / h.s;
    return 0.5 / (kappa * kappa) + h.d2s / h.s - d * d;
}

// ln I0(κ2) − ln I0(κ1) − d A(κ1) ≥ 0, d = κ2 − κ1 (as rounded; κ2 is given too, since κ1 + d
// need not give it back: 1e20 + (1 − 1e20) = 0).
double log_i0_bregman(double kappa1, double kappa2, double d) {
    // A' has its poles at ±i·2.40…, ±i·5.52…: the quadrature is accurate for |d| ≤ max(1, κ1)/2.
    if (std::fabs(d) <= 0.5 * std::max(1.0, kappa1)) return bregman_by_quadrature(bessel_ratio_derivative, kappa1, d);
    if (std::min(kappa1, kappa2) >= hankel_threshold) {
        // −½ ln κ contributes ½ φ(ln(κ2/κ1)); ln S0 the rest.
        const hankel_sums h1 = hankel(0.0, kappa1);
        return 0.5 * exp_gap(log_ratio(kappa2, kappa1, d)) + std::log(hankel(0.0, kappa2).s / h1.s) - d * h1.ds / h1.s;
    }
    // = [ln I0(κ2) − κ2] − [ln I0(κ1) − κ1] + d (1 − A(κ1)): no κ-sized terms cancel (κ1 = 1e20
    // against κ2 = 1 gave 0 when written as ln I0(κ2) − ln I0(κ1) − d A(κ1)).
    return log_i0_minus_kappa(kappa2) - log_i0_minus_kappa(kappa1) + times_ratio_complement(d, kappa1);
}

// Normality gap of gamma(α, ·): ½ ln(2πe α/β²) − H = 1/(2α) − μ(α) + (α − 1) μ'(α).
double gamma_normality_gap(double alpha) {
    return 0.5 / alpha - binet(alpha) + (alpha - 1.0) * binet_derivative(alpha);
}

}  // namespace

// ---- Q normal

std::optional<double> closed_form(const normal& p, const normal& q) {
    const double z = (p.loc - q.loc) / q.scale;
    return 0.5 * (exp_gap(2.0 * log_ratio(p.scale, q.scale)) + z * z);
}

std::optional<double> closed_form(const half_normal& p, const half_normal& q) {
    return closed_form(normal(0.0, p.scale), normal(0.0, q.scale));
}

std::optional<double> closed_form(const log_normal& p, const log_normal& q) {
    return closed_form(normal(p.loc, p.scale), normal(q.loc, q.scale));
}

std::optional<double> closed_form(const gumbel& p, const normal& q) {
    return to_normal(p.loc + euler_gamma * p.scale, 2.0 * (std::log(pi) + std::log(p.scale)) - std::log(6.0),
                     gumbel_normality_gap, q);
}

std::optional<double> closed_form(const laplace& p, const normal& q) {
    return to_normal(p.loc, std::log(2.0) + 2.0 * std::log(p.scale), laplace_normality_gap, q);
}

std::optional<double> closed_form(const logistic& p, const normal& q) {
    return to_normal(p.loc, 2.0 * (std::log(pi) + std::log(p.scale)) - std::log(3.0), logistic_normality_gap, q);
}

std::optional<double> closed_form(const uniform& p, const normal& q) {
    const double width = p.high - p.low;
    return to_normal(p.low + 0.5 * width, 2.0 * std::log(width) - std::log(12.0), uniform_normality_gap, q);
}

std::optional<double> closed_form(const half_normal& p, const normal& q) {
    return to_normal(p.scale * std::sqrt(2.0 / pi), 2.0 * std::log(p.scale) + std::log1p(-2.0 / pi),
                     half_normal_normality_gap, q);
}

std::optional<double> closed_form(const log_normal& p, const normal& q) {
    // mean e^(μ + σ²/2), variance σ² e^(2μ + σ²) (e^σ² − 1)/σ², gap ½ ln((e^σ² − 1)/σ²) + σ²/2.
    const double s2 = p.scale * p.scale;
    const double log_relative = s2 < 1e-4 ? s2 * (0.5 + s2 / 24.0) : log_expm1(s2) - std::log(s2);
    return to_normal(std::exp(p.loc + 0.5 * s2), 2.0 * (std::log(p.scale) + p.loc) + s2 + log_relative,
                     0.5 * (log_relative + s2), q);
}

std::optional<double> closed_form(const gamma& p, const normal& q) {
    const double alpha = p.concentration, beta = p.rate;
    return to_normal(alpha / beta, std::log(alpha) - 2.0 * std::log(beta), gamma_normality_gap(alpha), q);
}

std::optional<double> closed_form(const exponential& p, const normal& q) { return closed_form(gamma(1.0, p.rate), q); }

std::optional<double> closed_form(const chi2& p, const normal& q) { return closed_form(gamma(0.5 * p.df, 0.5), q); }

std::optional<double> closed_form(const inverse_gamma& p, const normal& q) {
    // mean β/(α−1), variance β²/((α−1)²(α−2)), gap −1/(2α) − ln(1 − 1/α) − ½ ln(1 − 2/α) − μ(α) + (1+α) μ'(α).
    const double alpha = p.concentration, beta = p.rate;
    if (alpha <= 2.0) return infinity;
    const double gap = -0.5 / alpha - std::log1p(-1.0 / alpha) - 0.5 * std::log1p(-2.0 / alpha) - binet(alpha) +
                       (1.0 + alpha) * binet_derivative(alpha);
    return to_normal(beta / (alpha - 1.0), 2.0 * std::log(beta / (alpha - 1.0)) - std::log(alpha - 2.0), gap, q);
}

std::optional<double> closed_form(const weibull& p, const normal& q) {
    // m = 1/k: mean λΓ(1+m), variance λ²Γ(1+m)²(e^D − 1) with D = lnΓ(1+2m) − 2 lnΓ(1+m) = B(1, 2m) − 2B(1, m),
    // gap ½ ln(2πe) − 1 − γ + B(1, m) + ½ ln((e^D − 1)/m²).
    const double m = 1.0 / p.concentration;
    const double b1 = lgamma_bregman(1.0, 1.0 + m, m);
    const double log_gamma_1m = b1 - euler_gamma * m;
    // D = ζ(2) m² − 2ζ(3) m³ + …: below m = 1e-100 (where D underflows near m = 1e-154, giving +inf
    // for weibull(·, 1e300)) ln(e^D − 1) = ln(ζ(2) m²) to far below double precision.
    const double log_expm1_d = m < 1e-100 ? std::log(std::numbers::pi * std::numbers::pi / 6.0) + 2.0 * std::log(m)
                                          : log_expm1(lgamma_bregman(1.0, 1.0 + 2.0 * m, 2.0 * m) - 2.0 * b1);
    const double gap = half_log_two_pi_e - 1.0 - euler_gamma + b1 + 0.5 * log_expm1_d - std::log(m);
    return to_normal(p.scale * std::exp(log_gamma_1m), 2.0 * (std::log(p.scale) + log_gamma_1m) + log_expm1_d, gap, q);
}

std::optional<double> closed_form(const pareto& p, const normal& q) {
    // mean αs/(α−1), variance αs²/((α−1)²(α−2)), gap ½ ln 2π − ½ − ln(1 − 1/α) − ½ ln(1 − 2/α) − 1/α.
    const double alpha = p.alpha, s = p.scale;
    if (alpha <= 2.0) return infinity;
    const double gap =
        half_log_two_pi_e - 1.0 - std::log1p(-1.0 / alpha) - 0.5 * std::log1p(-2.0 / alpha) - 1.0 / alpha;
    return to_normal(alpha * s / (alpha - 1.0),
                     std::log(alpha) + 2.0 * std::log(s / (alpha - 1.0)) - std::log(alpha - 2.0), gap, q);
}

std::optional<double> closed_form(const beta& p, const normal& q) {
    // gap = ½ ln(2πe v) − H with −H = D(P ‖ Uniform(0, 1)) = D(P ‖ Beta(1, 1)).
    const double a = p.concentration1, b = p.concentration0, s = a + b;
    const double log_variance = std::log(a) + std::log(b) - 2.0 * std::log(s) - std::log1p(s);
    const double gap = half_log_two_pi_e + 0.5 * log_variance + *closed_form(p, beta(1.0, 1.0));
    return to_normal(a / s, log_variance, gap, q);
}

std::optional<double> closed_form(const continuous_bernoulli& p, const normal& q) {
    // mean (1 + ℓ'(y))/2, variance ℓ''(y)/4, −H = D(P ‖ Uniform(0, 1)) = ℓ(0) − ℓ(y) + y ℓ'(y).
    const double y = continuous_bernoulli_y(p.probs);
    const double log_variance = std::log(0.25 * log_sinhc_second_derivative(y));
    const double gap = half_log_two_pi_e + 0.5 * log_variance + log_sinhc_bregman(y, -y);
    return to_normal(0.5 * (1.0 + log_sinhc_derivative(y)), log_variance, gap, q);
}

// ---- Q Laplace

std::optional<double> closed_form(const laplace& p, const laplace& q) {
    // r φ(−x) with x = |μ1 − μ2|/b1 is |μ1 − μ2|/b2 − r (1 − e^−x) for large x (r may underflow).
    const double r = p.scale / q.scale, distance = std::fabs(p.loc - q.loc), x = distance / p.scale;
    const double shift = x <= 1.0 ? r * exp_gap(-x) : distance / q.scale + r * std::expm1(-x);
    return exp_gap(log_ratio(p.scale, q.scale)) + shift;
}

std::optional<double> closed_form(const normal& p, const laplace& q) {
    // g(t)/g(0) = e^(−t²/2) + t √(π/2) erf(t/√2) = 1 + t²/2 + …
    const double t = (p.loc - q.loc) / p.scale;
    const double excess =
        std::expm1(-0.5 * t * t) + t * std::sqrt(0.5 * pi) * boost::math::erf(t / std::numbers::sqrt2);
    const double log_g_ratio = std::log1p(excess);
    const double log_x = std::log(p.scale / q.scale) + 0.5 * std::log(2.0 / pi) + log_g_ratio;
    return exp_gap(log_x) + log_g_ratio + normal_laplace_minimum;
}

std::optional<double> closed_form(const uniform& p, const laplace& q) {
    // φ(ln(E/b)) + 1 + ln(2E/(high − low)), E = E|X − μ|.
    const double low = p.low - q.loc, high = p.high - q.loc, width = p.high - p.low;
    double mean_distance;
    if (low >= 0.0)
        mean_distance = low + 0.5 * width;
    else if (high <= 0.0)
        mean_distance = -high + 0.5 * width;
    else {  // (low² + high²)/(2 width), without squaring (low = −1e300 overflowed to +inf)
        const double radius = std::hypot(low, high);
        mean_distance = radius * (radius / (2.0 * width));
    }
    return exp_gap(log_ratio(mean_distance, q.scale)) + 1.0 + std::numbers::ln2 + log_ratio(mean_distance, width);
}

// ---- Q Gumbel

std::optional<double> closed_form(const gumbel& p, const gumbel& q) {
    return gumbel_kl((p.loc - q.loc) / q.scale, p.scale / q.scale, (p.scale - q.scale) / q.scale,
                     log_ratio(p.scale, q.scale));
}

std::optional<double> closed_form(const weibull& p, const weibull& q) {
    // −ln X is Gumbel(−ln λ, 1/k): δ = k2 ln(λ2/λ1), ε = k2/k1 − 1.
    return gumbel_kl(q.concentration * log_ratio(q.scale, p.scale), q.concentration / p.concentration,
                     (q.concentration - p.concentration) / p.concentration,
                     log_ratio(q.concentration, p.concentration));
}

std::optional<double> closed_form(const normal& p, const gumbel& q) {
    // E[e^−z] = e^(ρ²/2 − δ), ρ = σ/s, δ = (μ1 − μ2)/s.
    const double rho = p.scale / q.scale, delta = (p.loc - q.loc) / q.scale;
    return exp_gap(0.5 * rho * rho - delta) + 0.5 * exp_gap(2.0 * std::log(rho)) + normal_gumbel_minimum;
}

std::optional<double> closed_form(const log_normal& p, const weibull& q) {
    // −ln X maps LogNormal(μ, σ) to Normal(−μ, σ) and Weibull(λ, k) to Gumbel(−ln λ, 1/k).
    return closed_form(normal(-p.loc, p.scale), gumbel(-std::log(q.scale), 1.0 / q.concentration));
}

std::optional<double> closed_form(const weibull& p, const log_normal& q) {
    return closed_form(gumbel(-std::log(p.scale), 1.0 / p.concentration), normal(-q.loc, q.scale));
}

std::optional<double> closed_form(const laplace& p, const gumbel& q) {
    // E[e^−z] = e^−δ / (1 − t²) for t = b/s < 1 (else +∞): φ(−δ − ln(1 − t²)) − ln(2t(1 − t²)).
    const double t = p.scale / q.scale, delta = (p.loc - q.loc) / q.scale;
    if (t >= 1.0) return infinity;
    const double log_1mt2 = std::log1p(-t * t);
    return exp_gap(-delta - log_1mt2) - std::log(2.0 * t) - log_1mt2;
}

std::optional<double> closed_form(const logistic& p, const gumbel& q) {
    // E[e^−z] = e^−δ πt/sin(πt) for t = b/s < 1 (else +∞): φ(−δ + ln(πt/sin πt)) + ln(π/sin πt) − 1.
    const double t = p.scale / q.scale, delta = (p.loc - q.loc) / q.scale;
    if (t >= 1.0) return infinity;
    const double log_sin = std::log(boost::math::sin_pi(t));
    return exp_gap(-delta + std::log(pi * t) - log_sin) + std::log(pi) - log_sin - 1.0;
}

std::optional<double> closed_form(const uniform& p, const gumbel& q) {
    // Δ = (high − low)/s: E[e^−z] = e^w, w = (μ − mid)/s + ℓ(Δ/2); remainder 1 − ln Δ + ℓ(Δ/2).
    const double width = (p.high - p.low) / q.scale;
    const double mid = p.low + 0.5 * (p.high - p.low);
    const double l = log_sinhc(0.5 * width);
    return exp_gap((q.loc - mid) / q.scale + l) + 1.0 - std::log(width) + l;
}

std::optional<double> closed_form(const gamma& p, const gumbel& q) {
    // t = 1/(βs): E[e^−z] = e^(μ/s) (1 + t)^−α;
    // φ(w) + α φ(ln(1 + t)) − ln t + 1 − H(Gamma(α, 1)), w = μ/s − α ln(1 + t).
    const double alpha = p.concentration, t = 1.0 / (p.rate * q.scale);
    const double log1p_t = std::log1p(t);
    return exp_gap(q.loc / q.scale - alpha * log1p_t) + alpha * exp_gap(log1p_t) - std::log(t) + 1.0 +
           gamma_negentropy(alpha);
}

std::optional<double> closed_form(const exponential& p, const gumbel& q) { return closed_form(gamma(1.0, p.rate), q); }

std::optional<double> closed_form(const chi2& p, const gumbel& q) { return closed_form(gamma(0.5 * p.df, 0.5), q); }

// ---- Cauchy, von Mises

std::optional<double> closed_form(const cauchy& p, const cauchy& q) {
    // t² + u² = ((s1 − s2)² + (l1 − l2)²)/(4 s1 s2), scaled so that nothing overflows.
    const double root = std::sqrt(p.scale) * std::sqrt(q.scale);
    const double t = (0.5 * p.scale - 0.5 * q.scale) / root, u = (0.5 * p.loc - 0.5 * q.loc) / root;
    const double x = t * t + u * u;
    return x <= DBL_MAX ? std::log1p(x) : 2.0 * std::log(std::hypot(t, u));
}

// Both densities are twice those of Cauchy(0, s) on [0, ∞) and the integrand of D is even, so D is
// that of the Cauchy pair: ln(1 + (s1 − s2)²/(4 s1 s2)).
std::optional<double> closed_form(const half_cauchy& p, const half_cauchy& q) {
    return closed_form(cauchy(0.0, p.scale), cauchy(0.0, q.scale));
}

std::optional<double> closed_form(const von_mises& p, const von_mises& q) {
    const double half_angle = std::sin(0.5 * (p.loc - q.loc));
    // κ2 last: 2 κ2 overflows at κ2 = 1e308 (and ∞ · 0 gave NaN for equal locations).
    return log_i0_bregman(p.concentration, q.concentration, q.concentration - p.concentration) +
           2.0 * bessel_ratio(p.concentration) * half_angle * half_angle * q.concentration;
}

}  // namespace kldiv::distributions::detail
