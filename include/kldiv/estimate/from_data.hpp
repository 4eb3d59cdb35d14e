#pragma once
// An information measure estimated from data in one call, as `kldiv estimate` and kldiv.estimate
// use it: D(P‖Q), H(P, Q) or H(P) by the estimator the options name (k nearest neighbours or a
// histogram for samples; a count estimator for counts), with, on request, a bootstrap confidence
// interval of that same estimator and (for D(P‖Q)) a permutation test of P = Q using it as the
// statistic.

#include <optional>
#include <span>

#include "kldiv/estimate/counts.hpp"
#include "kldiv/estimate/histogram.hpp"
#include "kldiv/estimate/knn.hpp"
#include "kldiv/estimate/resampling.hpp"

namespace kldiv::estimate {

enum class quantity {
    kl_divergence,  // D(P‖Q)
    cross_entropy,  // H(P, Q) = −E_P[ln q]
    entropy,        // H(P), from x (or p_counts) alone; y (q_counts) is not read
};

// "kl_divergence", "cross_entropy", "entropy"; the alias "kl" (kldiv/names.hpp).
inline std::span<const named<quantity>> names_of(quantity) noexcept {
    static constexpr named<quantity> table[] = {{quantity::kl_divergence, "kl_divergence"},
                                                {quantity::cross_entropy, "cross_entropy"},
                                                {quantity::entropy, "entropy"},
                                                {quantity::kl_divergence, "kl"}};
    return table;
}

struct data_options {
    quantity measure = quantity::kl_divergence;
    estimator method = estimator::knn;  // knn or histogram for samples; counts for count vectors
    knn_options knn{};
    histogram_options histogram{};
    count_options counts{};                          // for counts (histograms use histogram.counts)
    std::optional<bootstrap_options> bootstrap;      // set: compute the interval
    std::optional<permutation_options> permutation;  // set: run the test (kl_divergence only)
    log_base base{};                                 // unit of the estimate (overrides the estimators' own)
};

struct data_result {
    estimate value;  // with .interval when a bootstrap was asked for
    std::optional<permutation_result> test;
};

// Samples x ~ P (n × d) and y ~ Q (m × d; any shape for the entropy). Throws kldiv::error for a
// permutation test of the entropy or the cross-entropy (it tests P = Q with D(P‖Q)), and for
// method = counts.
data_result estimate_from_data(matrix_view<const double> x, matrix_view<const double> y, const data_options& opts);

// Count vectors over the same events (q_counts may be empty for the entropy); method must be counts.
data_result estimate_from_data(std::span<const double> p_counts, std::span<const double> q_counts,
                               const data_options& opts);

}  // namespace kldiv::estimate
