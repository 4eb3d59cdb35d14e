#pragma once
// Information measures of discrete distributions given as probability vectors.
//
// Every function measures the distributions the values represent exactly, p̂ = p / Σp and
// q̂ = q / Σq (Σ computed without rounding error that matters), so a vector that sums to 1 only up
// to rounding still has a well-defined answer: D(p̂‖q̂) is never negative and is exactly 0 when the
// vectors are equal. Accuracy: relative error below 1e-12 against 50-digit references
// (docs/measures/kl_divergence.md). Conventions: 0·log(0/q) = 0; p > 0 where q = 0 follows
// options::on_zero (with zero_support::smooth every measure, entropy included, is of the smoothed
// distributions, so the identities between them still hold). Inputs are validated once; a bad input throws kldiv::error whose message names
// the function, the offending value and the rule.

#include <span>

#include "kldiv/options.hpp"

namespace kldiv {

// H(P) = −Σ p log p.
double entropy(std::span<const double> p, const options& opts = {});
double entropy(std::span<const float> p, const options& opts = {});

// H(P, Q) = −Σ p log q = H(P) + D(P‖Q): the cost per event of coding events of P with a code for Q.
double cross_entropy(std::span<const double> p, std::span<const double> q, const options& opts = {});
double cross_entropy(std::span<const float> p, std::span<const float> q, const options& opts = {});

// D(P‖Q) = Σ p log(p/q) = H(P, Q) − H(P). For D(Q‖P) swap the arguments.
double kl_divergence(std::span<const double> p, std::span<const double> q, const options& opts = {});
double kl_divergence(std::span<const float> p, std::span<const float> q, const options& opts = {});

// Jeffreys divergence J(P, Q) = D(P‖Q) + D(Q‖P) (symmetric KL).
double jeffreys(std::span<const double> p, std::span<const double> q, const options& opts = {});
double jeffreys(std::span<const float> p, std::span<const float> q, const options& opts = {});

// Jensen–Shannon divergence with weight β = opts.beta in (0, 1):
//   JS_β(P, Q) = β D(P‖M) + (1 − β) D(Q‖M),  M = β P + (1 − β) Q.
// β = ½ is the usual JS divergence (at most ln 2 nats = 1 bit). Always finite, so on_zero = error
// never throws here; on_zero = smooth still smooths both inputs.
double js_divergence(std::span<const double> p, std::span<const double> q, const options& opts = {});
double js_divergence(std::span<const float> p, std::span<const float> q, const options& opts = {});

}  // namespace kldiv
