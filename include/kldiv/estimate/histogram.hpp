#pragma once
// KL divergence of two samples through a histogram whose bins both samples share: the bins are
// chosen on the pooled sample (x and y together), each sample is counted in them, and any count
// estimator of counts.hpp is applied to the two count vectors. Since the bins are shared, their
// widths cancel in D(P‖Q) and the binned divergence tends to the continuous one as the bins
// shrink (it is never larger: binning can only lose information).
//
// Samples are matrices with one row per sample and d ≤ 3 columns. In d dimensions the bins are a
// product grid: each axis gets its edges from the rule applied to that column of the pooled
// sample; the count vectors are flattened with the first axis varying slowest.
//
// Rules on one axis (z = the pooled column, N = its length), following numpy.histogram_bin_edges
// (numpy 1.24) exactly for fixed, freedman_diaconis, scott and sturges:
//   range      [min z, max z]; a range of width 0 becomes [z − 0.5, z + 0.5].
//   fixed      `bins` equal bins over the range.
//   freedman_diaconis  width h = 2 · IQR · N^(−1/3), IQR = q₀.₇₅ − q₀.₂₅;
//   scott      h = (24 √π / N)^(1/3) · σ, σ the standard deviation with divisor N;
//   sturges    h = (max − min) / (log₂ N + 1);
//              then ⌈(max − min)/h⌉ equal bins over the range (one bin when h = 0).
//   quantile   B = min(bins, max(N − 1, 1)) equal-mass bins: edges at the quantiles i/B,
//              i = 0..B, of z; repeated edges (ties in z) are merged, so there may be fewer bins.
//              At B = N − 1 every edge is a value of z: more bins would only be empty ones.
// Quantiles are numpy's default ("linear", Hyndman–Fan type 7): the value at virtual index
// (N − 1)·p between the sorted neighbours. Equal-width edges are numpy.linspace's:
// e_i = min + i·(max − min)/B, with e_B = max. Bins are [e_i, e_{i+1}), the last one closed.
//
// Errors (kldiv::error): empty samples, 0 or more than 3 columns, column counts that differ,
// NaN or infinite values, bins = 0 for fixed/quantile or bins ≠ 0 for the other rules, bins above
// histogram_max_bins (checked before anything is allocated), and a grid of more than 2^26 bins.

#include <cstddef>
#include <span>
#include <vector>

#include "kldiv/estimate/counts.hpp"
#include "kldiv/estimate/estimate.hpp"
#include "kldiv/names.hpp"
#include "kldiv/views.hpp"

namespace kldiv::estimate {

// The most bins a histogram has, per axis and over the whole grid.
inline constexpr std::size_t histogram_max_bins = std::size_t{1} << 26;

enum class binning { fixed, freedman_diaconis, scott, sturges, quantile };

// "freedman_diaconis" (the default), "fixed", "scott", "sturges", "quantile"; the alias "fd"
// (kldiv/names.hpp).
inline std::span<const named<binning>> names_of(binning) noexcept {
    static constexpr named<binning> table[] = {{binning::freedman_diaconis, "freedman_diaconis"},
                                               {binning::fixed, "fixed"},
                                               {binning::scott, "scott"},
                                               {binning::sturges, "sturges"},
                                               {binning::quantile, "quantile"},
                                               {binning::freedman_diaconis, "fd"}};
    return table;
}

struct histogram_options {
    binning bins = binning::freedman_diaconis;  // the binning rule (--bins, bins=)
    std::size_t bin_count = 0;                  // bins per axis, for fixed and quantile only (--bin-count)
    count_options counts{};                     // the count estimator; for continuous data with tails, the plug-in
                                                // is usually +inf (a bin with x's but no y's): use a pseudocount one
};

struct shared_histogram {
    std::vector<std::vector<double>> edges;  // edges[axis]: increasing, bins + 1 of them
    std::vector<double> p_counts;            // counts of x, flattened (first axis slowest)
    std::vector<double> q_counts;            // counts of y, same bins
};

// The bin edges of one axis by a rule (the 1-D building block; `values` is the pooled column).
std::vector<double> bin_edges(std::span<const double> values, binning rule, std::size_t bin_count = 0);

shared_histogram histogram_counts(matrix_view<const double> x, matrix_view<const double> y,
                                  const histogram_options& opts = {});

// D(P‖Q) from samples x ~ P and y ~ Q, by the counts of histogram_counts and opts.counts.
estimate kl_divergence_histogram(matrix_view<const double> x, matrix_view<const double> y,
                                 const histogram_options& opts = {});

// Differential cross-entropy H(P, Q) = −∫ p ln q and entropy H(P) = −∫ p ln p through the same
// bins: the count estimator's discrete value plus Σ_b θ̂_P,b ln Δ_b, Δ_b the volume of bin b and
// θ̂_P the estimator's probabilities for x's counts (−Σ θ̂ ln(θ̂/Δ) for the plug-in entropy). The
// entropy's bins are chosen on x alone. Unlike D(P‖Q), these depend on the unit of the data.
estimate cross_entropy_histogram(matrix_view<const double> x, matrix_view<const double> y,
                                 const histogram_options& opts = {});
estimate entropy_histogram(matrix_view<const double> x, const histogram_options& opts = {});

}  // namespace kldiv::estimate
