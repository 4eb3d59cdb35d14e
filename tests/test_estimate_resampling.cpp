// Tests of the bootstrap intervals and permutation tests (include/kldiv/estimate/resampling.hpp) with
// statistics written here: a difference of means of two samples, a mean of x, a proportion and a
// plug-in KL of counts. Coverage and rejection rates over seeded data sets are checked against the
// binomial 99.9% range of the designed rate; the BCa ends against the formula evaluated here on the
// recorded resample and jackknife values; the counts bootstrap against multinomial moments; the
// permutation p-value against exact permutation probabilities.

#include <gtest/gtest.h>
#include "kldiv/error.hpp"
#include "kldiv/estimate/resampling.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>

#include "src/common/random_stream.hpp"

namespace {

namespace ke = kldiv::estimate;
using kldiv::matrix_view;
using random_stream = kldiv::distributions::detail::random_stream;
using view = matrix_view<const double>;
constexpr double inf = std::numeric_limits<double>::infinity();

double column_mean(view a) {
    double sum = 0.0;
    for (std::size_t i = 0; i < a.rows; ++i) sum += a.row(i)[0];
    return sum / static_cast<double>(a.rows);
}

double mean_difference(view x, view y) { return column_mean(x) - column_mean(y); }
double mean_of_x(view x, view) { return column_mean(x); }

// Σ p log(p/q) over the normalized counts; +inf where p > 0 and q = 0.
double plug_in_kl(std::span<const double> p, std::span<const double> q) {
    double np = 0.0, nq = 0.0, kl = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) np += p[i], nq += q[i];
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == 0.0) continue;
        if (q[i] == 0.0) return inf;
        kl += p[i] / np * std::log((p[i] / np) / (q[i] / nq));
    }
    return kl;
}

std::vector<double> normal_sample(random_stream& stream, std::size_t n, double mean, double sd) {
    std::vector<double> v(n);
    for (auto& value : v) value = mean + sd * stream.normal();
    return v;
}

std::vector<double> exponential_sample(random_stream& stream, std::size_t n) {
    std::vector<double> v(n);
    for (auto& value : v) value = stream.exponential();
    return v;
}

view column(const std::vector<double>& v) { return {v.data(), v.size(), 1}; }

// The central 99.9% range [lo, hi] of Binomial(trials, rate).
std::pair<double, double> binomial_range(double trials, double rate) {
    const boost::math::binomial b(trials, rate);
    return {boost::math::quantile(b, 0.0005), boost::math::quantile(boost::math::complement(b, 0.0005))};
}

// How many of 200 seeded data sets (x ~ sampler, n = m = 40) have `truth` inside the 90% interval.
template <class Sampler>
int covered(ke::interval_method method, const ke::sample_statistic& statistic, double truth, Sampler sampler) {
    int inside = 0;
    for (std::uint64_t dataset = 0; dataset < 200; ++dataset) {
        random_stream stream(7, dataset);
        const std::vector<double> x = sampler(stream), y = normal_sample(stream, 40, 0.0, 1.0);
        const ke::confidence_interval ci =
            ke::bootstrap_interval(column(x), column(y), statistic,
                                   {.level = 0.9, .resamples = 500, .method = method, .seed = dataset, .threads = 2});
        EXPECT_EQ(ci.level, 0.9);
        EXPECT_EQ(ci.resamples, 500u);
        EXPECT_LE(ci.low, ci.high);
        inside += ci.low <= truth && truth <= ci.high;
    }
    return inside;
}

TEST(BootstrapInterval, CoverageOfMeanDifferenceOfNormals) {
    // x ~ N(1, 2²), y ~ N(0, 1): the true difference of means is 1.
    const auto [lo, hi] = binomial_range(200, 0.9);
    const auto sampler = [](random_stream& s) { return normal_sample(s, 40, 1.0, 2.0); };
    for (const auto method : {ke::interval_method::percentile, ke::interval_method::bca}) {
        const int inside = covered(method, mean_difference, 1.0, sampler);
        EXPECT_GE(inside, lo) << static_cast<int>(method);
        EXPECT_LE(inside, hi) << static_cast<int>(method);
    }
}

TEST(BootstrapInterval, BcaCoverageOfSkewedMean) {
    // x ~ Exponential(1), n = 40: the mean is 1, its sampling distribution skewed (the case BCa is for).
    const auto [lo, hi] = binomial_range(200, 0.9);
    const int inside =
        covered(ke::interval_method::bca, mean_of_x, 1.0, [](random_stream& s) { return exponential_sample(s, 40); });
    EXPECT_GE(inside, lo);
    EXPECT_LE(inside, hi);
}

