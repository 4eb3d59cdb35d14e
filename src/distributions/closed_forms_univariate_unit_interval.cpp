// Closed forms of D(P‖Q) among beta, continuous Bernoulli and uniform, in nats. These families meet
// at Uniform(0, 1) = Beta(1, 1) = CB(½), so every pair can be nearly identical.
// φ(u) = e^u − 1 − u ≥ 0; B_μ is the Bregman divergence of Binet's function μ; the continuous
// Bernoulli CB(λ) is written in y = logit(λ)/2 with ℓ(y) = ln(sinh y / y) (closed_forms_univariate.hpp).
//
// Cancellation-free (every term ≥ 0, exactly 0 for P = Q):
//   Beta(a1, b1) ‖ Beta(a2, b2)   The Bregman divergence of ln B, B(a) + B(b) − B(s) (s = a + b) with
//                                 B = B_G + B_μ split as for gamma, regrouped:
//                                   s2 D(Bern(a2/s2) ‖ Bern(a1/s1)) + ½ [φ(va) + φ(vb) − φ(vs)]
//                                   + [B_μ(a1, ·) + B_μ(b1, ·) − B_μ(s1, ·)],   v = ln(new/old);
//                                 the bracket of φ is ≥ 0 (vs lies between va and vb), the Binet
//                                 bracket is small (O(1/a) of the rest for large parameters).
//   CB(λ1) ‖ CB(λ2)              ℓ(y2) − ℓ(y1) − (y2 − y1) ℓ'(y1) ≥ 0, by quadrature of ℓ'' ≥ 0 nearby
//   Uniform ‖ Uniform             ln(1 + (extra width of Q)/(width of P))
//   Beta or CB ‖ Uniform(l, h)    ln(h − l) + D(P ‖ Uniform(0, 1))
// Uniform(l, h) or Beta against Beta or CB are D(·‖Uniform(0,1))-type terms (each ≥ 0) plus one
// product of two small offsets, e.g. Uniform(l, h) ‖ CB(y) = −ln(h − l) + ℓ(y) + y (1 − l − h).

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/distributions/closed_forms_univariate.hpp"

