#pragma once
// The divergences of divergences.hpp beyond the KL family, as sums of per-event terms that are each
// ≥ 0 and exactly 0 where p̂ = q̂, over the events of a pair given by a source: the core's vectors
// (vector_events, from pair_scale's accurate ratio δ = p̂/q̂ − 1) or the batch layer's log-space
// rows (their own source, with δ from the difference of the logits). A source calls f(e) for every
// event where p̂ or q̂ is positive, with e.u and e.log_q filled when `logs` is asked for.
//
// Rényi and Tsallis of order α share one sum, written so that nothing cancels for any α ≥ 0:
//   R_α = Σ t_α,  t_α = (p̂^α q̂^(1−α) − α p̂ − (1−α) q̂) / (α − 1) ≥ 0   (weighted AM–GM),
// since Σ (α p̂ + (1−α) q̂) = 1. R_α is the Tsallis divergence itself and D_α = log1p((α−1) R_α)/(α−1).
// With u = ln(p̂/q̂) and ε = α − 1 a term is q̂·(e^(αu) − 1 − α(e^u − 1))/ε, evaluated as
//   p̂·(φ(u) + u·ψ(εu)/(εu))          where |ε| ≤ ½ and |εu| ≤ 1 (α near 1: no division by ε;
//                                      at ε = 0 it is KL's p̂·φ(u)), ψ(x) = e^x − 1 − x = φ(−x),
//   q̂·(expm1(αu) − α expm1(u))/ε     for |u| > ¾ elsewhere (no cancellation for any α: at small α
//                                      it is α(u − e^u + 1) to first order),
//   p̂·(expm1(εu) + ε expm1(−u))/ε    where e^(αu) or e^u would overflow (u ≥ 700 or αu ≥ 700),
//   q̂·(ψ(αu) − α ψ(u))/ε             for |u| ≤ ¾ (ψ by its series: no cancellation of the 1s);
// the summands differ by at most a factor of about 5 where they have opposite signs, so a term
// loses at most a few bits. Where R_α leaves [−½, 1]/ε (a large divergence, or an overflowing
// term) D_α comes instead from ln Σ p̂^α q̂^(1−α) as a log-sum-exp of ln q̂ + α u, whose terms are
// all positive.

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>

#include "kldiv/divergences.hpp"
#include "src/core/kernels.hpp"
#include "src/core/terms.hpp"
#include "src/core/validate.hpp"

namespace kldiv::detail {

// Which direction of support on_zero = error guards for m: none where m is finite for any supports.
inline support_rule divergence_support(measure m, double alpha) noexcept {
    switch (m) {
        case measure::kl_divergence:
        case measure::pearson_chi2:
            return support_rule::p_within_q;
        case measure::reverse_kl:
        case measure::neyman_chi2:
            return support_rule::q_within_p;
        case measure::jeffreys:
            return support_rule::both;
        case measure::renyi_divergence:
        case measure::tsallis_divergence:
            return alpha >= 1.0 ? support_rule::p_within_q : support_rule::none;
        case measure::skew_divergence:
            return alpha == 1.0 ? support_rule::p_within_q : support_rule::none;
        default:
            return support_rule::none;
    }
}

struct event {
    double ph, qh;  // p̂, q̂ (not both 0)
    double delta;   // p̂/q̂ − 1: −1 where p̂ = 0, +inf where q̂ = 0
    double u;       // ln(p̂/q̂) where both are positive (with logs)
    double log_q;   // ln q̂ where q̂ > 0 (with logs)
};

// The events of two validated vectors (raw values with exact sums).
template <class P, class Q>
struct vector_events {
    P p;
    Q q;
    pair_scale s;