// The mean difference with the rows i ≡ j (mod g) of one sample left out.
std::vector<double> leave_outs(const std::vector<double>& v, std::size_t g, bool of_x, double other_mean) {
    std::vector<double> values;
    for (std::size_t j = 0; j < g; ++j) {
        double sum = 0.0, n = 0.0;
        for (std::size_t i = 0; i < v.size(); ++i)
            if (i % g != j) sum += v[i], n += 1.0;
        values.push_back(of_x ? sum / n - other_mean : other_mean - sum / n);
    }
    return values;
}

// The number of distinct values of x: a resample (with replacement) of 30 distinct values almost
// surely repeats one, so every resample lies below the estimate; BCa's bias correction is then
// infinite, and the interval is refused rather than collapsed onto one resample. The percentile
// interval is still given (it excludes the estimate: the bootstrap does not fit this statistic).
TEST(BootstrapInterval, BcaRefusesWhenEveryResampleLiesOnOneSide) {
    random_stream stream(3, 0);
    const std::vector<double> x = normal_sample(stream, 30, 0.0, 1.0), y = normal_sample(stream, 30, 0.0, 1.0);
    const auto distinct = [](view a, view) {
        std::vector<double> v(a.data, a.data + a.rows);
        std::sort(v.begin(), v.end());
        return static_cast<double>(std::unique(v.begin(), v.end()) - v.begin());
    };
    try {
        ke::bootstrap_interval(column(x), column(y), distinct,
                               {.resamples = 200, .method = ke::interval_method::bca, .seed = 1});
        FAIL() << "BCa gave an interval";
    } catch (const kldiv::error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("interval = bca, but every one of the 200 resamples lies below the estimate 30"),
                  std::string::npos)
            << message;
    }
    const ke::confidence_interval percentile = ke::bootstrap_interval(column(x), column(y), distinct, {.seed = 1});
    EXPECT_LT(percentile.high, 30.0);
}

TEST(BootstrapInterval, BcaEndsFollowTheFormula) {
    // With one thread the statistic is called in order: observed, jackknife (x leave-outs, then y),
    // resamples. The leave-outs are checked against the means computed here, and the ends recomputed
    // from the recorded values: delete-1 (groups >= n) and grouped (5 groups per sample).
    random_stream stream(11, 0);
    const std::vector<double> x = exponential_sample(stream, 25), y = normal_sample(stream, 15, 0.0, 1.0);
    const double x_mean = column_mean(column(x)), y_mean = column_mean(column(y));
    for (const std::size_t groups : {1000u, 5u}) {
        const std::size_t gx = std::min<std::size_t>(groups, 25), gy = std::min<std::size_t>(groups, 15);
        std::vector<double> jack_x, jack_y, resampled;
        double observed = 0.0;
        int calls = 0;
        const auto recording = [&](view a, view b) {
            const double t = mean_difference(a, b);
            if (calls++ == 0)
                observed = t;
            else if (a.rows == 25 - 25 / gx)
                jack_x.push_back(t);
            else if (b.rows == 15 - 15 / gy)
                jack_y.push_back(t);
            else
                resampled.push_back(t);
            return t;
        };
        const std::size_t B = 999;
        const ke::confidence_interval ci = ke::bootstrap_interval(column(x), column(y), recording,
                                                                  {.level = 0.9,
                                                                   .resamples = B,
                                                                   .method = ke::interval_method::bca,
                                                                   .seed = 5,
                                                                   .threads = 1,
                                                                   .max_jackknife_groups = groups});
        ASSERT_EQ(resampled.size(), B);
        const std::vector<double> expected_x = leave_outs(x, gx, true, y_mean);
        const std::vector<double> expected_y = leave_outs(y, gy, false, x_mean);
        ASSERT_EQ(jack_x.size(), gx);
        ASSERT_EQ(jack_y.size(), gy);
        for (std::size_t j = 0; j < gx; ++j) EXPECT_NEAR(jack_x[j], expected_x[j], 1e-14) << j;
        for (std::size_t j = 0; j < gy; ++j) EXPECT_NEAR(jack_y[j], expected_y[j], 1e-14) << j;

        double sum2 = 0.0, sum3 = 0.0;
        for (const auto* jack : {&jack_x, &jack_y}) {
            const double g = static_cast<double>(jack->size());
            double mean = 0.0;
            for (const double t : *jack) mean += t / g;
            for (const double t : *jack) {
                const double d = (g - 1.0) / g * (mean - t);
                sum2 += d * d;
                sum3 += d * d * d;
            }
        }
        const double a = sum3 / (6.0 * std::pow(sum2, 1.5));
        const boost::math::normal phi;
        const double below = static_cast<double>(
            std::count_if(resampled.begin(), resampled.end(), [&](double t) { return t < observed; }));
        const double z0 = boost::math::quantile(phi, below / B);
        const auto level = [&](double alpha) {
            const double w = z0 + boost::math::quantile(phi, alpha);
            return boost::math::cdf(phi, z0 + w / (1.0 - a * w));
        };
        std::sort(resampled.begin(), resampled.end());
        // Order statistics k = ⌊1000 α₁⌋ and ⌈1000 α₂⌉ (1-based).
        const auto low_k = static_cast<std::size_t>(std::floor(1000.0 * level(0.05)));
        const auto high_k = static_cast<std::size_t>(std::ceil(1000.0 * level(0.95)));
        EXPECT_NE(low_k, 50u);  // the correction moves the ends off the percentile ones
        EXPECT_EQ(ci.low, resampled[low_k - 1]) << groups;
        EXPECT_EQ(ci.high, resampled[high_k - 1]) << groups;
        // The percentile ends of the same resamples are θ*_(50) and θ*_(950).
        const ke::confidence_interval percentile =
            ke::bootstrap_interval(column(x), column(y), mean_difference, {.level = 0.9, .resamples = B, .seed = 5});
        EXPECT_EQ(percentile.low, resampled[49]);
        EXPECT_EQ(percentile.high, resampled[949]);
    }
}

