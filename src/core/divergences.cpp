#include "kldiv/divergences.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "src/core/divergence_terms.hpp"
#include "src/core/kernels.hpp"
#include "src/core/validate.hpp"

namespace kldiv {

bool in_log_units(measure m) noexcept {
    switch (m) {
        case measure::kl_divergence:
        case measure::reverse_kl:
        case measure::jeffreys:
        case measure::js_divergence:
        case measure::js_distance:
        case measure::renyi_divergence:
        case measure::bhattacharyya:
        case measure::skew_divergence:
            return true;
        default:
            return false;
    }
}

bool is_f_divergence(measure m) noexcept {
    return m != measure::js_distance && m != measure::renyi_divergence && m != measure::hellinger &&
           m != measure::bhattacharyya;
}

bool uses_alpha(measure m) noexcept {
    return m == measure::renyi_divergence || m == measure::tsallis_divergence || m == measure::skew_divergence;
}

bool uses_beta(measure m) noexcept { return m == measure::js_divergence || m == measure::js_distance; }

void check_parameters(const char* function, measure m, const options& opts) {
    if (uses_beta(m)) detail::check_beta(function, opts.beta);
    const double a = opts.alpha;
    const auto refuse = [&](const char* rule) {
        throw error(function, "alpha = " + detail::to_text(a) + ", but the order of " + name(m) + " " + rule);
    };
    if (m == measure::renyi_divergence && !(a >= 0.0)) refuse("must be >= 0 (inf allowed)");
    if (m == measure::tsallis_divergence && !(a >= 0.0 && a <= DBL_MAX)) refuse("must be finite and >= 0");
    if (m == measure::skew_divergence && !(a > 0.0 && a <= 1.0)) {
        throw error(function,
                    "alpha = " + detail::to_text(a) + ", but the weight of Q in skew_divergence must lie in (0, 1]");
    }
}

namespace {

using detail::double_double;

template <class T>
double divergence_of(std::span<const T> p, std::span<const T> q, measure m, const options& opts) {
    const char* function = "divergence";
    check_parameters(function, m, opts);
    return detail::with_pair(function, p, q, opts, detail::divergence_support(m, opts.alpha),
                             [&](auto pv, double_double sp, auto qv, double_double sq) {
                                 const detail::vector_events source{pv, qv, detail::pair_scale(sp, sq)};
                                 return detail::divergence_of_vectors(source, pv, sp, qv, sq, m, opts);
                             });
}

}  // namespace

double divergence(std::span<const double> p, std::span<const double> q, measure m, const options& opts) {
    return divergence_of(p, q, m, opts);
}
double divergence(std::span<const float> p, std::span<const float> q, measure m, const options& opts) {
    return divergence_of(p, q, m, opts);
}

double generalized_js_divergence(std::span<const std::span<const double>> distributions,
                                 std::span<const double> weights, const options& opts) {
    const char* function = "generalized_js_divergence";
    detail::check_options(function, opts);
    const std::size_t n = distributions.size();
    if (n == 0) throw error(function, "no distributions are given, but the divergence needs at least one");
    if (!weights.empty() && weights.size() != n) {
        throw error(function, std::to_string(weights.size()) + " weights are given for " + std::to_string(n) +
                                  " distributions, but there must be one weight per distribution (or none)");
    }
    // The weights: a distribution over the inputs, checked as any probability vector is.
    std::vector<double> w(n, 1.0 / static_cast<double>(n));
    if (!weights.empty()) {
        for (std::size_t i = 0; i < n; ++i) {
            if (!(weights[i] >= 0.0 && weights[i] <= DBL_MAX)) {
                throw error(function, "weights[" + std::to_string(i) + "] = " + detail::to_text(weights[i]) +
                                          ", but weights must be finite and >= 0");
            }
        }
        options weight_rule = opts;
        weight_rule.on_zero = zero_support::infinity;
        const double_double total = detail::validated_sum(function, "weights", weights, weight_rule);
        for (std::size_t i = 0; i < n; ++i) w[i] = weights[i] / total.hi;
    }
    // Each P_i as its distribution p̂_i (smoothed under on_zero = smooth), then M = Σ w_i p̂_i.
    const std::size_t events = distributions[0].size();
    std::vector<std::vector<double>> hats(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::span<const double> p = distributions[i];
        const std::string name = "distributions[" + std::to_string(i) + "]";
        if (p.size() != events) {
            throw error(function, name + " has " + std::to_string(p.size()) + " events and distributions[0] has " +
                                      std::to_string(events) + ", but all must have the same number of events");
        }
        const double_double sp = detail::validated_sum(function, name.c_str(), p, opts);
        hats[i] = detail::smoothed(p, sp, opts.on_zero == zero_support::smooth ? opts.epsilon : 0.0);
    }
    std::vector<double> m(events, 0.0);
    for (std::size_t j = 0; j < events; ++j) {
        bool same = true;
        for (std::size_t i = 0; i < n; ++i) {
            m[j] += w[i] * hats[i][j];
            same = same && hats[i][j] == hats[0][j];
        }
        if (same) m[j] = hats[0][j];  // the events all inputs agree on contribute exactly 0
    }
    const std::span<const double> mv(m);
    const double_double sm = detail::exact_sum(mv);
    detail::compensated_sum total;
    for (std::size_t i = 0; i < n; ++i) {
        if (w[i] == 0.0) continue;
        const std::span<const double> h(hats[i]);
        total.add(w[i] * detail::kl_nats(h, detail::exact_sum(h), mv, sm));
    }
    return opts.base.from_nats(total.value());
}

}  // namespace kldiv
