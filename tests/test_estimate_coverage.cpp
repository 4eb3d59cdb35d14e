// The true KL inside the estimators' 95% bootstrap intervals (from_data.hpp) at the designed
// rate: over 200 seeded data sets the count of intervals holding the truth must lie in the central
// 99.9% range of Binomial(200, 0.95), [180, 198] (observed: 188-194).
//
// Cases where the estimator's bias is small against its spread: counts over 4 events (n = m = 500,
// plug-in, Miller-Madow and Jeffreys), and k-NN in one dimension (n = m = 500). A bootstrap
// interval measures the spread of an estimator, not its bias: k-NN at d = 2 with n = 500 (N(0, I)
// against N(1, I), mean estimate 0.85 against the true 1) covers only 141 of 200, which
// docs/measures/estimation.md states.

#include <gtest/gtest.h>
#include "kldiv/estimate/from_data.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

#include <boost/math/distributions/binomial.hpp>

#include "src/common/random_stream.hpp"

namespace {

namespace ke = kldiv::estimate;
using random_stream = kldiv::distributions::detail::random_stream;

constexpr int datasets = 200;

void expect_designed_rate(int inside, const char* what) {
    const boost::math::binomial b(datasets, 0.95);
    EXPECT_GE(inside, boost::math::quantile(b, 0.0005)) << what;
    EXPECT_LE(inside, boost::math::quantile(boost::math::complement(b, 0.0005))) << what;
}

// n draws from the categorical distribution p, as counts.
std::vector<double> draw_counts(random_stream& stream, const std::vector<double>& p, int n) {
    std::vector<double> counts(p.size(), 0.0);
    for (int i = 0; i < n; ++i) {
        const double u = stream.uniform();
        double below = 0.0;
        std::size_t j = 0;
        for (; j + 1 < p.size(); ++j) {
            below += p[j];
            if (u < below) break;
        }
        counts[j] += 1.0;
    }
    return counts;
}

ke::bootstrap_options bootstrap(ke::interval_method method, std::uint64_t seed, std::size_t resamples) {
    return {.level = 0.95, .resamples = resamples, .method = method, .seed = seed, .threads = 2};
}

TEST(EstimatorCoverage, CountEstimators) {
    const std::vector<double> p{0.1, 0.2, 0.3, 0.4}, q{0.25, 0.25, 0.25, 0.25};
    double truth = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) truth += p[i] * std::log(p[i] / q[i]);
    for (const auto estimator :
         {ke::count_estimator::plug_in, ke::count_estimator::miller_madow, ke::count_estimator::jeffreys}) {
        for (const auto method : {ke::interval_method::percentile, ke::interval_method::bca}) {
            int inside = 0;
            for (std::uint64_t d = 0; d < datasets; ++d) {
                random_stream stream(11, d);
                const auto p_counts = draw_counts(stream, p, 500), q_counts = draw_counts(stream, q, 500);
                ke::data_options opts;
                opts.method = ke::estimator::counts;
                opts.counts.method = estimator;
                opts.bootstrap = bootstrap(method, d, 400);
                const ke::confidence_interval ci = ke::estimate_from_data(p_counts, q_counts, opts).value.interval;
                inside += ci.low <= truth && truth <= ci.high;
            }
            expect_designed_rate(inside, kldiv::name(estimator, '-').c_str());
        }
    }
}

TEST(EstimatorCoverage, NearestNeighboursInOneDimension) {
    // x ~ N(0, 1), y ~ N(1, 1): D = 1/2.
    for (const auto method : {ke::interval_method::percentile, ke::interval_method::bca}) {
        int inside = 0;
        for (std::uint64_t d = 0; d < datasets; ++d) {
            random_stream stream(12, d);
            std::vector<double> x(500), y(500);
            for (double& v : x) v = stream.normal();
            for (double& v : y) v = stream.normal() + 1.0;
            ke::data_options opts;
            opts.knn.threads = 2;
            opts.bootstrap = bootstrap(method, d, 200);
            const ke::confidence_interval ci =
                ke::estimate_from_data(kldiv::matrix_view<const double>(x.data(), 500, 1),
                                       kldiv::matrix_view<const double>(y.data(), 500, 1), opts)
                    .value.interval;
            inside += ci.low <= 0.5 && 0.5 <= ci.high;
        }
        expect_designed_rate(inside, method == ke::interval_method::bca ? "bca" : "percentile");
    }
}

}  // namespace