TEST(BootstrapInterval, PercentileIsTransformationRespecting) {
    random_stream stream(12, 0);
    const std::vector<double> x = normal_sample(stream, 30, 0.0, 1.0), y = normal_sample(stream, 20, 0.5, 1.0);
    const ke::bootstrap_options opts{.level = 0.8, .resamples = 400, .seed = 9};
    const auto ci = ke::bootstrap_interval(column(x), column(y), mean_difference, opts);
    const auto ci_exp = ke::bootstrap_interval(
        column(x), column(y), [](view a, view b) { return std::exp(mean_difference(a, b)); }, opts);
    EXPECT_EQ(ci_exp.low, std::exp(ci.low));
    EXPECT_EQ(ci_exp.high, std::exp(ci.high));
}

TEST(BootstrapInterval, ReproducibleForAnyThreadCount) {
    random_stream stream(13, 0);
    // Two columns, x with a row stride of 3: rows are resampled whole.
    std::vector<double> x_data(3 * 50), y_data(2 * 40);
    for (auto& v : x_data) v = stream.normal();
    for (auto& v : y_data) v = stream.normal();
    const view x(x_data.data(), 50, 2, 3), y(y_data.data(), 40, 2);
    const auto statistic = [](view a, view b) {
        double s = 0.0;
        for (std::size_t i = 0; i < a.rows; ++i) s += a.row(i)[0] * a.row(i)[1];
        return s / static_cast<double>(a.rows) - column_mean(b);
    };
    for (const auto method : {ke::interval_method::percentile, ke::interval_method::bca}) {
        ke::bootstrap_options opts{.resamples = 300, .method = method, .seed = 42, .threads = 1};
        const auto one = ke::bootstrap_interval(x, y, statistic, opts);
        opts.threads = 4;
        const auto four = ke::bootstrap_interval(x, y, statistic, opts);
        const auto again = ke::bootstrap_interval(x, y, statistic, opts);
        EXPECT_EQ(one.low, four.low);
        EXPECT_EQ(one.high, four.high);
        EXPECT_EQ(four.low, again.low);
        EXPECT_EQ(four.high, again.high);
        opts.seed = 43;
        const auto other = ke::bootstrap_interval(x, y, statistic, opts);
        EXPECT_TRUE(other.low != one.low || other.high != one.high);
    }
    const std::vector<double> p{30, 20, 10, 5}, q{25, 25, 12, 8};
    ke::bootstrap_options opts{.resamples = 300, .method = ke::interval_method::bca, .seed = 1, .threads = 1};
    const auto one = ke::bootstrap_interval(p, q, plug_in_kl, opts);
    opts.threads = 3;
    const auto three = ke::bootstrap_interval(p, q, plug_in_kl, opts);
    EXPECT_EQ(one.low, three.low);
    EXPECT_EQ(one.high, three.high);
}

