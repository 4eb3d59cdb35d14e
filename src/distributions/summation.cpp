// D(P‖Q) by summation, for P and Q on the integers:
//   D = Σ_k t_k,  t_k = q_k − p_k + p_k v_k = p_k φ(v_k) ≥ 0,  v_k = ln p_k − ln q_k
// (t_k = q_k where p_k = 0). The sum starts with every point between P's components' anchors (the
// lowest mode, or first point of a categorical or Bernoulli, up to the highest mode or last point)
// and grows outwards one point at a time. The rest beyond the last point K on each side is
//   Σ_{k>K} t_k = Q(k > K) − P(k > K) + Σ_{k>K} p_k v_k,
// the masses from the cdfs (cdf.hpp) and the last sum bounded, |v| ≤ −ln p − ln q, by
//   Σ_{k>K} p_k (−ln p_k − ln q_k) ≤ p_K Σ_{j≥1} ρ^j (α + β j + γ j²)   (once for P, once for Q),
// where ρ ≥ sup_{k≥K} p_{k+1}/p_k (for a mixture the largest over its components, all of which
// are past their modes there), and −ln d_{K+j} ≤ α + β j + γ j², α = −ln d_K, bounds the growth of
// −ln d for d = p, q (a mixture: −ln d ≤ −ln w_i − ln d_i for any component i; the best is taken):
//   Σ_{j≥1} ρ^j (α + β j + γ j²) = α ρ/(1−ρ) + β ρ/(1−ρ)² + γ ρ(1+ρ)/(1−ρ)³.
// The sweep stops on a side once that bound is below ¼·tolerance·D; past the end of a
// finite support the bound is 0 and the sum is exact.
// Ratios above K: Poisson λ/(K+1); geometric 1 − p; negative binomial p·max(1, (K+r)/(K+1));
// binomial (n−K)p/((K+1)(1−p)). Below K: K/λ, K(1−p)/((n−K+1)p), K/(p(K+r−1)).
// Steps of −ln d (β, γ) above K: Poisson ln((K+1)/λ) and 1/(2(K+1)) (from ln(K+i) ≤ ln(K+1) +
// (i−1)/(K+1)); geometric −ln(1 − p); negative binomial −ln p + max(0, ln((K+1)/(K+r)));
// binomial ln(n(1−p)/p). Below K: Poisson ln λ, negative binomial ln(p·max(1, r)), binomial
// ln(n p/(1−p)), geometric 0 (each clamped at ≥ 0).
// The error is the two bounds plus the summed rounding bounds of divergence_density.hpp. More than
// 2^26 points is an error (ask for Monte Carlo).

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "kldiv/error.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"
#include "src/distributions/cdf.hpp"
#include "src/distributions/divergence_density.hpp"
#include "src/distributions/line_components.hpp"
#include "src/distributions/log_density.hpp"
#include "src/distributions/numerical.hpp"
#include "src/distributions/support.hpp"

