#pragma once
// Per-event terms of the discrete measures, each accurate to a few ulps.
//
// p and q are raw values; p̂ = p/Sp and q̂ = q/Sq are the distributions they represent. With the
// exact ratio c = Sq/Sp (double-double) the event ratio is ρ = p̂/q̂ = c·p/q = 1 + δ, and
// δ = (c·p − q)/q is formed with a single rounding of c·p − q (fma), so δ keeps full relative
// precision even when p and q agree to the last digits. KL is then summed as
//   D(P‖Q) = Σ q̂·φ(δ),  φ(δ) = (1+δ)·log(1+δ) − δ ≥ 0,
// terms that are never negative, exactly 0 for equal events, so the sum cannot cancel. An error ε
// in c shifts the result only by ε·D + ε²/2, and c is known to about 1e-32.

#include <cfloat>
#include <cmath>
#include <limits>

#include "src/common/exact_sum.hpp"
#include "src/core/generators.hpp"

namespace kldiv::detail {

constexpr double infinity = std::numeric_limits<double>::infinity();

// The normalizer of one vector.
struct scale {
    double_double sum;
    double inverse;  // 1 / sum.hi
    double log_sum;  // ln(sum)

    explicit scale(double_double s) noexcept : sum(s), inverse(1.0 / s.hi), log_sum(std::log(s.hi) + s.lo / s.hi) {}
};

// ln(v / S) for v > 0, accurate also when v/S is close to 1.
inline double log_normalized(double v, const scale& s) noexcept {
    const double x = v * s.inverse;
    if (x > 0.5) return std::log1p(((v - s.sum.hi) - s.sum.lo) / s.sum.hi);  // v − S.hi exact
    if (x >= DBL_MIN) return std::log(x);  // |ln x| ≥ ln 2: the rounding of x costs < 2 eps
    return std::log(v) - s.log_sum;
}

// −p̂·ln p̂ ≥ 0.
inline double entropy_term(double p, const scale& s) noexcept {
    if (p == 0.0) return 0.0;
    return std::fmax(0.0, -(p * s.inverse) * log_normalized(p, s));
}

// −p̂·ln q̂ ≥ 0.
inline double cross_entropy_term(double p, double q, const scale& sp, const scale& sq) noexcept {
    if (p == 0.0) return 0.0;
    if (q == 0.0) return infinity;
    return std::fmax(0.0, -(p * sp.inverse) * log_normalized(q, sq));
}

// The normalizers of a pair and their exact ratio c = Sq/Sp.
struct pair_scale {
    scale p, q;
    double_double c;
    double log_c;

    pair_scale(double_double sp, double_double sq) noexcept
        : p(sp), q(sq), c(divide(sq, sp)), log_c(std::log(c.hi) + c.lo / c.hi) {}

    // δ = p̂/q̂ − 1 for q > 0 (+inf when q = 0 and p > 0).
    double excess(double pv, double qv) const noexcept { return (std::fma(c.hi, pv, -qv) + c.lo * pv) / qv; }
    // The same for values known as double-double sums (the masses of blocks).
    double excess(double_double pv, double_double qv) const noexcept {
        return (std::fma(c.hi, pv.hi, -qv.hi) + ((c.hi * pv.lo + c.lo * pv.hi) - qv.lo)) / qv.hi;
    }
    // ln(p̂/q̂) for p, q > 0 given δ = excess(p, q).
    double log_ratio(double pv, double qv, double delta) const noexcept {
        if (delta > -0.5 && delta <= DBL_MAX) return std::log1p(delta);
        const double r = pv / qv;
        if (r >= DBL_MIN && r <= DBL_MAX) return std::log(r) + log_c;
        return std::log(pv) - std::log(qv) + log_c;
    }
};

// p̂·ln(p̂/q̂) − p̂ + q̂ = q̂·φ(δ) ≥ 0: one event's share of D(P‖Q) in non-negative form, given
// δ = excess(p, q) for p, q > 0.
inline double kl_term_of(double p, double q, double delta, const pair_scale& s) noexcept {
    if (delta <= 1.0) return (q * s.q.inverse) * kl_generator(delta);
    // ρ ≥ 2: p̂·(ln ρ − 1) + q̂ has no cancellation, and avoids δ overflowing for tiny q.
    return (p * s.p.inverse) * (s.log_ratio(p, q, delta) - 1.0) + q * s.q.inverse;
}

inline double kl_term(double p, double q, const pair_scale& s) noexcept {
    if (p == 0.0) return q * s.q.inverse;
    if (q == 0.0) return infinity;
    return kl_term_of(p, q, s.excess(p, q), s);
}

// The same for double-double values: δ from both parts, so that masses agreeing to more digits
// than a double holds still give δ to full relative precision.
inline double kl_term(double_double p, double_double q, const pair_scale& s) noexcept {
    if (p.hi == 0.0) return q.hi * s.q.inverse;
    if (q.hi == 0.0) return infinity;
    return kl_term_of(p.hi, q.hi, s.excess(p, q), s);
}

// p̂·ln(p̂/q̂): the classic per-event contribution (negative where q̂ > p̂).
inline double kl_contribution(double p, double q, const pair_scale& s) noexcept {
    if (p == 0.0) return 0.0;
    if (q == 0.0) return infinity;
    return (p * s.p.inverse) * s.log_ratio(p, q, s.excess(p, q));
}

// One event's share of JS_β in non-negative form, with M = β P + (1 − β) Q:
//   m̂·(β φ(p̂/m̂ − 1) + (1 − β) φ(q̂/m̂ − 1)),
// given p̂, q̂ and δ = p̂/q̂ − 1 (+inf where q̂ = 0). Near P = Q the ratios p̂/m̂ − 1 = (1−β)δ/(1+βδ)
// and q̂/m̂ − 1 = −βδ/(1+βδ) come from the accurate δ, so the term keeps its relative precision.
inline double js_term_of(double ph, double qh, double delta, double beta) noexcept {
    double m, a, b;
    const double spread = 1.0 + beta * delta;
    if (spread <= DBL_MAX) {
        m = qh * spread;
        a = (1.0 - beta) * delta / spread;
        b = -beta * delta / spread;
    } else {  // q̂ negligible against p̂: the ratios are far from 1, plain division is accurate
        m = beta * ph + (1.0 - beta) * qh;
        if (m == 0.0) return 0.0;  // p̂ subnormal: the term, about p̂, underflows too
        a = ph / m - 1.0;
        b = qh / m - 1.0;
    }
    return m * (beta * kl_generator(std::fmax(a, -1.0)) + (1.0 - beta) * kl_generator(std::fmax(b, -1.0)));
}

inline double js_term(double p, double q, const pair_scale& s, double beta) noexcept {
    if (p == 0.0 && q == 0.0) return 0.0;
    return js_term_of(p * s.p.inverse, q * s.q.inverse, q == 0.0 ? infinity : s.excess(p, q), beta);
}

}  // namespace kldiv::detail