TEST(BootstrapInterval, CountResamplesHaveMultinomialMoments) {
    // p̂ = (0.3, 0.5, 0.2) with N = 400: a resample's counts C have Var C₀ = N p₀(1−p₀) = 84,
    // Cov(C₀, C₁) = −N p₀ p₁ = −60, total exactly N; the q resample (M = 100) is independent of it.
    const std::vector<double> p{120, 200, 80}, q{50, 0, 50};
    std::vector<double> c0, c1, d0;
    int calls = 0;
    const auto recording = [&](std::span<const double> a, std::span<const double> b) {
        if (calls++ > 0) {
            EXPECT_EQ(a[0] + a[1] + a[2], 400.0);
            EXPECT_EQ(b[1], 0.0);  // an event never observed in q is never drawn
            EXPECT_EQ(b[0] + b[2], 100.0);
            c0.push_back(a[0]);
            c1.push_back(a[1]);
            d0.push_back(b[0]);
        }
        return a[0] / 400.0;
    };
    const std::size_t B = 4000;
    ke::bootstrap_interval(p, q, recording, {.resamples = B, .threads = 1});
    ASSERT_EQ(c0.size(), B);
    const auto mean = [](const std::vector<double>& v) {
        double s = 0.0;
        for (const double t : v) s += t;
        return s / static_cast<double>(v.size());
    };
    const auto covariance = [&](const std::vector<double>& u, const std::vector<double>& v) {
        const double mu = mean(u), mv = mean(v);
        double s = 0.0;
        for (std::size_t i = 0; i < u.size(); ++i) s += (u[i] - mu) * (v[i] - mv);
        return s / static_cast<double>(u.size() - 1);
    };
    // Standard errors: mean √(84/B) = 0.145; a variance estimate ≈ σ²√(2/B) = 2.2% (counts are
    // nearly normal); a covariance ≈ √((σ₀²σ₁² + σ₀₁²)/B) = 1.73. Tolerances are 5 of them.
    EXPECT_NEAR(mean(c0), 120.0, 5 * 0.145);
    EXPECT_NEAR(covariance(c0, c0), 84.0, 5 * 0.022 * 84.0);
    EXPECT_NEAR(covariance(c1, c1), 100.0, 5 * 0.022 * 100.0);
    EXPECT_NEAR(covariance(c0, c1), -60.0, 5 * 1.73);
    EXPECT_NEAR(covariance(c0, d0), 0.0, 5 * std::sqrt(84.0 * 25.0 / B));
    EXPECT_NEAR(covariance(d0, d0), 25.0, 5 * 0.022 * 25.0);
}

TEST(BootstrapInterval, CountIntervalOfProportionMatchesNormalApproximation) {
    // The 95% percentile interval of a proportion p̂ = 0.3 at N = 400 is ≈ p̂ ± 1.96 √(p̂(1−p̂)/N)
    // = 0.3 ± 0.0449; the ends are on the lattice k/400 (0.0025) and each has a Monte Carlo error of
    // about 0.05 σ = 0.0011 at B = 4000. Tolerance: 0.005.
    const std::vector<double> p{120, 280}, q{10, 10};
    const auto ci =
        ke::bootstrap_interval(p, q, [](std::span<const double> a, std::span<const double>) { return a[0] / 400.0; },
                               {.resamples = 4000, .threads = 2});
    const double half = 1.959964 * std::sqrt(0.3 * 0.7 / 400.0);
    EXPECT_NEAR(ci.low, 0.3 - half, 0.005);
    EXPECT_NEAR(ci.high, 0.3 + half, 0.005);
}