namespace kldiv::distributions::detail {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double most_points = 0x1p26;

// Where the exact core of the sum begins and ends for one component.
struct anchors {
    double low, high;
};

anchors anchors_of(const univariate& d) {
    const support s = support_of(d);
    if (s.low == s.high) return {s.low, s.high};
    return std::visit(
        [&](const auto& c) -> anchors {
            using T = std::remove_cvref_t<decltype(c)>;
            if constexpr (std::is_same_v<T, categorical> || std::is_same_v<T, bernoulli>) {
                return {s.low, s.high};
            } else {
                double mode = 0.0;
                if constexpr (std::is_same_v<T, binomial>)
                    mode = std::min(std::floor((static_cast<double>(c.total_count) + 1.0) * c.probs), s.high);
                else if constexpr (std::is_same_v<T, poisson>)
                    mode = std::floor(c.rate);
                else if constexpr (std::is_same_v<T, negative_binomial>)
                    mode = c.total_count > 1.0 ? std::floor(c.probs * (c.total_count - 1.0) / (1.0 - c.probs)) : 0.0;
                return {mode, mode};
            }
        },
        d);
}

// sup p_{k±1}/p_k over the side of K not yet summed (K past the component's anchor on that side).
double ratio_bound(const univariate& d, double k, bool above) {
    const support s = support_of(d);
    if (above ? k >= s.high : k <= s.low) return 0.0;
    return std::visit(
        [&](const auto& c) -> double {
            using T = std::remove_cvref_t<decltype(c)>;
            if constexpr (std::is_same_v<T, binomial>) {
                const double n = static_cast<double>(c.total_count), p = c.probs;
                return above ? (n - k) * p / ((k + 1.0) * (1.0 - p)) : k * (1.0 - p) / ((n - k + 1.0) * p);
            } else if constexpr (std::is_same_v<T, geometric>) {
                return above ? 1.0 - c.probs : infinity;
            } else if constexpr (std::is_same_v<T, poisson>) {
                return above ? c.rate / (k + 1.0) : k / c.rate;
            } else if constexpr (std::is_same_v<T, negative_binomial>) {
                const double r = c.total_count, p = c.probs;
                return above ? p * std::max(1.0, (k + r) / (k + 1.0)) : k / (p * (k + r - 1.0));
            } else {
                return infinity;  // finite supports are summed to their ends
            }
        },
        d);
}

struct growth {
    double beta, gamma;
};

// Bounds on the steps of −ln q_k beyond K on one side (none for finite supports).
std::optional<growth> growth_bound(const univariate& d, double k, bool above) {
    return std::visit(
        [&](const auto& c) -> std::optional<growth> {
            using T = std::remove_cvref_t<decltype(c)>;
            if constexpr (std::is_same_v<T, poisson>) {
                return above ? growth{std::max(0.0, std::log((k + 1.0) / c.rate)), 0.5 / (k + 1.0)}
                             : growth{std::max(0.0, std::log(c.rate)), 0.0};
            } else if constexpr (std::is_same_v<T, geometric>) {
                return growth{above ? -std::log1p(-c.probs) : 0.0, 0.0};
            } else if constexpr (std::is_same_v<T, negative_binomial>) {
                const double r = c.total_count, p = c.probs;
                return growth{above ? -std::log(p) + std::max(0.0, std::log((k + 1.0) / (k + r)))
                                    : std::max(0.0, std::log(p * std::max(1.0, r))),
                              0.0};
            } else if constexpr (std::is_same_v<T, binomial>) {
                const double n = static_cast<double>(c.total_count), odds = c.probs / (1.0 - c.probs);
                return growth{std::max(0.0, std::log(above ? n / odds : n * odds)), 0.0};
            } else {
                return std::nullopt;
            }
        },
        d);
}

// Σ_{j≥1} ρ^j (α + β j + γ j²).
double series(double rho, double alpha, const growth& g) {
    if (rho == 0.0) return 0.0;
    if (!(rho < 1.0)) return infinity;
    const double s = 1.0 - rho;
    return alpha * rho / s + g.beta * rho / (s * s) + g.gamma * rho * (1.0 + rho) / (s * s * s);
}

// A bound on Σ_{j≥1} p_{K+j} (−ln d_{K+j}) / p_K for d a mixture given by its components and their
// densities: for any component i, −ln d ≤ −ln w_i − ln d_i, and the best i is taken.
double log_tail_series(const std::vector<weighted_component>& components, const std::vector<line_density>& parts,
                       double k, bool above, double rho) {
    double best = infinity;
    for (std::size_t i = 0; i < components.size(); ++i) {
        const double alpha = -std::log(components[i].weight) - parts[i](at(k));
        const auto g = growth_bound(components[i].component, k, above);
        if (g && std::isfinite(alpha)) best = std::min(best, series(rho, alpha, *g));
    }
    return best;
}

std::vector<line_density> densities_of(const std::vector<weighted_component>& components) {
    std::vector<line_density> out;
    for (const auto& c : components) out.emplace_back(c.component);
    return out;
}

class sweep {
public:
    sweep(const distribution& p, const distribution& q)
        : p_(p), q_(q), pc_(line_components(p)), qc_(line_components(q)), lp_(p), lq_(q), p_parts_(densities_of(pc_)),
          q_parts_(densities_of(qc_)) {}

