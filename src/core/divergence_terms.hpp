#pragma once
// Per-event terms of the divergences of divergences.hpp beyond the KL family, each ≥ 0 and exactly 0
// where p̂ = q̂, from the accurate ratio δ = p̂/q̂ − 1 (pair_scale::excess, terms.hpp), and the sums
// over validated vectors (raw values p, q with exact sums: the measures are of p/Sp and q/Sq).
//
// Rényi and Tsallis of order α share one sum, written so that nothing cancels for any α ≥ 0:
//   R_α = Σ t_α,  t_α = (p̂^α q̂^(1−α) − α p̂ − (1−α) q̂) / (α − 1) ≥ 0   (weighted AM–GM),
// since Σ (α p̂ + (1−α) q̂) = 1. R_α is the Tsallis divergence itself and D_α = log1p((α−1) R_α)/(α−1).
// With u = ln(p̂/q̂) and ε = α − 1 a term is q̂·(e^(αu) − 1 − α(e^u − 1))/ε, evaluated as
//   p̂·(φ(u) + u·ψ(εu)/(εu))       where |ε| ≤ ½ and |εu| ≤ 1 (α near 1: no division by ε;
//                                   at ε = 0 it is KL's p̂·φ(u)), ψ(x) = e^x − 1 − x = φ(−x),
//   q̂·(ψ(αu) − α ψ(u))/ε           for |u| ≤ ¾ elsewhere (ψ by its series: no cancellation of the 1s),
//   q̂·(expm1(αu) − α expm1(u))/ε   for u < −¾,
//   p̂·(expm1(εu) + ε expm1(−u))/ε   for u > ¾ (the same, scaled by p̂: no overflow of e^(αu)),
// the summands differ by at most a factor of about 5 where they have opposite signs, so a term
// loses at most a few bits. Where R_α leaves [−½, 1]/ε (a large divergence, or an overflowing
// term) D_α comes instead from ln Σ p̂^α q̂^(1−α) as a log-sum-exp of α ln p̂ + (1−α) ln q̂, whose
// terms are all positive.

#include <algorithm>
#include <cmath>
#include <span>

#include "src/core/terms.hpp"