TEST(BootstrapInterval, InfiniteResampleValuesAreOrderedAtInfinity) {
    // q has 2 of 100 observations in event 1: a resample misses it with probability 0.98^100 = 0.133,
    // and its plug-in KL is then +inf. The upper 97.5% end is +inf, the lower end finite.
    const std::vector<double> p{50, 50}, q{98, 2};
    for (const auto method : {ke::interval_method::percentile, ke::interval_method::bca}) {
        int infinite = 0, calls = 0;
        const auto counting = [&](std::span<const double> a, std::span<const double> b) {
            const double kl = plug_in_kl(a, b);
            infinite += calls++ > 0 && std::isinf(kl);
            return kl;
        };
        const auto ci = ke::bootstrap_interval(p, q, counting, {.resamples = 1000, .method = method, .threads = 1});
        EXPECT_EQ(ci.high, inf);
        EXPECT_TRUE(std::isfinite(ci.low));
        EXPECT_GT(ci.low, 0.0);
        // The infinite values all come from resamples (a jackknife leave-out keeps one observation of
        // event 1 in q): Binomial(1000, 0.133), sd 10.7.
        EXPECT_NEAR(infinite, 133, 5 * 10.7);
    }
}

TEST(BootstrapInterval, CountsEqualTheirExpandedObservations) {
    // Counts are resampled as their observations: with the observations listed as rows (event index,
    // in event order) the sample bootstrap and permutation draw the same rows from the same streams,
    // so a statistic of the tallies gives the same ends and p-values, delete-1 jackknife included.
    const std::vector<double> p{7, 12, 6}, q{10, 5, 9};
    const auto statistic = [](std::span<const double> a, std::span<const double> b) {
        const double na = a[0] + a[1] + a[2], nb = b[0] + b[1] + b[2];
        return (a[0] / na) * (a[0] / na) - b[1] / nb + std::log1p(b[2] / nb);
    };
    const auto rows_of = [](const std::vector<double>& counts) {
        std::vector<double> rows;
        for (std::size_t e = 0; e < counts.size(); ++e)
            rows.insert(rows.end(), static_cast<std::size_t>(counts[e]), double(e));
        return rows;
    };
    const auto tally = [](view v) {
        std::vector<double> counts(3, 0.0);
        for (std::size_t i = 0; i < v.rows; ++i) counts[static_cast<std::size_t>(v.row(i)[0])] += 1.0;
        return counts;
    };
    const std::vector<double> x = rows_of(p), y = rows_of(q);
    const auto on_rows = [&](view a, view b) { return statistic(tally(a), tally(b)); };
    for (const auto method : {ke::interval_method::percentile, ke::interval_method::bca}) {
        const ke::bootstrap_options opts{.level = 0.9, .resamples = 500, .method = method, .seed = 17};
        const auto from_counts = ke::bootstrap_interval(p, q, statistic, opts);
        const auto from_rows = ke::bootstrap_interval(column(x), column(y), on_rows, opts);
        EXPECT_EQ(from_counts.low, from_rows.low);
        EXPECT_EQ(from_counts.high, from_rows.high);
    }
    const auto bca = ke::bootstrap_interval(
        p, q, statistic, {.level = 0.9, .resamples = 500, .method = ke::interval_method::bca, .seed = 17});
    const auto percentile = ke::bootstrap_interval(p, q, statistic, {.level = 0.9, .resamples = 500, .seed = 17});
    EXPECT_TRUE(bca.low != percentile.low || bca.high != percentile.high);
    const auto perm_counts = ke::permutation_test(p, q, statistic, {.permutations = 500, .seed = 4});
    const auto perm_rows = ke::permutation_test(column(x), column(y), on_rows, {.permutations = 500, .seed = 4});
    EXPECT_EQ(perm_counts.p_value, perm_rows.p_value);
    EXPECT_EQ(perm_counts.statistic, perm_rows.statistic);
}

TEST(BootstrapInterval, NanAndThrowingStatisticsAreErrors) {
    const std::vector<double> x{1, 2, 3, 4}, y{1, 2};
    EXPECT_THROW(ke::bootstrap_interval(column(x), column(y), [](view, view) { return std::nan(""); }), kldiv::error);
    // NaN on the resamples whose first x row is 4 (about a quarter of them), not on the observed data.
    const auto nan_on_resample = [&](view a, view) {
        return a.data == x.data() ? 1.0 : a.row(0)[0] == 4.0 ? std::nan("") : 1.0;
    };
    try {
        ke::bootstrap_interval(column(x), column(y), nan_on_resample, {.resamples = 50, .threads = 4});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_NE(std::string(e.what()).find("NaN on resample"), std::string::npos) << e.what();
    }
    // An exception thrown inside a worker thread reaches the caller.
    const auto throwing = [&](view a, view) {
        if (a.data != x.data()) throw std::runtime_error("statistic failed");
        return 1.0;
    };
    EXPECT_THROW(ke::bootstrap_interval(column(x), column(y), throwing, {.resamples = 50, .threads = 4}),
                 std::runtime_error);
}

