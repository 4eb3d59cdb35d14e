// estimate_from_data: the estimator of the options for the measure asked for, and its interval and
// permutation test (include/kldiv/estimate/from_data.hpp).

#include "kldiv/estimate/from_data.hpp"

#include <string>

#include "kldiv/error.hpp"

namespace kldiv::estimate {
namespace {

// Throws unless the method reads this kind of data.
void check_method(estimator method, bool counts) {
    if ((method == estimator::counts) == counts) return;
    throw error("estimate_from_data", "method = " + name(method) +
                                          (counts ? ", but the data are count vectors: use counts"
                                                  : ", but the data are samples: use knn or histogram"));
}

// statistic(a, b, threads) is the estimator of the options (threads 0: the estimator's own
// setting). The estimate uses it as asked; the resamples run it on one thread each, since the
// bootstrap and the permutation test spread the resamples over the threads. For the entropy the
// bootstrap resamples x twice over (as x and as y) and the statistic reads the first.
template <class Statistic, class Data>
data_result with_uncertainty(const Statistic& statistic, const Data& x, const Data& y, const data_options& opts) {
    if (opts.permutation && opts.measure != quantity::kl_divergence) {
        throw error("estimate_from_data", std::string("a permutation test was asked for with the ") +
                                              (opts.measure == quantity::entropy ? "entropy" : "cross-entropy") +
                                              ", but it tests P = Q with D(P||Q) only");
    }
    const Data& second = opts.measure == quantity::entropy ? x : y;
    data_result r{.value = statistic(x, second, 0u), .test = std::nullopt};
    const auto value = [&](const Data& a, const Data& b) { return statistic(a, b, 1u).value; };
    if (opts.bootstrap) r.value.interval = bootstrap_interval(x, second, value, *opts.bootstrap);
    if (opts.permutation) r.test = permutation_test(x, y, value, *opts.permutation);
    return r;
}

}  // namespace

data_result estimate_from_data(matrix_view<const double> x, matrix_view<const double> y, const data_options& opts) {
    check_method(opts.method, false);
    const auto statistic = [&](matrix_view<const double> a, matrix_view<const double> b, unsigned threads) {
        if (opts.method == estimator::knn) {
            knn_options o = opts.knn;
            o.base = opts.base;
            if (threads != 0) {  // a resample's: one thread, and the resamples report the progress
                o.threads = threads;
                o.progress = {};
            }
            switch (opts.measure) {
                case quantity::kl_divergence:
                    return kl_divergence_knn(a, b, o);
                case quantity::cross_entropy:
                    return cross_entropy_knn(a, b, o);
                case quantity::entropy:
                    return entropy_knn(a, o);
            }
        }
        histogram_options o = opts.histogram;
        o.counts.base = opts.base;
        switch (opts.measure) {
            case quantity::kl_divergence:
                return kl_divergence_histogram(a, b, o);
            case quantity::cross_entropy:
                return cross_entropy_histogram(a, b, o);
            case quantity::entropy:
                break;
        }
        return entropy_histogram(a, o);
    };
    return with_uncertainty(statistic, x, y, opts);
}

data_result estimate_from_data(std::span<const double> p_counts, std::span<const double> q_counts,
                               const data_options& opts) {
    check_method(opts.method, true);
    const auto statistic = [&](std::span<const double> a, std::span<const double> b, unsigned) {
        count_options o = opts.counts;
        o.base = opts.base;
        switch (opts.measure) {
            case quantity::kl_divergence:
                return kl_divergence_from_counts(a, b, o);
            case quantity::cross_entropy:
                return cross_entropy_from_counts(a, b, o);
            case quantity::entropy:
                break;
        }
        return entropy_from_counts(a, o);
    };
    return with_uncertainty(statistic, p_counts, q_counts, opts);
}

}  // namespace kldiv::estimate