namespace kldiv::detail {

// (p̂ − q̂)²/q̂ = q̂·δ².
inline double pearson_term(double p, double q, const pair_scale& s) noexcept {
    if (q == 0.0) return p == 0.0 ? 0.0 : infinity;
    const double qh = q * s.q.inverse;
    if (p == 0.0) return qh;
    const double d = s.excess(p, q);
    if (d <= 1.0) return (qh * d) * d;
    const double r = (p * s.p.inverse - qh) / std::sqrt(qh);  // δ or (p̂ − q̂)/q̂ could overflow, r² not
    return r * r;
}

// ½(√p̂ − √q̂)² = ½ q̂·(δ/(√(1+δ) + 1))².
inline double squared_hellinger_term(double p, double q, const pair_scale& s) noexcept {
    const double ph = p * s.p.inverse, qh = q * s.q.inverse;
    if (p == 0.0 || q == 0.0) return 0.5 * (ph + qh);
    const double d = s.excess(p, q);
    if (d <= 1.0) {
        const double r = d / (std::sqrt(1.0 + d) + 1.0);
        return 0.5 * qh * r * r;
    }
    const double x = std::sqrt(ph) - std::sqrt(qh);  // √p̂ ≥ √2·√q̂: the difference keeps its digits
    return 0.5 * x * x;
}

// √(p̂ q̂): one event's share of the Bhattacharyya coefficient.
inline double bhattacharyya_coefficient_term(double p, double q, const pair_scale& s) noexcept {
    return std::sqrt(p * s.p.inverse) * std::sqrt(q * s.q.inverse);
}

// ½|p̂ − q̂|.
inline double total_variation_term(double p, double q, const pair_scale& s) noexcept {
    const double ph = p * s.p.inverse, qh = q * s.q.inverse;
    if (p == 0.0 || q == 0.0) return 0.5 * (ph + qh);
    const double d = s.excess(p, q);
    return d <= 1.0 ? 0.5 * qh * std::fabs(d) : 0.5 * (ph - qh);
}

// (p̂ − q̂)²/(p̂ + q̂) = q̂·δ²/(2 + δ).
inline double triangular_term(double p, double q, const pair_scale& s) noexcept {
    const double ph = p * s.p.inverse, qh = q * s.q.inverse;
    if (p == 0.0 || q == 0.0) return ph + qh;
    const double d = s.excess(p, q);
    if (d <= 1.0) return (qh * d) * (d / (2.0 + d));
    const double x = ph - qh;
    return x * (x / (ph + qh));
}

// The Rényi/Tsallis term t_α above (α ≥ 0 finite, α ≠ 1 or = 1 alike); +inf where it overflows.
inline double tsallis_term(double p, double q, const pair_scale& s, double alpha) noexcept {
    const double qh = q * s.q.inverse;
    if (p == 0.0) return qh;  // (0 − (1−α) q̂)/(α − 1)
    const double ph = p * s.p.inverse;
    if (q == 0.0) return alpha < 1.0 ? alpha * ph / (1.0 - alpha) : infinity;
    const double u = s.log_ratio(p, q, s.excess(p, q));
    const double e = alpha - 1.0;
    double t;
    if (std::fabs(e) <= 0.5 && std::fabs(e * u) <= 1.0) {
        const double x = e * u;
        const double psi_ratio = x == 0.0 ? 0.0 : phi(-x) / x;
        // p̂·φ(u) = q̂ − p̂ + p̂u, in that form where e^(−u) could overflow.
        const double kl_part = u < -1.0 ? (qh - ph) + ph * u : ph * phi(u);
        t = kl_part + ph * u * psi_ratio;
    } else if (u > 0.75) {  // p̂·(expm1(εu) + ε·expm1(−u))/ε: e^(αu) itself could overflow
        t = ph * ((std::expm1(e * u) + e * std::expm1(-u)) / e);
    } else if (u < -0.75) {
        t = qh * ((std::expm1(alpha * u) - alpha * std::expm1(u)) / e);
    } else {
        t = qh * ((phi(-alpha * u) - alpha * phi(-u)) / e);
    }
    if (!(t <= DBL_MAX)) return infinity;  // NaN of inf − inf too: the caller falls back to log-sum-exp
    return std::fmax(0.0, t);
}

// R_α = Σ t_α (the Tsallis divergence), +inf where a term overflows or is infinite.
template <class T>
double tsallis_sum(std::span<const T> p, std::span<const T> q, const pair_scale& s, double alpha) noexcept {
    return sum_terms(p.size(), [&](std::size_t i) {
        return tsallis_term(static_cast<double>(p[i]), static_cast<double>(q[i]), s, alpha);
    });
}

// ln Σ p̂^α q̂^(1−α) by log-sum-exp (+inf where q̂ = 0 < p̂ and α > 1; −inf for disjoint supports
// and α < 1).
template <class T>
double log_power_sum(std::span<const T> p, std::span<const T> q, const pair_scale& s, double alpha) noexcept {
    const auto exponent = [&](std::size_t i) {
        const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
        if (pv == 0.0) return -infinity;
        if (qv == 0.0) return alpha > 1.0 ? infinity : -infinity;
        const double lq = log_normalized(qv, s.q);
        return alpha == 0.0 ? lq : lq + alpha * s.log_ratio(pv, qv, s.excess(pv, qv));
    };
    double top = -infinity;
    for (std::size_t i = 0; i < p.size(); ++i) top = std::max(top, exponent(i));
    if (std::isinf(top)) return top;
    return top + std::log(sum_terms(p.size(), [&](std::size_t i) { return std::exp(exponent(i) - top); }));
}

// D_α in nats for finite α ≥ 0, α ≠ 1, ½, 2 (those have their own forms).
template <class T>
double renyi_nats(std::span<const T> p, std::span<const T> q, const pair_scale& s, double alpha) noexcept {
    const double e = alpha - 1.0;
    const double r = tsallis_sum(p, q, s, alpha);
    const double x = e * r;
    if (x >= -0.5 && x <= 1.0) return std::log1p(x) / e;
    return log_power_sum(p, q, s, alpha) / e;
}

// T_α for finite α ≥ 0, α ≠ 1.
template <class T>
double tsallis_value(std::span<const T> p, std::span<const T> q, const pair_scale& s, double alpha) noexcept {
    const double r = tsallis_sum(p, q, s, alpha);
    if (std::isfinite(r)) return r;
    return std::expm1(log_power_sum(p, q, s, alpha)) / (alpha - 1.0);  // inf if it is
}

// D_∞ = ln max p̂/q̂ over P's support.
template <class T>
double renyi_infinity_nats(std::span<const T> p, std::span<const T> q, const pair_scale& s) noexcept {
    double top = 0.0;  // max p̂/q̂ ≥ 1
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
        if (pv == 0.0) continue;
        if (qv == 0.0) return infinity;
        top = std::max(top, s.log_ratio(pv, qv, s.excess(pv, qv)));
    }
    return top;
}

// −ln Σ √(p̂q̂) = −ln(1 − H²) in nats.
template <class T>
double bhattacharyya_nats(std::span<const T> p, std::span<const T> q, const pair_scale& s) noexcept {
    const double h2 = sum_terms(p.size(), [&](std::size_t i) {
        return squared_hellinger_term(static_cast<double>(p[i]), static_cast<double>(q[i]), s);
    });
    if (h2 <= 0.5) return -std::log1p(-h2);
    // 1 − H² would lose the digits of a small coefficient: sum it directly.
    return -std::log(sum_terms(p.size(), [&](std::size_t i) {
        return bhattacharyya_coefficient_term(static_cast<double>(p[i]), static_cast<double>(q[i]), s);
    }));
}

// s_α = D(P‖αQ + (1−α)P) in nats for α in (0, 1).
template <class T>
double skew_nats(std::span<const T> p, std::span<const T> q, const pair_scale& s, double alpha) noexcept {
    return sum_terms(p.size(), [&](std::size_t i) {
        const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
        if (pv == 0.0 && qv == 0.0) return 0.0;
        const double ph = pv * s.p.inverse, qh = qv * s.q.inverse;
        if (pv == 0.0) return alpha * qh;  // m̂·φ(−1) = m̂ with m̂ = α q̂
        const mixture_event e = mixture_of(ph, qh, qv == 0.0 ? infinity : s.excess(pv, qv), 1.0 - alpha);
        return e.m * e.to_p;
    });
}

}  // namespace kldiv::detail