    template <bool logs, class F>
    void each(F&& f) const {
        for (std::size_t i = 0; i < p.size(); ++i) {
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            if (pv == 0.0 && qv == 0.0) continue;
            event e{pv * s.p.inverse, qv * s.q.inverse, 0.0, 0.0, 0.0};
            e.delta = qv == 0.0 ? infinity : pv == 0.0 ? -1.0 : s.excess(pv, qv);
            if constexpr (logs) {
                if (pv > 0.0 && qv > 0.0) e.u = s.log_ratio(pv, qv, e.delta);
                if (qv > 0.0) e.log_q = log_normalized(qv, s.q);
            }
            f(e);
        }
    }
};
template <class P, class Q>
vector_events(P, Q, pair_scale) -> vector_events<P, Q>;

// Σ term(e) over the source's events, compensated; +inf if a term is. Four compensated sums take
// the events in turn (event i into sum i mod 4), so that consecutive events do not wait on one
// chain of additions; they are combined in a fixed order, so the result is deterministic.
template <bool logs = false, class Source, class Term>
double sum_events(const Source& source, Term&& term) {
    compensated_sum sums[4];
    std::size_t i = 0;
    bool infinite = false;
    source.template each<logs>([&](const event& e) {
        const double t = term(e);
        if (std::isinf(t)) {
            infinite = true;
        } else {
            sums[i++ & 3].add(t);
        }
    });
    if (infinite) return infinity;
    for (int k = 1; k < 4; ++k) {
        const double_double part = sums[k].result();
        sums[0].add(part.hi);
        sums[0].add(part.lo);
    }
    return sums[0].value();
}

// The sums of one kind of term that a source may compute its own (vectorized) way: a source with a
// member `std::optional<double> sum(term_kind) const` answers them (nullopt: it cannot, for this
// pair); every other source, and a nullopt, sums the scalar terms below.
enum class term_kind { pearson, neyman, squared_hellinger, total_variation, triangular, bhattacharyya_coefficient };

// (p̂ − q̂)²/q̂ = q̂·δ².
inline double pearson_term(const event& e) noexcept {
    if (e.qh == 0.0) return infinity;
    if (e.ph == 0.0) return e.qh;
    if (e.delta <= 1.0) return (e.qh * e.delta) * e.delta;
    const double r = (e.ph - e.qh) / std::sqrt(e.qh);  // δ or (p̂ − q̂)/q̂ could overflow, r² not
    return r * r;
}

// ½(√p̂ − √q̂)² = ½ q̂·(δ/(√(1+δ) + 1))².
inline double squared_hellinger_term(const event& e) noexcept {
    if (e.ph == 0.0 || e.qh == 0.0) return 0.5 * (e.ph + e.qh);
    if (e.delta <= 1.0) {
        const double r = e.delta / (std::sqrt(1.0 + e.delta) + 1.0);
        return 0.5 * e.qh * r * r;
    }
    const double x = std::sqrt(e.ph) - std::sqrt(e.qh);  // √p̂ ≥ √2·√q̂: the difference keeps its digits
    return 0.5 * x * x;
}

// ½|p̂ − q̂|.
inline double total_variation_term(const event& e) noexcept {
    if (e.ph == 0.0 || e.qh == 0.0 || e.delta > 1.0) return 0.5 * std::fabs(e.ph - e.qh);
    return 0.5 * e.qh * std::fabs(e.delta);
}

// (p̂ − q̂)²/(p̂ + q̂) = q̂·δ²/(2 + δ).
inline double triangular_term(const event& e) noexcept {
    if (e.ph == 0.0 || e.qh == 0.0) return e.ph + e.qh;
    if (e.delta <= 1.0) return (e.qh * e.delta) * (e.delta / (2.0 + e.delta));
    const double x = e.ph - e.qh;
    return x * (x / (e.ph + e.qh));
}

// The Rényi/Tsallis term t_α above (α ≥ 0 finite); +inf where it overflows. Needs logs.
inline double tsallis_term(const event& e, double alpha) noexcept {
    if (e.ph == 0.0) return e.qh;  // (0 − (1−α) q̂)/(α − 1)
    if (e.qh == 0.0) return alpha < 1.0 ? alpha * e.ph / (1.0 - alpha) : infinity;
    const double u = e.u, eps = alpha - 1.0;
    double t;
    if (std::fabs(eps) <= 0.5 && std::fabs(eps * u) <= 1.0) {
        const double x = eps * u;
        const double psi_ratio = x == 0.0 ? 0.0 : phi(-x) / x;
        // p̂·φ(u) = q̂ − p̂ + p̂u, in that form where e^(−u) could overflow.
        const double kl_part = u < -1.0 ? (e.qh - e.ph) + e.ph * u : e.ph * phi(u);
        t = kl_part + e.ph * u * psi_ratio;
    } else if (u > 0.75 && !(alpha * u < 700.0 && u < 700.0)) {
        // e^(αu) would overflow: p̂·(expm1(εu) + ε expm1(−u))/ε, whose summands (e^(εu) − 1 and
        // ε(e^(−u) − 1) with u ≥ 700) do not cancel
        t = e.ph * ((std::expm1(eps * u) + eps * std::expm1(-u)) / eps);
    } else if (std::fabs(u) > 0.75) {
        t = e.qh * ((std::expm1(alpha * u) - alpha * std::expm1(u)) / eps);
    } else {
        t = e.qh * ((phi(-alpha * u) - alpha * phi(-u)) / eps);
    }
    if (!(t <= DBL_MAX)) return infinity;  // NaN of inf − inf too: the caller falls back to log-sum-exp
    return std::fmax(0.0, t);
}

// The event's term of `kind` (neyman: (p̂ − q̂)²/p̂, the event seen from Q).
inline double term_of(term_kind kind, const event& e) noexcept {
    switch (kind) {
        case term_kind::pearson:
            return pearson_term(e);
        case term_kind::neyman:
            return pearson_term({e.qh, e.ph,
                                 e.ph == 0.0   ? infinity
                                 : e.qh == 0.0 ? -1.0
                                               : -e.delta / (1.0 + e.delta),
                                 0.0, 0.0});
        case term_kind::squared_hellinger:
            return squared_hellinger_term(e);
        case term_kind::total_variation:
            return total_variation_term(e);
        case term_kind::triangular:
            return triangular_term(e);
        case term_kind::bhattacharyya_coefficient:
            return std::sqrt(e.ph) * std::sqrt(e.qh);
    }
    return 0.0;
}

template <class Source>
double sum_of(const Source& source, term_kind kind) {
    if constexpr (requires { source.sum(kind); }) {
        if (const std::optional<double> fast = source.sum(kind)) return *fast;
    }
    return sum_events(source, [&](const event& e) { return term_of(kind, e); });
}

// ln Σ p̂^α q̂^(1−α) by log-sum-exp (+inf where q̂ = 0 < p̂ and α > 1; −inf for disjoint supports
// and α < 1).
template <class Source>
double log_power_sum(const Source& source, double alpha) {
    const auto exponent = [&](const event& e) {
        if (e.ph == 0.0) return -infinity;
        if (e.qh == 0.0) return alpha > 1.0 ? infinity : -infinity;
        return alpha == 0.0 ? e.log_q : e.log_q + alpha * e.u;
    };
    double top = -infinity;
    source.template each<true>([&](const event& e) { top = std::max(top, exponent(e)); });
    if (std::isinf(top)) return top;
    return top + std::log(sum_events<true>(source, [&](const event& e) { return std::exp(exponent(e) - top); }));
}

// D_α in nats for finite α ≥ 0, α ≠ 1.
template <class Source>
double renyi_nats(const Source& source, double alpha) {
    const double eps = alpha - 1.0;
    const double r = sum_events<true>(source, [&](const event& e) { return tsallis_term(e, alpha); });
    const double x = eps * r;
    if (x >= -0.5 && x <= 1.0) return std::log1p(x) / eps;
    return log_power_sum(source, alpha) / eps;
}

// T_α for finite α ≥ 0, α ≠ 1.
template <class Source>
double tsallis_value(const Source& source, double alpha) {
    const double r = sum_events<true>(source, [&](const event& e) { return tsallis_term(e, alpha); });
    if (std::isfinite(r)) return r;
    return std::expm1(log_power_sum(source, alpha)) / (alpha - 1.0);  // inf if it is
}

// D_∞ = ln max p̂/q̂ over P's support.
template <class Source>
double renyi_infinity_nats(const Source& source) {
    double top = 0.0;  // max p̂/q̂ ≥ 1
    source.template each<true>([&](const event& e) {
        if (e.ph == 0.0) return;
        top = std::max(top, e.qh == 0.0 ? infinity : e.u);
    });
    return top;
}

// −ln Σ √(p̂q̂) = −ln(1 − H²) in nats.
template <class Source>
double bhattacharyya_nats(const Source& source) {
    const double h2 = sum_of(source, term_kind::squared_hellinger);
    if (h2 <= 0.5) return -std::log1p(-h2);
    // 1 − H² would lose the digits of a small coefficient: sum it directly.
    return -std::log(sum_of(source, term_kind::bhattacharyya_coefficient));
}

// s_α = D(P‖αQ + (1−α)P) in nats for α in (0, 1).
template <class Source>
double skew_nats(const Source& source, double alpha) {
    return sum_events(source, [&](const event& e) {
        if (e.ph == 0.0) return alpha * e.qh;  // m̂·φ(−1) = m̂ with m̂ = α q̂
        const mixture_event m = mixture_of(e.ph, e.qh, e.delta, 1.0 - alpha, alpha);
        return m.m * m.to_p;
    });
}

// One event's share of D(P‖Q) and of D(Q‖P) in non-negative form, for sources without the raw values
// (log-space rows): q̂·f(δ) and q̂·g(δ) with the generators of generators.hpp near P = Q, and
// p̂(u − 1) + q̂, (p̂ − q̂) − q̂u (no cancellation there) where δ leaves [−½, 1]. Need logs.
inline double kl_event_term(const event& e) noexcept {
    if (e.ph == 0.0) return e.qh;
    if (e.qh == 0.0) return infinity;
    if (e.delta <= 1.0) return e.qh * kl_generator(e.delta);
    return e.ph * (e.u - 1.0) + e.qh;
}
inline double reverse_kl_event_term(const event& e) noexcept {
    if (e.qh == 0.0) return e.ph;
    if (e.ph == 0.0) return infinity;
    if (e.delta >= -0.5 && e.delta <= 1.0) return e.qh * reverse_kl_generator(e.delta);
    return std::fmax(0.0, (e.ph - e.qh) - e.qh * e.u);
}

// The measure m of the source's pair, in nats for the logarithmic measures (js_distance: the root of
// JS in nats), given `kl` (a function returning D(P‖Q) in nats) for the members of the KL family
// the source's owner computes its own way (kl_divergence, reverse_kl, jeffreys, and Rényi, Tsallis
// and skew at α = 1). Parameters are checked.
template <class Source, class KL>
double divergence_nats(const Source& source, measure m, const options& opts, KL&& kl) {
    const double alpha = opts.alpha;
    switch (m) {
        case measure::kl_divergence:
        case measure::reverse_kl:
        case measure::jeffreys:
            return kl(m);
        case measure::js_divergence:
        case measure::js_distance: {
            const double js =
                sum_events(source, [&](const event& e) { return js_term_of(e.ph, e.qh, e.delta, opts.beta); });
            return m == measure::js_distance ? std::sqrt(js) : js;
        }
        case measure::renyi_divergence:
            if (alpha == 1.0) return kl(measure::kl_divergence);
            if (alpha == 0.5) return 2.0 * bhattacharyya_nats(source);
            if (alpha == 2.0) {  // ln(1 + χ²), where χ² itself does not overflow
                const double chi2 = sum_of(source, term_kind::pearson);
                if (chi2 <= DBL_MAX) return std::log1p(chi2);
            }
            if (std::isinf(alpha)) return renyi_infinity_nats(source);
            return renyi_nats(source, alpha);
        case measure::tsallis_divergence:
            if (alpha == 1.0) return kl(measure::kl_divergence);
            return tsallis_value(source, alpha);
        case measure::pearson_chi2:
            return sum_of(source, term_kind::pearson);
        case measure::neyman_chi2:
            return sum_of(source, term_kind::neyman);
        case measure::squared_hellinger:
            return sum_of(source, term_kind::squared_hellinger);
        case measure::hellinger:
            return std::sqrt(sum_of(source, term_kind::squared_hellinger));
        case measure::total_variation:
            return sum_of(source, term_kind::total_variation);
        case measure::bhattacharyya:
            return bhattacharyya_nats(source);
        case measure::triangular:
            return sum_of(source, term_kind::triangular);
        case measure::skew_divergence:
            if (alpha == 1.0) return kl(measure::kl_divergence);
            return skew_nats(source, alpha);
    }
    return 0.0;
}

// The measure m of two validated vectors (raw values with exact sums) in the unit of opts.base where
// in_log_units(m): what kldiv::divergence returns, the KL family by the core's kernels (the very
// values of kl_divergence and jeffreys). `source` is the pair's events (vector_events, or a source
// with its own sums of the same pair). Parameters are checked by the caller.
template <class Source, class P, class Q>
double divergence_of_vectors(const Source& source, P pv, double_double sp, Q qv, double_double sq, measure m,
                             const options& opts) {
    const double v = divergence_nats(source, m, opts, [&](measure family) {
        const double forward = family == measure::reverse_kl ? 0.0 : kl_nats(pv, sp, qv, sq);
        return family == measure::kl_divergence ? forward : forward + kl_nats(qv, sq, pv, sp);
    });
    if (m == measure::js_distance) return std::sqrt(opts.base.from_nats(v * v));
    return in_log_units(m) ? opts.base.from_nats(v) : v;
}

}  // namespace kldiv::detail
