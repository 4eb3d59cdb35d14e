#pragma once
// Uncertainty for any estimator computed from two data sets: bootstrap confidence intervals
// (percentile and BCa) and a permutation test of P = Q. The estimator is passed as a function, so
// one implementation serves the kNN, histogram and count estimators alike.
//
// Data kinds
//   samples  x (n×d) and y (m×d), rows = observations. A bootstrap resample draws n rows of x and
//            m rows of y independently, uniformly with replacement.
//   counts   two vectors of non-negative integer counts over the same events, totals N and M. A
//            bootstrap resample is a multinomial draw (N, p̂) and an independent one (M, q̂), drawn
//            as N (and M) observations resampled with replacement from the observed events.
//
// Reproducibility: resample (or permutation) b uses its own xoshiro256** stream seeded from
// (seed, b), so the result is the same bits for any thread count. The statistic is called
// concurrently from `threads` threads and must be safe to call so (an estimator called with its own
// threads = 1 is the intended use). Resampled samples reach it as compact copies (row_stride = cols);
// an exception it throws reaches the caller (the one of the lowest resample). The interval holds
// the ends only: the point estimate is the statistic of the data, which the caller has.
//
// Intervals at level 1 − α from the B resampled values θ*_(1) ≤ … ≤ θ*_(B) (−∞ < +∞ ordered as
// numbers): the α-quantile is the order statistic θ*_(k), k = ⌊(B+1)α⌋ for the lower end and
// k = ⌈(B+1)α⌉ for the upper end, clamped to [1, B] (Davison & Hinkley 1997, §5.2).
//   percentile  [θ*_(α/2), θ*_(1−α/2)]
//   bca         (Efron 1987) [θ*_(α₁), θ*_(α₂)], α_j = Φ(z₀ + w/(1 − a·w)), w = z₀ + Φ⁻¹(α/2 or 1−α/2);
//               bias correction z₀ = Φ⁻¹((#{θ* < θ̂} + ½#{θ* = θ̂}) / B), the fraction clamped to
//               [1/(2B), 1 − 1/(2B)]; acceleration from the jackknife over both data sets,
//               a = Σ d³ / (6 (Σ d²)^{3/2}), d_{k,j} = ((g_k−1)/g_k)(θ̄_k − θ_(k,j)), θ_(k,j) the statistic
//               with group j of data set k left out, θ̄_k their mean. Samples of at most
//               max_jackknife_groups rows leave out one row at a time (g_k = n_k); larger samples
//               leave out g_k = max_jackknife_groups groups, rows i ≡ j (mod g_k) (the grouped
//               jackknife, which estimates the same a at a bounded cost). Counts always leave out one
//               observation: one evaluation per non-zero event, weighted by its count. If a leave-out
//               value is not finite, or all are equal, a = 0 (bias correction only). If 1 − a·w ≤ 0,
//               α_j is 1 for w > 0 and 0 otherwise.
// Limits (kldiv::error before anything is allocated): B at most max_resamples; counts totalling
// more than 1e8 observations (each is listed once for the resampling).
// Non-finite values: a resample whose statistic is ±∞ (a plug-in KL of a resample that empties a
// bin of Q) is kept and ordered at ±∞, so an end of the interval may be ±∞. NaN from the statistic,
// observed or resampled, is an error.
//
// Permutation test of P = Q: the n + m rows (or the N + M observed events) are pooled and split at
// random into groups of the original sizes; with T the statistic (large = evidence against P = Q),
// p = (1 + #{T_perm ≥ T_obs}) / (1 + B) (Phipson & Smyth 2010), never 0.
//
//   auto ci = kldiv::estimate::bootstrap_interval(x, y, [](auto a, auto b) { return my_kl(a, b); },
//                                                  {.level = 0.9, .method = interval_method::bca});

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "kldiv/estimate/estimate.hpp"
#include "kldiv/names.hpp"
#include "kldiv/progress.hpp"
#include "kldiv/views.hpp"

namespace kldiv::estimate {

enum class interval_method { percentile, bca };

// "percentile", "bca" (kldiv/names.hpp).
inline std::span<const named<interval_method>> names_of(interval_method) noexcept {
    static constexpr named<interval_method> table[] = {{interval_method::percentile, "percentile"},
                                                       {interval_method::bca, "bca"}};
    return table;
}

// The most resamples (or permutations) one call draws: their statistics are kept, 8 bytes each
// (80 MB at the cap), so a larger B is refused before anything is allocated.
inline constexpr std::size_t max_resamples = 10'000'000;

struct bootstrap_options {
    double level = 0.95;           // in (0, 1)
    std::size_t resamples = 1000;  // 1 <= B <= max_resamples
    interval_method method = interval_method::percentile;
    std::uint64_t seed = 2026;
    unsigned threads = 0;                     // 0: all hardware threads
    std::size_t max_jackknife_groups = 1000;  // bca on samples: delete-1 up to this many rows, grouped above; >= 2
    progress_callback progress{};             // statistics computed: the resamples, and for bca first the leave-outs
};

struct permutation_options {
    std::size_t permutations = 1000;  // 1 <= B <= max_resamples
    std::uint64_t seed = 2026;
    unsigned threads = 0;          // 0: all hardware threads
    progress_callback progress{};  // permutations computed
};

struct permutation_result {
    double statistic = 0.0;  // T on the observed split
    double p_value = 1.0;    // (1 + #{T_perm >= T_obs}) / (1 + permutations)
    std::size_t permutations = 0;
};

// A statistic of two samples (rows = observations, same number of columns).
using sample_statistic = std::function<double(matrix_view<const double>, matrix_view<const double>)>;
// A statistic of two count vectors over the same events.
using count_statistic = std::function<double(std::span<const double>, std::span<const double>)>;

// Bootstrap confidence interval of statistic(x, y). Samples need >= 1 row each (>= 2 for bca), the
// same number of columns >= 1.
confidence_interval bootstrap_interval(matrix_view<const double> x, matrix_view<const double> y,
                                       const sample_statistic& statistic, const bootstrap_options& opts = {});
// Counts: finite non-negative integers, equal lengths, totals >= 1 each (>= 2 for bca); a resample
// costs O(N + M) time, the pooled events O(N + M) memory.
confidence_interval bootstrap_interval(std::span<const double> p_counts, std::span<const double> q_counts,
                                       const count_statistic& statistic, const bootstrap_options& opts = {});

// Permutation test of P = Q with the statistic T (larger = more different). Same input rules as
// the bootstrap (>= 1 row or observation each).
permutation_result permutation_test(matrix_view<const double> x, matrix_view<const double> y,
                                    const sample_statistic& statistic, const permutation_options& opts = {});
permutation_result permutation_test(std::span<const double> p_counts, std::span<const double> q_counts,
                                    const count_statistic& statistic, const permutation_options& opts = {});

}  // namespace kldiv::estimate
