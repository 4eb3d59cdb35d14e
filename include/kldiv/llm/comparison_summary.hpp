#pragma once
// The statistics of `kldiv llm-compare`: what a reference (base) and a candidate model's
// next-token distributions give, position by position, summed up in fixed memory. Summaries of
// separate shards merge, and merging the per-file summaries in file order gives the same numbers
// whether the files were read by one process or by many (the Dask path).
//
// Per scored position t (natural logarithms, p = reference, q = candidate):
//   kl_t = D(p‖q) >= 0;  optionally D(q‖p) and JS(p, q);
//   with the actual next token x_t: a_t = ln p(x_t), b_t = ln q(x_t), Δp_t = q(x_t) − p(x_t) (a token
//     floored in a llama.cpp file's row is read at the floor μ and counted);
//   same_top_t = [argmax p = argmax q];  overlap_k,t = |top-k(p) ∩ top-k(q)| / min(k, V),
//   k = 5, 10 (and one more k on request).
// Statistics (n positions; SE = standard error of a mean, s/√n with s the sample standard deviation):
//   KL: mean ± SE, min, max and the percentiles 0.1 … 99.9 (quantile_histogram.hpp: within a relative
//     2.9e-5 of numpy's); the same mean ± SE for D(q‖p) and JS when computed.
//   Δp: mean ± SE, percentiles (within 9.5e-7), RMS = √(mean Δp²) ± SE (delta method:
//     SE(mean Δp²) / (2 RMS)).
//   same top: fraction f ± √(f(1 − f)/n); top-k overlap: mean ± SE.
//   Perplexity: ln PPL(p) = −mean a_t, ln PPL(q) = −mean b_t, each ± SE; their correlation (of a_t and
//     b_t); ln(PPL(q)/PPL(p)) = mean (a_t − b_t) ± SE of that difference (so the covariance is
//     included); PPL(q)/PPL(p) = e^that ± e^that·SE; PPL(q) − PPL(p) ± the delta-method SE
//     √(PPL(q)² var_b + PPL(p)² var_a − 2 PPL(q) PPL(p) cov_ab) / √n, where
//     cov_ab = (var_a + var_b − var_{a−b})/2.
// Means and variances are updated one value at a time (Welford) and merged exactly as Chan, Golub
// and LeVeque give; the percentile histograms are exact counts.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "kldiv/llm/quantile_histogram.hpp"

namespace kldiv::llm {

inline constexpr double not_computed = std::numeric_limits<double>::quiet_NaN();

// One scored position. NaN marks what was not computed (no token ids: a, b and Δp).
struct token_comparison {
    double kl = 0.0;
    double reverse_kl = not_computed;
    double js = not_computed;
    double log_p_reference = not_computed;  // a_t
    double log_p_candidate = not_computed;  // b_t
    bool same_top = false;
    unsigned top5_overlap = 0, top10_overlap = 0;  // |top-k(p) ∩ top-k(q)|
    unsigned top_k = 0, top_k_overlap = 0;         // another k asked for (0: none), and its overlap
    std::size_t vocabulary = 0;  // tokens of the rows: a top-k overlap is out of min(k, vocabulary) (0: k)
    // The actual token was floored (below a llama.cpp file's stored window): its a_t (b_t) is the
    // row's floor μ, an upper bound on the log-probability (compare_rows.hpp).
    bool reference_token_floored = false, candidate_token_floored = false;
};

// Count, mean and spread of one quantity (Welford's updates; Chan et al.'s merge).
struct moments {
    std::uint64_t n = 0;
    double mean_ = 0.0, m2 = 0.0;  // m2 = Σ (x − mean)²

    void add(double x) noexcept;
    void merge(const moments& other) noexcept;
    double mean() const noexcept;
    double variance() const noexcept;        // sample variance (n − 1); NaN for n < 2
    double standard_error() const noexcept;  // √(variance/n)
};

struct mean_with_error {
    double mean = not_computed, standard_error = not_computed;
};

// The percentiles reported, in percent, highest first (llama.cpp's list plus 75 and 25 for Δp).
inline constexpr double reported_percentiles[] = {99.9, 99.0, 95.0, 90.0, 75.0, 50.0, 25.0, 10.0, 5.0, 1.0, 0.1};

struct distribution_statistics {
    mean_with_error mean;
    double min = not_computed, max = not_computed;
    double percentiles[std::size(reported_percentiles)] = {};  // in the order of reported_percentiles
    double percentile_error = not_computed;                    // the bound on the percentiles' error (largest one)
};

struct comparison_statistics {
    std::uint64_t positions = 0;  // scored positions
    std::uint64_t positions_with_token = 0;
    // Of those, the positions whose actual token is floored in the reference's (candidate's) row,
    // its log-probability read at the row's floor μ (token_comparison).
    std::uint64_t floored_token_reference = 0, floored_token_candidate = 0;
    distribution_statistics kl;
    mean_with_error reverse_kl, js;   // NaN when not computed
    distribution_statistics delta_p;  // with token ids
    mean_with_error rms_delta_p;
    mean_with_error same_top, top5_overlap, top10_overlap;
    std::size_t top_k = 0;          // the other k asked for (compare_rows_options::top_k), 0 if none
    mean_with_error top_k_overlap;  // |top-k(p) ∩ top-k(q)| / min(k, V) for it
    mean_with_error ppl_reference, ppl_candidate, ln_ppl_ratio, ppl_ratio, ppl_difference;
    double ln_ppl_correlation = not_computed;
};

class comparison_summary {
public:
    comparison_summary();

    // Throws kldiv::error for a negative or NaN kl, a Δp outside [−1, 1], and the like.
    void add(const token_comparison& t);
    void merge(const comparison_summary& other);
    comparison_statistics statistics() const;
    // The distributions of the per-token KL and Δp, for charts.
    const quantile_histogram& kl_histogram() const noexcept { return kl_histogram_; }
    const quantile_histogram& delta_p_histogram() const noexcept { return delta_p_histogram_; }

    std::string serialize() const;
    static comparison_summary deserialize(std::string_view bytes);

private:
    // The k of the other top-k overlap (0: none), one for every position; `first`: the summary was empty.
    void same_k(std::uint64_t k, bool first);

    moments kl_, reverse_kl_, js_, same_top_, top5_, top10_, top_k_overlap_;
    std::uint64_t top_k_ = 0;           // the k of top_k_overlap_ (every added position's), 0 if none
    std::uint64_t same_top_count_ = 0;  // positions with the same top token
    moments a_, b_, difference_, delta_p_, delta_p_squared_;
    std::uint64_t floored_reference_ = 0, floored_candidate_ = 0;
    quantile_histogram kl_histogram_, delta_p_histogram_;
};

}  // namespace kldiv::llm