namespace kldiv::distributions::detail {
namespace {

using namespace kl_terms;

constexpr double infinity = std::numeric_limits<double>::infinity();

// D(P ‖ Uniform(0, 1)) = −H(P).
double beta_negentropy(const beta& p) { return *closed_form(p, beta(1.0, 1.0)); }
double continuous_bernoulli_negentropy(double y) { return log_sinhc_bregman(y, -y); }

}  // namespace

namespace kl_terms {

double log_beta_bregman(std::span<const double> a1, std::span<const double> a2, std::string_view name) {
    // Written for beta (K = 2), the same for any K:
    //   s2 D(Cat(a2/s2) ‖ Cat(a1/s1)) + ½ [Σ φ(v_k) − φ(v_s)] + [Σ B_μ(a1_k, ·) − B_μ(s1, ·)].
    double s1 = 0.0, s2 = 0.0;
    for (std::size_t k = 0; k < a1.size(); ++k) s1 += a1[k], s2 += a2[k];
    for (const auto& [a, s] : {std::pair{a1, s1}, std::pair{a2, s2}}) {
        if (std::isfinite(s)) continue;
        std::string text;
        for (const double x : a) text += (text.empty() ? "" : ", ") + kldiv::detail::to_text(x);
        if (name != "beta") text = "[" + text + "]";
        throw error("kl_divergence",
                    std::string(name) + "(" + text + "): the sum of its concentrations exceeds the double range");
    }
    const double hs = s2 - s1;
    // Each distribution scaled by a power of two (exact) so that products of its parameters cannot
    // overflow (beta(1e308, 1): s1 s2 = inf made the mean difference 0).
    const int e1 = std::ilogb(s1), e2 = std::ilogb(s2);
    const double scale = std::ldexp(s1, -e1) * std::ldexp(s2, -e2);
    double smallest = DBL_MAX;
    for (std::size_t k = 0; k < a1.size(); ++k) smallest = std::min({smallest, a1[k] / s1, a2[k] / s2});
    double means = 0.0, logs = 0.0, binets = 0.0;
    for (std::size_t k = 0; k < a1.size(); ++k) {
        const double h = a2[k] - a1[k];
        if (smallest >= DBL_MIN) {
            // a2/s2 − a1/s1 = (a2 s1 − a1 s2) / (s1 s2)
            const double difference = difference_of_products(std::ldexp(a2[k], -e2), std::ldexp(s1, -e1),
                                                             std::ldexp(a1[k], -e1), std::ldexp(s2, -e2)) /
                                      scale;
            means += kl_term(a2[k] / s2, a1[k] / s1, difference);
        } else {
            // A mean underflows (beta(1e308, 1e-300): b1/s1 = 0 made the divergence +inf): each term
            // s2 [x ln(x/y) − x + y] with x = a2/s2, y = a1/s1 in logs; far from P = Q, so no cancellation.
            means += a2[k] * (log_ratio_of_products(a2[k], s1, a1[k], s2) - 1.0) + a1[k] * (s2 / s1);
        }
        logs += exp_gap(log_ratio(a2[k], a1[k], h));
        binets += binet_bregman(a1[k], a2[k], h);
    }
    logs -= exp_gap(log_ratio(s2, s1, hs));
    binets -= binet_bregman(s1, s2, hs);
    return (smallest >= DBL_MIN ? s2 * means : means) + 0.5 * logs + binets;
}

}  // namespace kl_terms

std::optional<double> closed_form(const beta& p, const beta& q) {
    const std::array<double, 2> a1{p.concentration1, p.concentration0}, a2{q.concentration1, q.concentration0};
    return log_beta_bregman(a1, a2, beta::name);
}

std::optional<double> closed_form(const continuous_bernoulli& p, const continuous_bernoulli& q) {
    return log_sinhc_bregman(continuous_bernoulli_y(p.probs), continuous_bernoulli_y_difference(p.probs, q.probs));
}

std::optional<double> closed_form(const uniform& p, const uniform& q) {
    const double outer_high = q.high - p.high, outer_low = p.low - q.low;
    if (outer_high < 0.0 || outer_low < 0.0) return infinity;
    return log_ratio(q.high - q.low, p.high - p.low, outer_high + outer_low);
}

std::optional<double> closed_form(const beta& p, const uniform& q) {
    if (q.low > 0.0 || q.high < 1.0) return infinity;
    return std::log(q.high - q.low) + beta_negentropy(p);
}

std::optional<double> closed_form(const continuous_bernoulli& p, const uniform& q) {
    if (q.low > 0.0 || q.high < 1.0) return infinity;
    return std::log(q.high - q.low) + continuous_bernoulli_negentropy(continuous_bernoulli_y(p.probs));
}

std::optional<double> closed_form(const uniform& p, const beta& q) {
    // D(U(0,1) ‖ Q) − ln(h − l) − (a − 1)(E[ln X] + 1) − (b − 1)(E[ln(1 − X)] + 1)
    if (p.low < 0.0 || p.high > 1.0) return infinity;
    const double a = q.concentration1, b = q.concentration0;
    return *closed_form(beta(1.0, 1.0), q) - std::log(p.high - p.low) -
           (a - 1.0) * (uniform_mean_log(p.low, p.high) + 1.0) -
           (b - 1.0) * (uniform_mean_log(1.0 - p.high, 1.0 - p.low) + 1.0);
}

std::optional<double> closed_form(const uniform& p, const continuous_bernoulli& q) {
    if (p.low < 0.0 || p.high > 1.0) return infinity;
    const double y = continuous_bernoulli_y(q.probs);
    return -std::log(p.high - p.low) + log_sinhc(y) + y * ((1.0 - p.high) - p.low);
}

std::optional<double> closed_form(const beta& p, const continuous_bernoulli& q) {
    const double a = p.concentration1, b = p.concentration0;
    const double y = continuous_bernoulli_y(q.probs);
    return beta_negentropy(p) + log_sinhc(y) + y * (b - a) / (a + b);
}

}  // namespace kldiv::distributions::detail
