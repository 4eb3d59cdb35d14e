#pragma once
// Distribution functions of the families on the line: the mass of a half-line on either side of a
// point, each computed directly (never as 1 − the other, so a tail of 1e-300 keeps its digits),
// quantiles, and Q's mass outside P's support, which D(P‖Q) adds to the integral over P's support:
//   D = ∫_{supp P} p φ(ln p − ln q) + Q(outside supp P),  φ(v) = e^−v − 1 + v.
// Mixtures add their components' masses. Boost.Math's distributions give the families' cdfs.

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

// P(X < x) and P(X > x) for a univariate family or mixture (not von_mises).
double mass_below(const distribution& d, double x);
double mass_above(const distribution& d, double x);
double mass_below(const univariate& d, double x);
double mass_above(const univariate& d, double x);

// The u-quantile of a continuous univariate family (not von_mises), for 0 < u < 1; with upper, the
// (1 − u)-quantile, accurate for small u.
double quantile(const univariate& d, double u, bool upper);

// Q(outside the support of P): for P and Q on the line, P's support being the union of its
// components' supports (a categorical's is its runs of nonzero probabilities); for multinomials
// 1 − (Σ_{k: p_k > 0} q_k)^n; 0 for the other spaces (where every family has the whole space).
double mass_outside_support(const distribution& q, const distribution& p);

}  // namespace kldiv::distributions::detail
