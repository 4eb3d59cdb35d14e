// Closed forms of D(P‖Q) for the discrete families, in nats. All are sums of the terms
// x ln(x/y) − x + y ≥ 0 (kl_terms::kl_term), one per event, so none cancels: each is exactly 0 for
// P = Q and keeps its relative precision for nearly identical parameters.
//
//   Bernoulli(p) ‖ Bernoulli(q)    b(p, q) = [p ln(p/q) − p + q] + [(1−p) ln((1−p)/(1−q)) − (1−p) + (1−q)]
//   Binomial(n, p) ‖ Binomial(n, q) n b(p, q)            (nullopt for different n)
//   Geometric(p) ‖ Geometric(q)     b(p, q) / p           (failures before the first success)
//   NegBinomial(r, p) ‖ (r, q)      r b(p, q) / (1 − p)   (nullopt for different r)
//   Poisson(λ) ‖ Poisson(μ)         λ ln(λ/μ) − λ + μ
//   Categorical(p) ‖ Categorical(q) Σ_k [p_k ln(p_k/q_k) − p_k + q_k], a missing category has
//                                   probability 0: the core's terms (terms.hpp) on the weights as
//                                   given, normalized exactly there, so that the normalizations'
//                                   rounding does not swamp nearly equal weights
//   Bernoulli(p) ‖ Poisson(λ)       the event terms for k = 0, 1 and Q(k ≥ 2) = P(2, λ) (regularized
//                                   incomplete gamma), the k ≥ 2 events' term q_k

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/special_functions/gamma.hpp>

#include "kldiv/discrete.hpp"
#include "src/distributions/closed_forms_univariate.hpp"

namespace kldiv::distributions::detail {
namespace {

double bernoulli_kl(double p, double q) noexcept { return kl_terms::bernoulli_kl(p, q, p - q, 1.0 - p, 1.0 - q); }

}  // namespace

std::optional<double> closed_form(const bernoulli& p, const bernoulli& q) { return bernoulli_kl(p.probs, q.probs); }

std::optional<double> closed_form(const binomial& p, const binomial& q) {
    if (p.total_count != q.total_count) return std::nullopt;
    if (p.total_count == 0) return 0.0;
    return static_cast<double>(p.total_count) * bernoulli_kl(p.probs, q.probs);
}

std::optional<double> closed_form(const categorical& p, const categorical& q) {
    const std::size_t k = std::max(p.weights.size(), q.weights.size());
    std::vector<double> wp(p.weights), wq(q.weights);
    wp.resize(k, 0.0);
    wq.resize(k, 0.0);
    return kldiv::kl_divergence(wp, wq, {.normalize = true});
}

std::optional<double> closed_form(const geometric& p, const geometric& q) {
    return bernoulli_kl(p.probs, q.probs) / p.probs;
}

std::optional<double> closed_form(const poisson& p, const poisson& q) {
    return kl_terms::kl_term(p.rate, q.rate, p.rate - q.rate);
}

std::optional<double> closed_form(const negative_binomial& p, const negative_binomial& q) {
    if (p.total_count != q.total_count) return std::nullopt;
    return p.total_count * bernoulli_kl(p.probs, q.probs) / (1.0 - p.probs);
}

std::optional<double> closed_form(const bernoulli& p, const poisson& q) {
    // x ln(x/y) − x + y = x φ(ln y − ln x) with ln Q(0) = −λ, ln Q(1) = ln λ − λ (no underflow).
    const auto term = [](double x, double log_x, double log_y) {
        return x == 0.0 ? std::exp(log_y) : x * kl_terms::exp_gap(log_y - log_x);
    };
    const double lambda = q.rate;
    const double no_success = 1.0 - p.probs;
    return term(no_success, std::log(no_success), -lambda) +
           term(p.probs, std::log(p.probs), std::log(lambda) - lambda) + boost::math::gamma_p(2.0, lambda);
}

}  // namespace kldiv::distributions::detail