TEST(BootstrapInterval, BadInputs) {
    const std::vector<double> x{1, 2, 3}, y{4, 5}, none;
    const std::vector<double> p{3, 1}, q{2, 2};
    for (const double level : {0.0, 1.0, -0.5, 1.5, std::nan("")}) {
        EXPECT_THROW(ke::bootstrap_interval(column(x), column(y), mean_difference, {.level = level}), kldiv::error);
        EXPECT_THROW(ke::bootstrap_interval(p, q, plug_in_kl, {.level = level}), kldiv::error);
    }
    EXPECT_THROW(ke::bootstrap_interval(column(x), column(y), mean_difference, {.resamples = 0}), kldiv::error);
    EXPECT_THROW(ke::bootstrap_interval(p, q, plug_in_kl, {.resamples = 0}), kldiv::error);
    EXPECT_THROW(ke::bootstrap_interval(column(x), column(y), mean_difference, {.max_jackknife_groups = 1}),
                 kldiv::error);
    EXPECT_THROW(ke::bootstrap_interval(column(none), column(y), mean_difference), kldiv::error);
    EXPECT_THROW(ke::bootstrap_interval(column(x), column(none), mean_difference), kldiv::error);
    const std::vector<double> one{1};
    EXPECT_NO_THROW(ke::bootstrap_interval(column(one), column(y), mean_difference, {.resamples = 10}));
    EXPECT_THROW(ke::bootstrap_interval(column(one), column(y), mean_difference, {.method = ke::interval_method::bca}),
                 kldiv::error);
    const std::vector<double> xy{1, 2, 3, 4};
    EXPECT_THROW(ke::bootstrap_interval(column(xy), view(xy.data(), 2, 2), mean_difference), kldiv::error);
    // Counts: negative, fractional, infinite, NaN, different lengths, empty, zero total.
    for (const double bad : {-1.0, 0.5, inf, std::nan("")}) {
        const std::vector<double> counts{3, bad};
        EXPECT_THROW(ke::bootstrap_interval(counts, q, plug_in_kl), kldiv::error) << bad;
        EXPECT_THROW(ke::bootstrap_interval(p, counts, plug_in_kl), kldiv::error) << bad;
        EXPECT_THROW(ke::permutation_test(counts, q, plug_in_kl), kldiv::error) << bad;
    }
    const std::vector<double> three{1, 1, 1}, zeros{0, 0};
    EXPECT_THROW(ke::bootstrap_interval(p, three, plug_in_kl), kldiv::error);
    EXPECT_THROW(ke::bootstrap_interval(none, none, plug_in_kl), kldiv::error);
    EXPECT_THROW(ke::bootstrap_interval(zeros, q, plug_in_kl), kldiv::error);
    EXPECT_THROW(ke::permutation_test(p, zeros, plug_in_kl), kldiv::error);
    const std::vector<double> single{1, 0};
    EXPECT_THROW(ke::bootstrap_interval(single, q, plug_in_kl, {.method = ke::interval_method::bca}), kldiv::error);
    EXPECT_THROW(ke::permutation_test(column(x), column(y), mean_difference, {.permutations = 0}), kldiv::error);
    EXPECT_THROW(ke::permutation_test(p, q, plug_in_kl, {.permutations = 0}), kldiv::error);
    EXPECT_THROW(ke::permutation_test(column(none), column(y), mean_difference), kldiv::error);
    EXPECT_THROW(ke::permutation_test(column(x), column(y), [](view, view) { return std::nan(""); }), kldiv::error);
}

double absolute_mean_difference(view x, view y) { return std::abs(mean_difference(x, y)); }

