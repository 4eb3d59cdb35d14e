#pragma once
// Closed forms of D(P‖Q) for pairs of univariate families, in nats; see closed_form.hpp.
//
// One overload per pair (P, Q), grouped below by Q's family and defined in
// closed_forms_univariate_<group>.cpp. Families that are another family under a fixed bijection or
// parameter choice forward to it (KL is invariant under bijections): chi2(k) = gamma(k/2, 1/2),
// exponential(λ) = gamma(1, λ), half_normal(σ) = |normal(0, σ)|, log_normal = exp(normal),
// inverse_gamma(α, β) = 1/gamma(α, β), weibull(λ, k) = exp(−gumbel(−ln λ, 1/k)).
//
// The formulas are written as sums of terms that are each ≥ 0 where that is possible (see each
// file's header), so that nearly identical distributions get small values with full relative
// precision instead of the rounding noise of textbook formulas. The shared terms are in
// kl_terms (closed_forms_univariate.cpp).

#include <optional>
#include <span>
#include <string_view>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

// ---- discrete (closed_forms_univariate_discrete.cpp)
std::optional<double> closed_form(const bernoulli& p, const bernoulli& q);
std::optional<double> closed_form(const binomial& p, const binomial& q);  // nullopt unless equal total_count
std::optional<double> closed_form(const categorical& p, const categorical& q);
std::optional<double> closed_form(const geometric& p, const geometric& q);
std::optional<double> closed_form(const poisson& p, const poisson& q);
std::optional<double> closed_form(const negative_binomial& p, const negative_binomial& q);  // equal total_count
std::optional<double> closed_form(const bernoulli& p, const poisson& q);

// ---- Q on the real line (closed_forms_univariate_real_line.cpp)
std::optional<double> closed_form(const normal& p, const normal& q);
std::optional<double> closed_form(const half_normal& p, const half_normal& q);
std::optional<double> closed_form(const log_normal& p, const log_normal& q);
std::optional<double> closed_form(const gumbel& p, const normal& q);
std::optional<double> closed_form(const laplace& p, const normal& q);
std::optional<double> closed_form(const logistic& p, const normal& q);
std::optional<double> closed_form(const uniform& p, const normal& q);
std::optional<double> closed_form(const half_normal& p, const normal& q);
std::optional<double> closed_form(const log_normal& p, const normal& q);
std::optional<double> closed_form(const gamma& p, const normal& q);
std::optional<double> closed_form(const exponential& p, const normal& q);
std::optional<double> closed_form(const chi2& p, const normal& q);
std::optional<double> closed_form(const inverse_gamma& p, const normal& q);
std::optional<double> closed_form(const weibull& p, const normal& q);
std::optional<double> closed_form(const pareto& p, const normal& q);
std::optional<double> closed_form(const beta& p, const normal& q);
std::optional<double> closed_form(const continuous_bernoulli& p, const normal& q);

std::optional<double> closed_form(const laplace& p, const laplace& q);
std::optional<double> closed_form(const normal& p, const laplace& q);
std::optional<double> closed_form(const uniform& p, const laplace& q);

std::optional<double> closed_form(const gumbel& p, const gumbel& q);
std::optional<double> closed_form(const weibull& p, const weibull& q);
std::optional<double> closed_form(const normal& p, const gumbel& q);
std::optional<double> closed_form(const log_normal& p, const weibull& q);
std::optional<double> closed_form(const weibull& p, const log_normal& q);
std::optional<double> closed_form(const laplace& p, const gumbel& q);
std::optional<double> closed_form(const logistic& p, const gumbel& q);
std::optional<double> closed_form(const uniform& p, const gumbel& q);
std::optional<double> closed_form(const gamma& p, const gumbel& q);
std::optional<double> closed_form(const exponential& p, const gumbel& q);
std::optional<double> closed_form(const chi2& p, const gumbel& q);

std::optional<double> closed_form(const cauchy& p, const cauchy& q);
// |X| against |Y| for X, Y symmetric about 0: the same as X against Y.
std::optional<double> closed_form(const half_cauchy& p, const half_cauchy& q);
std::optional<double> closed_form(const von_mises& p, const von_mises& q);