    // Adds t_k; false where it is +∞ (q_k = 0 < p_k).
    bool add(double k) {
        if (++points_ > most_points)
            throw error("kl_divergence", "summation needs more than 2^26 points for this pair; ask for Monte Carlo");
        const auto t = divergence_density(lp_(at(k)), lq_(at(k)));
        if (std::isinf(t.value)) return false;
        sum_.add(t.value);
        rounding_ += t.rounding;
        return true;
    }

    double total() const { return sum_.value(); }
    double rounding() const { return rounding_; }

    // The rest beyond K on one side is Q(rest) − P(rest) + Σ p_k v_k; the last is bounded by
    // p_K (S_p + S_q) (|v| ≤ −ln p − ln q), all of P's components being past their anchors there.
    double rest_bound(double k, bool above) const {
        double rho = 0.0;
        for (const auto& c : pc_) rho = std::max(rho, ratio_bound(c.component, k, above));
        const double pk = std::exp(lp_(at(k)));
        if (rho == 0.0 || pk == 0.0) return 0.0;
        return pk * (log_tail_series(pc_, p_parts_, k, above, rho) + log_tail_series(qc_, q_parts_, k, above, rho));
    }
    double rest_masses(double k, bool above) const {
        return above ? mass_above(q_, k) - mass_above(p_, k) : mass_below(q_, k) - mass_below(p_, k);
    }

private:
    const distribution& p_;
    const distribution& q_;
    std::vector<weighted_component> pc_, qc_;
    line_density lp_, lq_;
    std::vector<line_density> p_parts_, q_parts_;
    kldiv::detail::compensated_sum sum_;
    double rounding_ = 0.0;
    double points_ = 0.0;
};

}  // namespace

kl_result summation_nats(const distribution& p, const distribution& q, double tolerance) {
    double low = infinity, high = -infinity;
    for (const auto& c : line_components(p)) {
        const anchors an = anchors_of(c.component);
        low = std::min(low, an.low);
        high = std::max(high, an.high);
    }
    // Points beyond 2^53 are not consecutive doubles (k + 1 == k: negative_binomial(1e308, 0.5) swept
    // 2^26 times the same point), and a span of anchors wider than the point limit cannot fit.
    constexpr double exact_integers = 9007199254740992.0;  // 2^53
    if (!(std::fabs(low) < exact_integers && std::fabs(high) < exact_integers))
        throw error("kl_divergence",
                    "summation cannot step through P's points around " +
                        kldiv::detail::to_text(std::fabs(low) < exact_integers ? high : low) +
                        ", beyond 2^53 where consecutive integers are not all doubles; ask for Monte Carlo");
    if (high - low >= most_points)
        throw error("kl_divergence", "summation needs more than 2^26 points for this pair; ask for Monte Carlo");
    const kl_result infinite{infinity, kl_method::infinite_by_support, 0.0, 0};
    sweep s(p, q);
    for (double k = low; k <= high; ++k)
        if (!s.add(k)) return infinite;
    double masses = 0.0, error = 0.0;
    for (const bool above : {true, false}) {
        for (double k = above ? high : low;; k += above ? 1.0 : -1.0) {
            if (k != (above ? high : low) && !s.add(k)) return infinite;
            const auto small = [&](double bound, double more) {
                return bound <= 0.25 * tolerance * std::max(s.total() + masses + more, 1e-300);
            };
            const double bound = s.rest_bound(k, above);  // the cdfs only once the bound is small
            if (!small(bound, 0.0)) continue;
            const double more = s.rest_masses(k, above);
            if (small(bound, more)) {
                masses += more;
                error += bound;
                break;
            }
        }
    }
    return {s.total() + masses, kl_method::summation, error + s.rounding(), 0};
}

}  // namespace kldiv::distributions::detail
