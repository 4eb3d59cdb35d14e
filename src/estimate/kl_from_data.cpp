#include "kldiv/estimate/kl_from_data.hpp"

namespace kldiv::estimate {
namespace {

// statistic(a, b, threads) is the estimator of the options (threads 0: the estimator's own
// setting). The estimate uses it as asked; the resamples run it on one thread each, since the
// bootstrap and the permutation test spread the resamples over the threads.
template <class Statistic, class Data>
data_result with_uncertainty(const Statistic& statistic, const Data& x, const Data& y, const data_options& opts) {
    data_result r{.kl = statistic(x, y, 0u), .test = std::nullopt};
    const auto value = [&](const Data& a, const Data& b) { return statistic(a, b, 1u).value; };
    if (opts.bootstrap) r.kl.interval = bootstrap_interval(x, y, value, *opts.bootstrap);
    if (opts.permutation) r.test = permutation_test(x, y, value, *opts.permutation);
    return r;
}

}  // namespace

data_result kl_divergence_from_data(matrix_view<const double> x, matrix_view<const double> y, const data_options& opts) {
    const auto statistic = [&](matrix_view<const double> a, matrix_view<const double> b, unsigned threads) {
        if (opts.method == sample_method::knn) {
            knn_options o = opts.knn;
            o.base = opts.base;
            if (threads != 0) o.threads = threads;
            return kl_divergence_knn(a, b, o);
        }
        histogram_options o = opts.histogram;
        o.counts.base = opts.base;
        return kl_divergence_histogram(a, b, o);
    };
    return with_uncertainty(statistic, x, y, opts);
}

data_result kl_divergence_from_data(std::span<const double> p_counts, std::span<const double> q_counts,
                                    const data_options& opts) {
    const auto statistic = [&](std::span<const double> a, std::span<const double> b, unsigned) {
        count_options o = opts.counts;
        o.base = opts.base;
        return kl_divergence_from_counts(a, b, o);
    };
    return with_uncertainty(statistic, p_counts, q_counts, opts);
}

}  // namespace kldiv::estimate
