#pragma once
// Entropy, cross-entropy and KL divergence estimated from counts: y = (y_1, …, y_K) events of P
// observed n = Σ y_k times, and z = (z_1, …, z_K) events of Q observed m = Σ z_k times, over the
// same K events. Counts are non-negative finite numbers (integers in practice).
//
// Estimators (names as in Hausser & Strimmer, "Entropy inference and the James–Stein estimator",
// JMLR 10 (2009) 1469–1484). Each gives estimated probabilities θ̂ for each count vector on its
// own; the measures are those of θ̂_P, θ̂_Q computed by kldiv's accurate discrete core:
//   plug_in       maximum likelihood, θ̂_k = y_k / n.
//   miller_madow  plug-in plus a first-order bias correction (Miller 1955):
//                   Ĥ(P)    = Ĥ_ML(P) + (m_P − 1)/(2n),    m_P = number of occupied bins (y_k > 0);
//                   Ĥ(P,Q)  = Ĥ_ML(P,Q) − (Σ_{y_k>0} θ̂_P,k/θ̂_Q,k − 1)/(2m);
//                   D̂(P‖Q) = Ĥ(P,Q) − Ĥ(P).
//                 The cross-entropy term is the same second-order (delta-method) expansion as
//                 Miller's, E[log θ̂_Q,k] ≈ log q_k − (1 − q_k)/(2 m q_k), with θ̂_P independent of
//                 θ̂_Q, so E[Ĥ_ML(P,Q)] − H(P,Q) ≈ (Σ p_k/q_k − 1)/(2m); the unknown p, q are replaced
//                 by their plug-in estimates. (Our derivation; Zhang & Grabchak, "Nonparametric
//                 estimation of Kullback–Leibler divergence", Neural Computation 26 (2014), analyse
//                 the O(1/n) bias of the plug-in KL.) The corrected KL can be negative.
//   laplace, jeffreys, perks, minimax
//                 Dirichlet prior a added to every bin: θ̂_k = (y_k + a)/(n + K a), with
//                 a = 1, 1/2, 1/K and √n/K (n the total of that count vector).
//   james_stein   shrinkage towards the uniform t_k = 1/K: θ̂_k = λ t_k + (1 − λ) y_k/n with
//                   λ = (1 − Σ (y_k/n)²) / ((n − 1) Σ (t_k − y_k/n)²),  clipped to [0, 1];
//                 λ = 1 when n ≤ 1 or when the counts are already uniform (denominator 0), as in
//                 their R package `entropy` (freqs.shrink).
//
// Zero counts. P's zeros are harmless (0·log 0 = 0). Where P has y_k > 0 and θ̂_Q,k = 0 the
// plug-in cross-entropy and KL are +inf; count_options::on_zero says what happens:
//   zero_counts::infinity  return +inf (the default; Miller–Madow stays +inf too);
//   zero_counts::error     throw kldiv::error naming the bin and both counts.
// The pseudocount estimators never give θ̂ = 0, so on_zero never applies to them. James–Stein
// gives θ̂_k = 0 only when λ = 0, which happens only when all of Q's counts are in one bin; then
// on_zero applies as for the plug-in.
//
// Results are kldiv::estimate::estimate in the unit of count_options::base, with the method in
// words ("counts (miller-madow)") and no interval (bootstrap intervals are in bootstrap.hpp).
// Errors (kldiv::error naming the function, the value and the rule): empty vectors, sizes that
// differ, negative, NaN or infinite counts, all counts zero.

#include <span>
#include <vector>

#include "kldiv/estimate/estimate.hpp"
#include "kldiv/names.hpp"
#include "kldiv/units.hpp"

namespace kldiv::estimate {

enum class count_estimator { plug_in, miller_madow, laplace, jeffreys, perks, minimax, james_stein };

// "plug_in", "miller_madow", "laplace", "jeffreys", "perks", "minimax", "james_stein" (kldiv/names.hpp).
inline std::span<const named<count_estimator>> names_of(count_estimator) noexcept {
    static constexpr named<count_estimator> table[] = {{count_estimator::plug_in, "plug_in"},
                                                       {count_estimator::miller_madow, "miller_madow"},
                                                       {count_estimator::laplace, "laplace"},
                                                       {count_estimator::jeffreys, "jeffreys"},
                                                       {count_estimator::perks, "perks"},
                                                       {count_estimator::minimax, "minimax"},
                                                       {count_estimator::james_stein, "james_stein"}};
    return table;
}

// What to do where P has a count and Q's estimated probability is 0 (see above).
enum class zero_counts {
    infinity,  // the estimate is +inf
    error,     // throw kldiv::error naming the first such bin
};

struct count_options {
    count_estimator method = count_estimator::plug_in;
    log_base base{};
    zero_counts on_zero = zero_counts::infinity;
};

// "plug-in", "miller-madow", "laplace", "jeffreys", "perks", "minimax", "james-stein".

// The estimated probabilities θ̂ of one count vector (Miller–Madow's are the plug-in ones).
std::vector<double> probabilities_from_counts(std::span<const double> counts, count_estimator method);

// The James–Stein shrinkage intensity λ ∈ [0, 1] of one count vector (formula above).
double shrinkage_intensity(std::span<const double> counts);

estimate entropy_from_counts(std::span<const double> counts, const count_options& opts = {});
estimate cross_entropy_from_counts(std::span<const double> p_counts, std::span<const double> q_counts,
                                   const count_options& opts = {});
estimate kl_divergence_from_counts(std::span<const double> p_counts, std::span<const double> q_counts,
                                   const count_options& opts = {});

}  // namespace kldiv::estimate