// ---- Q on the half-line (closed_forms_univariate_half_line.cpp)
std::optional<double> closed_form(const gamma& p, const gamma& q);
std::optional<double> closed_form(const gamma& p, const exponential& q);
std::optional<double> closed_form(const gamma& p, const chi2& q);
std::optional<double> closed_form(const exponential& p, const gamma& q);
std::optional<double> closed_form(const exponential& p, const exponential& q);
std::optional<double> closed_form(const exponential& p, const chi2& q);
std::optional<double> closed_form(const chi2& p, const gamma& q);
std::optional<double> closed_form(const chi2& p, const exponential& q);
std::optional<double> closed_form(const chi2& p, const chi2& q);
std::optional<double> closed_form(const inverse_gamma& p, const inverse_gamma& q);

std::optional<double> closed_form(const gamma& p, const inverse_gamma& q);
std::optional<double> closed_form(const exponential& p, const inverse_gamma& q);
std::optional<double> closed_form(const chi2& p, const inverse_gamma& q);
std::optional<double> closed_form(const inverse_gamma& p, const gamma& q);
std::optional<double> closed_form(const inverse_gamma& p, const exponential& q);
std::optional<double> closed_form(const inverse_gamma& p, const chi2& q);

std::optional<double> closed_form(const gamma& p, const weibull& q);
std::optional<double> closed_form(const exponential& p, const weibull& q);
std::optional<double> closed_form(const chi2& p, const weibull& q);
std::optional<double> closed_form(const weibull& p, const gamma& q);
std::optional<double> closed_form(const weibull& p, const exponential& q);
std::optional<double> closed_form(const weibull& p, const chi2& q);

std::optional<double> closed_form(const log_normal& p, const gamma& q);
std::optional<double> closed_form(const log_normal& p, const exponential& q);
std::optional<double> closed_form(const log_normal& p, const chi2& q);
std::optional<double> closed_form(const gamma& p, const log_normal& q);
std::optional<double> closed_form(const exponential& p, const log_normal& q);
std::optional<double> closed_form(const chi2& p, const log_normal& q);

std::optional<double> closed_form(const half_normal& p, const gamma& q);
std::optional<double> closed_form(const half_normal& p, const exponential& q);
std::optional<double> closed_form(const half_normal& p, const chi2& q);
std::optional<double> closed_form(const gamma& p, const half_normal& q);
std::optional<double> closed_form(const exponential& p, const half_normal& q);
std::optional<double> closed_form(const chi2& p, const half_normal& q);

std::optional<double> closed_form(const pareto& p, const pareto& q);
std::optional<double> closed_form(const pareto& p, const gamma& q);
std::optional<double> closed_form(const pareto& p, const exponential& q);
std::optional<double> closed_form(const pareto& p, const chi2& q);
std::optional<double> closed_form(const uniform& p, const gamma& q);
std::optional<double> closed_form(const uniform& p, const exponential& q);
std::optional<double> closed_form(const uniform& p, const chi2& q);
std::optional<double> closed_form(const uniform& p, const pareto& q);
std::optional<double> closed_form(const beta& p, const gamma& q);
std::optional<double> closed_form(const beta& p, const exponential& q);
std::optional<double> closed_form(const beta& p, const chi2& q);
std::optional<double> closed_form(const continuous_bernoulli& p, const exponential& q);

// ---- Q on the unit interval, and uniform Q (closed_forms_univariate_unit_interval.cpp)
std::optional<double> closed_form(const beta& p, const beta& q);
std::optional<double> closed_form(const continuous_bernoulli& p, const continuous_bernoulli& q);
std::optional<double> closed_form(const uniform& p, const uniform& q);
std::optional<double> closed_form(const beta& p, const uniform& q);
std::optional<double> closed_form(const continuous_bernoulli& p, const uniform& q);
std::optional<double> closed_form(const uniform& p, const beta& q);
std::optional<double> closed_form(const uniform& p, const continuous_bernoulli& q);
std::optional<double> closed_form(const beta& p, const continuous_bernoulli& q);