TEST(PermutationTest, PValueIsUniformUnderTheNull) {
    // 500 data sets with x, y ~ N(0, 1), n = 20, m = 30, B = 99 permutations: P(p ≤ 0.05) = 5/100 and
    // P(p ≤ 0.5) = 50/100 exactly (the statistic is continuous, the split exchangeable).
    int below_005 = 0, below_05 = 0;
    for (std::uint64_t dataset = 0; dataset < 500; ++dataset) {
        random_stream stream(21, dataset);
        const std::vector<double> x = normal_sample(stream, 20, 0.0, 1.0), y = normal_sample(stream, 30, 0.0, 1.0);
        const auto result = ke::permutation_test(column(x), column(y), absolute_mean_difference,
                                                 {.permutations = 99, .seed = dataset, .threads = 2});
        EXPECT_EQ(result.permutations, 99u);
        EXPECT_GE(result.p_value, 0.01);
        below_005 += result.p_value <= 0.05;
        below_05 += result.p_value <= 0.5;
    }
    const auto [lo1, hi1] = binomial_range(500, 0.05);
    EXPECT_GE(below_005, lo1);
    EXPECT_LE(below_005, hi1);
    const auto [lo2, hi2] = binomial_range(500, 0.5);
    EXPECT_GE(below_05, lo2);
    EXPECT_LE(below_05, hi2);
}

TEST(PermutationTest, SmallUnderAClearAlternative) {
    // N(0, 1) against N(1.5, 1), n = m = 50: |x̄ − ȳ| has z ≈ 7.5, no permutation reaches it.
    random_stream stream(22, 0);
    const std::vector<double> x = normal_sample(stream, 50, 0.0, 1.0), y = normal_sample(stream, 50, 1.5, 1.0);
    const auto result = ke::permutation_test(column(x), column(y), absolute_mean_difference, {.permutations = 999});
    EXPECT_EQ(result.statistic, absolute_mean_difference(column(x), column(y)));
    EXPECT_EQ(result.p_value, 1.0 / 1000.0);
}

TEST(PermutationTest, MatchesExactPermutationProbability) {
    // x = {4, 5, 6}, y = {1, 2, 3}, T = x̄ − ȳ: only the observed split of the C(6, 3) = 20 reaches
    // T_obs, so p → 1/20; with B = 20000, p = (1 + Binomial(B, 0.05)) / (B + 1), sd 0.0015.
    const std::vector<double> x{4, 5, 6}, y{1, 2, 3};
    const auto rows = ke::permutation_test(column(x), column(y), mean_difference, {.permutations = 20000});
    EXPECT_NEAR(rows.p_value, 0.05, 5 * 0.0015);
    EXPECT_EQ(rows.statistic, 3.0);
    // Counts: P = {3, 0}, Q = {0, 3}; T = count of event 0 in P, 3 in exactly 1 of 20 splits of the
    // pooled events (hypergeometric). Each split keeps the pooled counts (3, 3) and the sizes (3, 3).
    const std::vector<double> p{3, 0}, q{0, 3};
    const auto splitting = [](std::span<const double> a, std::span<const double> b) {
        EXPECT_EQ(a[0] + b[0], 3.0);
        EXPECT_EQ(a[1] + b[1], 3.0);
        EXPECT_EQ(a[0] + a[1], 3.0);
        return a[0];
    };
    const auto counts = ke::permutation_test(p, q, splitting, {.permutations = 20000});
    EXPECT_NEAR(counts.p_value, 0.05, 5 * 0.0015);
    EXPECT_EQ(counts.statistic, 3.0);
}

TEST(PermutationTest, CountsUnderNullAndAlternative) {
    // 300 pairs of counts, both Multinomial(60, (0.4, 0.3, 0.2, 0.1)), T = plug-in KL (+inf allowed):
    // the discrete statistic makes the test conservative, P(p ≤ 0.05) ≤ 0.05.
    const auto draw = [](random_stream& stream, std::size_t n, const std::vector<double>& probs) {
        std::vector<double> counts(probs.size(), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            double u = stream.uniform();
            std::size_t e = 0;
            while (e + 1 < probs.size() && u >= probs[e]) u -= probs[e++];
            counts[e] += 1.0;
        }
        return counts;
    };
    const std::vector<double> probs{0.4, 0.3, 0.2, 0.1};
    int rejected = 0;
    for (std::uint64_t dataset = 0; dataset < 300; ++dataset) {
        random_stream stream(23, dataset);
        const auto p = draw(stream, 60, probs), q = draw(stream, 60, probs);
        rejected +=
            ke::permutation_test(p, q, plug_in_kl, {.permutations = 99, .seed = dataset, .threads = 2}).p_value <= 0.05;
    }
    EXPECT_LE(rejected, binomial_range(300, 0.05).second);
    EXPECT_GE(rejected, 1);
    random_stream stream(24, 0);
    const auto p = draw(stream, 200, probs), q = draw(stream, 200, {0.1, 0.2, 0.3, 0.4});
    const auto result = ke::permutation_test(p, q, plug_in_kl, {.permutations = 999, .threads = 3});
    EXPECT_EQ(result.p_value, 1.0 / 1000.0);
    const auto again = ke::permutation_test(p, q, plug_in_kl, {.permutations = 999, .threads = 1});
    EXPECT_EQ(result.p_value, again.p_value);
}

