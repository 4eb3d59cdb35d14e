#pragma once
// Per-event terms of the discrete measures, each accurate to a few ulps.
//
// p and q are raw values; p̂ = p/Sp and q̂ = q/Sq are the distributions they represent. The event
// ratio is ρ = p̂/q̂ = 1 + δ with δ = (Sq·p − Sp·q)/(Sp·q), the cross products' leading parts formed
// exactly (fma), so δ keeps full relative precision even when p and q agree to the last digits,
// and is exactly 0 where p̂ = q̂ (also for proportional counts, whose ratio c = Sq/Sp no
// double-double holds; c·p − q is the fallback outside the products' range). KL is then summed as
//   D(P‖Q) = Σ q̂·φ(δ),  φ(δ) = (1+δ)·log(1+δ) − δ ≥ 0,
// terms that are never negative, exactly 0 for equal events, so the sum cannot cancel. The error
// of δ is a few ulps of δ plus about 1e-32 (the roundings of the low parts' products).

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

    // δ = p̂/q̂ − 1 for q > 0 (+inf when q = 0 and p > 0), as (Sq·p − Sp·q)/(Sp·q) with the cross
    // products' leading parts formed exactly (fma): exactly 0 when p̂ = q̂, as for proportional
    // counts whose ratio Sq/Sp no double holds (c·p − q leaves about c's error, 1e-32, there).
    // Where Sp·q leaves the range in which its rounding error is a double, c·p − q.
    double excess(double pv, double qv) const noexcept {
        return cross_excess(pv, 0.0, qv, 0.0, [&] { return (std::fma(c.hi, pv, -qv) + c.lo * pv) / qv; });
    }
    // The same for values known as double-double sums (the masses of blocks).
    double excess(double_double pv, double_double qv) const noexcept {
        return cross_excess(pv.hi, pv.lo, qv.hi, qv.lo, [&] {
            return (std::fma(c.hi, pv.hi, -qv.hi) + ((c.hi * pv.lo + c.lo * pv.hi) - qv.lo)) / qv.hi;
        });
    }
    // (Sq·(p + pl) − Sp·(q + ql)) / (Sp·q): Sq.hi·p − Sp.hi·q exactly up to one rounding, the
    // products with the low parts rounded (they are 1e-16 of the leading ones); `otherwise` where
    // Sp·q is not a normal double with room for its rounding error, or the quotient overflows.
    // `otherwise` is computed only where it is used (it costs a division).
    template <class Otherwise>
    double cross_excess(double pv, double pl, double qv, double ql, Otherwise&& otherwise) const noexcept {
        const double b = p.sum.hi * qv;
        if (!(b >= 0x1p-968 && b <= DBL_MAX)) return otherwise();
        const double b_low = std::fma(p.sum.hi, qv, -b);  // exact: Sp.hi·q = b + b_low
        // Rounded alike on both sides, so that equal products cancel exactly.
        const double low = (q.sum.hi * pl + q.sum.lo * pv) - (p.sum.hi * ql + p.sum.lo * qv);
        const double delta = ((std::fma(q.sum.hi, pv, -b) - b_low) + low) / b;
        // δ ≥ −1 (p ≥ 0); where p̂ ≪ q̂ the roundings could land a step below.
        return std::isfinite(delta) ? std::fmax(delta, -1.0) : otherwise();
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

// One event of a mixture M = β P + β_Q Q (β_Q = 1 − β, given as it is known: the skew divergence's
// weight of Q may be far below β's rounding): m̂ and the generators of p̂/m̂ − 1 and q̂/m̂ − 1, so that
// the event's shares of D(P‖M) and D(Q‖M) are m̂·to_p and m̂·to_q (kl_generator, ≥ 0), given p̂, q̂
// and δ = p̂/q̂ − 1 (+inf where q̂ = 0). Near P = Q the ratios p̂/m̂ − 1 = (1−β)δ/(1+βδ) and
// q̂/m̂ − 1 = −βδ/(1+βδ) come from the accurate δ, so the shares keep their relative precision.
struct mixture_event {
    double m, to_p, to_q;
};
inline mixture_event mixture_of(double ph, double qh, double delta, double beta, double beta_q) noexcept {
    double m, a, b;
    // m̂/q̂ = 1 + βδ, formed from the masses where δ is near −1 (p̂ ≪ q̂: 1 + βδ would cancel) and q̂
    // is a normal number (log-space rows give δ even where q̂ itself underflows)
    // (a NaN δ, from log-space rows beyond the double range, takes the masses' branch below)
    const double spread = delta < -0.5 && qh >= DBL_MIN ? (beta * ph + beta_q * qh) / qh : 1.0 + beta * delta;
    if (spread <= DBL_MAX) {
        m = qh * spread;
        a = beta_q * delta / spread;
        b = -beta * delta / spread;
    } else {  // q̂ negligible against p̂: p̂/m̂ − 1 = β_Q (p̂ − q̂)/m̂ and q̂/m̂ − 1 = −β (p̂ − q̂)/m̂
        m = beta * ph + beta_q * qh;
        if (m == 0.0) return {0.0, 0.0, 0.0};  // p̂ subnormal: the shares, about p̂, underflow too
        const double gap = ph - qh;
        a = beta_q * gap / m;
        b = -beta * gap / m;
    }
    return {m, kl_generator(std::fmax(a, -1.0)), kl_generator(std::fmax(b, -1.0))};
}

// One event's share of JS_β = β D(P‖M) + (1 − β) D(Q‖M) in non-negative form.
inline double js_term_of(double ph, double qh, double delta, double beta) noexcept {
    const mixture_event e = mixture_of(ph, qh, delta, beta, 1.0 - beta);
    return e.m * (beta * e.to_p + (1.0 - beta) * e.to_q);
}

inline double js_term(double p, double q, const pair_scale& s, double beta) noexcept {
    if (p == 0.0 && q == 0.0) return 0.0;
    return js_term_of(p * s.p.inverse, q * s.q.inverse, q == 0.0 ? infinity : s.excess(p, q), beta);
}

}  // namespace kldiv::detail
