#pragma once
// Where D(P‖Q) = +∞ although P's support lies inside the hull of Q's (which kl.cpp checks), for P
// and Q on the line, decided from the parameters rather than from an integral that would only
// grow slowly with the integration range:
//
// 1. Support gaps. A mixture's support is the union of its components' supports (components of
//    weight > 0; a categorical's support is its runs of nonzero probabilities), which may leave gaps
//    inside its hull. D = +∞ if some piece of P's support is not inside one connected piece of Q's.
//
// 2. Tails. With supports nested, D = E_P[ln p] − E_P[ln q], and E_P[ln p] is finite for every
//    family here, so D = +∞ exactly when E_P[−ln q] = +∞. That can only happen where −ln q grows
//    without bound: at ±∞, or at a finite end of a component of Q. Near each such place, in the
//    variable t → ∞ (t = |x| at an infinite end, t = 1/|x − e| at a finite end e), each family is
//    described by
//      - how P's mass thins out (the density of t):
//          power(α)              ~ t^(−1−α)   (Cauchy α = 1, Student-t α = ν, Pareto α, inverse
//                                             gamma at ∞ α = a; at a finite end a density
//                                             ~ |x − e|^(a−1) has α = a, a positive finite one α = 1)
//          log_squared           ~ e^(−c ln²t)               (log-normal, at 0 and at ∞)
//          exponential_power(β, c) ~ e^(−c t^β) × powers      (normal β = 2, c = 1/2σ²; Laplace,
//                                             logistic, gamma, exponential β = 1; Weibull β = k;
//                                             inverse gamma at 0: β = 1, c = rate)
//          double_exponential    ~ e^(−e^(t/s))              (Gumbel's left tail)
//      - how −ln q grows:
//          slow                  bounded, ~ ln t or ~ ln²t (power-law and log-normal tails, the
//                                ends of beta, gamma, Weibull at 0, …)
//          power(b)              ~ t^b        (normal b = 2, Laplace b = 1, Weibull b = k, …;
//                                inverse gamma at 0: b = 1, since −ln q ~ rate/x)
//          exponential(r)        ~ e^(r t)    (Gumbel's left tail, r = 1/scale)
//    and E_P[−ln q] = +∞ near the place iff
//          power(b):        P's tail is power(α) with α ≤ b   (E|X|^b = ∞)
//          exponential(r):  P's tail is power or log_squared, or exponential_power with β < 1, or
//                           β = 1 and c ≤ r (at c = r the integrand tends to a constant or grows)
//    (never for slow growth: E_P[ln t] and E_P[ln²t] are finite for every tail above).
//    Mixtures: Q's −ln q near a place grows like its slowest-growing component there (−ln q ≤
//    −ln w_k − ln q_k, so the heaviest-tailed component sets it; a component with the place
//    inside its support keeps −ln q bounded), and E_P is infinite if it is for one component of P.
//    Examples: Cauchy‖normal, Student-t(2)‖normal, Pareto(1, 1.5)‖normal (α ≤ 2), Laplace(0, 2)‖
//    Gumbel(0, 1) (c = 1/2 ≤ r = 1 at −∞), Gamma(0.5, 1)‖InverseGamma(2, 1) (α = 1/2 ≤ 1 at 0) are
//    +∞; Student-t(3)‖normal and Laplace(0, 0.5)‖Gumbel(0, 1) are finite.
//    Discrete families never diverge this way: their tails are at least geometric and −ln q grows
//    at most like k ln k. On the circle densities are bounded above and below.

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

enum class infinite_cause { none, support_gap, tails };

// Why D(P‖Q) = +∞ for P and Q on the line (univariate families or mixtures; none otherwise): gaps on
// the integers and the reals, tails on the reals.
infinite_cause infinite_cause_of(const distribution& p, const distribution& q);

// Whether P (on the line) has a component whose mass thins out like a power of |x| at +∞ (upper)
// or −∞: only there can the integrand of D decay so slowly that quadrature must look beyond any
// landmark (quadrature.cpp).
bool power_tail_at(const distribution& p, bool upper);

}  // namespace kldiv::distributions::detail