// ---- Terms shared by the closed forms (closed_forms_univariate.cpp). Each is accurate to a few
// ulps relative unless said otherwise.
namespace kl_terms {

// φ(u) = e^u − 1 − u ≥ 0 (the Bregman divergence of exp); series for small |u|.
double exp_gap(double u) noexcept;

// ln(x/y) for x, y > 0; with x_minus_y = x − y given exactly (or to full relative precision), the
// result keeps its relative precision also when x/y is close to 1.
double log_ratio(double x, double y) noexcept;
double log_ratio(double x, double y, double x_minus_y) noexcept;

// ln(x·y) for x, y > 0, also when x·y is close to 1 (the product's rounding error is recovered).
double log_product(double x, double y) noexcept;

// a·b − c·d with a single rounding (Kahan's algorithm).
double difference_of_products(double a, double b, double c, double d) noexcept;

// ln((a·b)/(c·d)) for positive arguments, also when the ratio is close to 1.
double log_ratio_of_products(double a, double b, double c, double d) noexcept;

// x·ln(x/y) − x + y ≥ 0 for x, y ≥ 0 (0 at x = 0 is y; +∞ for x > 0 = y), with x_minus_y = x − y.
double kl_term(double x, double y, double x_minus_y) noexcept;

// D(Bernoulli(x) ‖ Bernoulli(y)) with x − y and the complements 1 − x, 1 − y given.
double bernoulli_kl(double x, double y, double x_minus_y, double x_complement, double y_complement) noexcept;

// ln Γ, ψ and ψ' (Boost), returning +∞ instead of throwing where the value overflows.
double log_gamma(double x);
double digamma(double x);
double trigamma(double x);

// The Bregman divergence of ln Γ from a to b = a + h: ln Γ(b) − ln Γ(a) − h ψ(a) ≥ 0, for a, b > 0
// given with full relative precision, and h = b − a also (b − a of two doubles is exact when they
// are close; callers that form b from an offset pass that offset).
double lgamma_bregman(double a, double b, double h);

// ln Γ(b) − ln Γ(a), accurate also for small h = b − a.
double lgamma_difference(double a, double b, double h);

// Binet's function μ(x) = ln Γ(x) − (x − ½) ln x + x − ½ ln 2π > 0 (Stirling's remainder), its
// derivative μ'(x) = ψ(x) − ln x + 1/(2x) < 0, and its Bregman divergence ≥ 0. For large x they
// are small (μ ≈ 1/(12x)) and computed from Stirling's series with full relative precision.
double binet(double x);
double binet_derivative(double x);
double binet_second_derivative(double x);            // μ''(x) = ψ'(x) − 1/x − 1/(2x²) > 0
double binet_bregman(double a, double b, double h);  // μ(b) − μ(a) − h μ'(a), h = b − a

// The Bregman divergence of the multivariate log-beta function ln B(a) = Σ ln Γ(a_k) − ln Γ(Σ a_k) from
// a1 to a2 (equal sizes ≥ 2), i.e. D(Dirichlet(a1) ‖ Dirichlet(a2)), regrouped so that every part is
// ≥ 0 (see closed_forms_univariate_unit_interval.cpp). `name` spells the family in its error: a sum
// of concentrations beyond the double range is refused (kldiv::error).
double log_beta_bregman(std::span<const double> a1, std::span<const double> a2, std::string_view name);

// −H(Gamma(α, 1)) = −α − lnΓ(α) + (α − 1)ψ(α) = −½ ln(2πα) − ½ + 1/(2α) − μ(α) + (α − 1)μ'(α),
// formed from Binet's function (no terms of size α ln α).
double gamma_negentropy(double alpha);

// E[ln X] for X uniform on [low, high], 0 ≤ low < high.
double uniform_mean_log(double low, double high) noexcept;

// The continuous Bernoulli family in y = logit(λ)/2: its log-normalizer relative to the uniform
// is ℓ(y) = ln(sinh y / y), its mean is (1 + ℓ'(y))/2 with ℓ'(y) = coth y − 1/y, its variance is
// ℓ''(y)/4 with ℓ''(y) = 1/y² − 1/sinh² y, and D(CB(y1) ‖ CB(y1 + d)) is the Bregman divergence
// ℓ(y1 + d) − ℓ(y1) − d ℓ'(y1) ≥ 0.
double log_sinhc(double y) noexcept;
double log_sinhc_derivative(double y) noexcept;
double log_sinhc_second_derivative(double y) noexcept;
double log_sinhc_bregman(double y1, double d);
// y = logit(λ)/2, and y2 − y1 for two such parameters (to full relative precision).
double continuous_bernoulli_y(double probs) noexcept;
double continuous_bernoulli_y_difference(double probs1, double probs2) noexcept;

// f(x + d) − f(x) − d f'(x) = d² ∫₀¹ (1 − s) f''(x + s d) ds by 20-point Gauss–Legendre, given f''.
// For f analytic near the segment [x, x + d] (a few half-lengths away); the terms are ≥ 0 where
// f'' ≥ 0, so the result keeps its relative precision for small d.
double bregman_by_quadrature(double (*second_derivative)(double), double x, double d);

}  // namespace kl_terms
}  // namespace kldiv::distributions::detail