TEST(PermutationTest, ReproducibleForAnyThreadCount) {
    random_stream stream(25, 0);
    const std::vector<double> x = normal_sample(stream, 30, 0.0, 1.0), y = normal_sample(stream, 25, 0.3, 1.0);
    const auto one = ke::permutation_test(column(x), column(y), absolute_mean_difference,
                                          {.permutations = 2000, .seed = 3, .threads = 1});
    const auto four = ke::permutation_test(column(x), column(y), absolute_mean_difference,
                                           {.permutations = 2000, .seed = 3, .threads = 4});
    EXPECT_EQ(one.p_value, four.p_value);
    EXPECT_GT(one.p_value, 0.001);  // a modest shift: not every permutation falls short
}

// Every report a progress callback received.
struct progress_log {
    std::vector<kldiv::progress> reports;
    kldiv::progress_callback callback() {
        return [this](const kldiv::progress& p) { reports.push_back(p); };
    }
    // The first report is the start (done = 0), done increases, total is `total` throughout, and the
    // last report is done == total.
    void expect_complete(std::uint64_t total) const {
        ASSERT_GE(reports.size(), 2u);
        EXPECT_EQ(reports.front().done, 0u);
        for (std::size_t i = 0; i < reports.size(); ++i) {
            EXPECT_EQ(reports[i].total, total);
            if (i > 0) {
                EXPECT_GT(reports[i].done, reports[i - 1].done);
            }
        }
        EXPECT_EQ(reports.back().done, total);
    }
};

TEST(Resampling, ProgressCountsEveryStatisticComputed) {
    random_stream stream(5, 0);
    const std::vector<double> x = normal_sample(stream, 30, 0, 1), y = normal_sample(stream, 20, 0, 1);
    const auto statistic = [](view a, view b) { return column_mean(a) - column_mean(b); };
    for (const unsigned threads : {1u, 3u}) {
        SCOPED_TRACE(threads);
        progress_log percentile, bca, groups, counts, permutations;
        ke::bootstrap_options opts{.resamples = 200, .threads = threads, .progress = percentile.callback()};
        ke::bootstrap_interval(column(x), column(y), statistic, opts);
        percentile.expect_complete(200);
        // BCa first leaves out each row (30 + 20 statistics), then resamples.
        opts.method = ke::interval_method::bca;
        opts.progress = bca.callback();
        ke::bootstrap_interval(column(x), column(y), statistic, opts);
        bca.expect_complete(250);
        // Grouped jackknife: 8 groups of each sample.
        opts.max_jackknife_groups = 8;
        opts.progress = groups.callback();
        ke::bootstrap_interval(column(x), column(y), statistic, opts);
        groups.expect_complete(216);
        // Counts: one leave-out per non-zero event (3 of p, 2 of q).
        const std::vector<double> p{3, 0, 4, 5}, q{0, 6, 0, 2};
        opts.progress = counts.callback();
        ke::bootstrap_interval(
            p, q, [](auto a, auto b) { return a[0] - b[0]; }, opts);
        counts.expect_complete(205);
        ke::permutation_test(column(x), column(y), statistic,
                             {.permutations = 99, .threads = threads, .progress = permutations.callback()});
        permutations.expect_complete(99);
    }
}

TEST(Resampling, AnExceptionFromTheProgressCallbackStopsTheWork) {
    const std::vector<double> x{1, 2, 3, 4}, y{2, 3, 4, 5};
    std::size_t computed = 0;
    const auto statistic = [&](view a, view b) {
        ++computed;
        return column_mean(a) - column_mean(b);
    };
    const ke::permutation_options opts{.permutations = 1000, .threads = 1, .progress = [](const kldiv::progress& p) {
                                           if (p.done == 10) throw std::runtime_error("cancelled");
                                       }};
    EXPECT_THROW(ke::permutation_test(column(x), column(y), statistic, opts), std::runtime_error);
    EXPECT_EQ(computed, 11u);  // the observed split and 10 permutations (one thread: reported one by one)
}

}  // namespace
