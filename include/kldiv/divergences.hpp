#pragma once
// The divergences around KL between two discrete distributions, by name: Rényi and Tsallis of order
// α, Pearson's and Neyman's χ², squared Hellinger and the Hellinger distance, total variation,
// Bhattacharyya, triangular discrimination, the skew divergence, and the KL family of discrete.hpp.
// With p̂ = p/Σp, q̂ = q/Σq as in discrete.hpp (every sum over the events):
//
//   kl_divergence      D(P‖Q) = Σ p̂ ln(p̂/q̂)
//   reverse_kl         D(Q‖P)
//   jeffreys           D(P‖Q) + D(Q‖P)
//   js_divergence      JS_β = β D(P‖M) + (1−β) D(Q‖M), M = βP + (1−β)Q, β = opts.beta
//   js_distance        √JS_β (in the unit of opts.base, as scipy.spatial.distance.jensenshannon)
//   renyi_divergence   D_α = ln(Σ p̂^α q̂^(1−α)) / (α − 1), α = opts.alpha in [0, ∞]; D_1 = KL,
//                      D_0 = −ln Q(supp P), D_½ = −2 ln Σ √(p̂q̂), D_2 = ln(1 + χ²), D_∞ = ln max p̂/q̂
//   tsallis_divergence T_α = (Σ p̂^α q̂^(1−α) − 1) / (α − 1), α = opts.alpha in [0, ∞); T_1 = KL
//   pearson_chi2       χ²(P‖Q) = Σ (p̂ − q̂)² / q̂
//   neyman_chi2        χ²(Q‖P) = Σ (p̂ − q̂)² / p̂
//   squared_hellinger  H² = ½ Σ (√p̂ − √q̂)² = 1 − Σ √(p̂q̂), in [0, 1]
//   hellinger          H = √H²
//   total_variation    δ(P, Q) = ½ Σ |p̂ − q̂|, in [0, 1]
//   bhattacharyya      D_B = −ln Σ √(p̂q̂) = −ln(1 − H²) = D_½ / 2
//   triangular         Δ = Σ (p̂ − q̂)² / (p̂ + q̂), in [0, 2] (Le Cam's divergence is Δ/2)
//   skew_divergence    s_α = D(P‖αQ + (1−α)P), α = opts.alpha in (0, 1]; s_1 = KL (Lee's skew divergence)
//
// Every sum is one of terms that are each ≥ 0 (or each ≤ 0), formed from the accurate ratio
// p̂/q̂ − 1 of terms.hpp, so nothing cancels: equal inputs give exactly 0 and nearly equal ones keep
// full relative precision. Relative error against 50-digit references: below 1e-13 (docs/measures/
// divergences.md, tests/data/divergence_cases.tsv). The logarithmic measures (in_log_units) are in
// the unit of opts.base; the others are pure numbers and ignore it. Where P puts mass outside Q's
// support, the measures that are infinite there (KL, Rényi and Tsallis of order ≥ 1, Pearson's χ²,
// Jeffreys; Neyman's χ² and reverse KL the other way) follow opts.on_zero; the others are finite.

#include <span>

#include "kldiv/names.hpp"
#include "kldiv/options.hpp"

namespace kldiv {

enum class measure {
    kl_divergence,
    reverse_kl,
    jeffreys,
    js_divergence,
    js_distance,
    renyi_divergence,
    tsallis_divergence,
    pearson_chi2,
    neyman_chi2,
    squared_hellinger,
    hellinger,
    total_variation,
    bhattacharyya,
    triangular,
    skew_divergence,
};

// Each measure's own name; the aliases "kl", "forward_kl", "js", "renyi", "tsallis", "chi2",
// "hellinger_distance", "tv", "bhattacharyya_distance", "triangular_discrimination", "skew".
inline std::span<const named<measure>> names_of(measure) noexcept {
    static constexpr named<measure> table[] = {
        {measure::kl_divergence, "kl_divergence"},
        {measure::reverse_kl, "reverse_kl"},
        {measure::jeffreys, "jeffreys"},
        {measure::js_divergence, "js_divergence"},
        {measure::js_distance, "js_distance"},
        {measure::renyi_divergence, "renyi_divergence"},
        {measure::tsallis_divergence, "tsallis_divergence"},
        {measure::pearson_chi2, "pearson_chi2"},
        {measure::neyman_chi2, "neyman_chi2"},
        {measure::squared_hellinger, "squared_hellinger"},
        {measure::hellinger, "hellinger"},
        {measure::total_variation, "total_variation"},
        {measure::bhattacharyya, "bhattacharyya"},
        {measure::triangular, "triangular"},
        {measure::skew_divergence, "skew_divergence"},
        {measure::kl_divergence, "kl"},
        {measure::kl_divergence, "forward_kl"},
        {measure::js_divergence, "js"},
        {measure::renyi_divergence, "renyi"},
        {measure::tsallis_divergence, "tsallis"},
        {measure::pearson_chi2, "chi2"},
        {measure::hellinger, "hellinger_distance"},
        {measure::total_variation, "tv"},
        {measure::bhattacharyya, "bhattacharyya_distance"},
        {measure::triangular, "triangular_discrimination"},
        {measure::skew_divergence, "skew"},
    };
    return table;
}

// True for the measures measured in a unit of information (opts.base applies): the KLs, Jeffreys,
// js_divergence, js_distance, Rényi, Bhattacharyya, skew.
bool in_log_units(measure m) noexcept;

// True for the f-divergences, D_f(P‖Q) = Σ q̂ f(p̂/q̂) with f convex and f(1) = 0: every measure
// but js_distance, renyi_divergence, hellinger and bhattacharyya (monotone functions of one).
bool is_f_divergence(measure m) noexcept;

// True where the measure reads opts.alpha (renyi_divergence, tsallis_divergence, skew_divergence)
// and opts.beta (js_divergence, js_distance).
bool uses_alpha(measure m) noexcept;
bool uses_beta(measure m) noexcept;

// Throws kldiv::error unless opts.alpha and opts.beta are in the measure's range (the ranges above;
// `function` names the caller in the message). The measures below check it themselves.
void check_parameters(const char* function, measure m, const options& opts);

// The measure m of the pair, in the unit of opts.base where in_log_units(m).
double divergence(std::span<const double> p, std::span<const double> q, measure m, const options& opts = {});
double divergence(std::span<const float> p, std::span<const float> q, measure m, const options& opts = {});

// The Jensen–Shannon divergence of any number of distributions with weights w (≥ 0, summing to 1
// within opts.sum_tolerance, or any positive total with opts.normalize; empty: equal weights):
//   JS_w(P_1, …, P_n) = Σ_i w_i D(P_i‖M) = H(M) − Σ_i w_i H(P_i),  M = Σ_i w_i P_i,
// at most ln n (H of the weights). For two it is js_divergence with β = w_1.
double generalized_js_divergence(std::span<const std::span<const double>> distributions,
                                 std::span<const double> weights, const options& opts = {});

}  // namespace kldiv
