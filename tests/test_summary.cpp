// Tests of include/kldiv/summary.hpp: quantiles by hand (type 7: h = (n − 1)·q, then linear
// interpolation), the mean and deviations against long double, infinities and refusals. NumPy's
// agreement bit for bit is tested from Python (python/tests/test_summary.py).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/summary.hpp"

namespace {

TEST(Summary, QuantilesInterpolateBetweenOrderStatistics) {
    const std::vector<double> sorted{1.0, 2.0, 4.0, 8.0, 16.0};
    EXPECT_EQ(kldiv::quantile(sorted, 0.0), 1.0);
    EXPECT_EQ(kldiv::quantile(sorted, 1.0), 16.0);
    EXPECT_EQ(kldiv::quantile(sorted, 0.5), 4.0);          // h = 2
    EXPECT_EQ(kldiv::quantile(sorted, 0.25), 2.0);         // h = 1
    EXPECT_DOUBLE_EQ(kldiv::quantile(sorted, 0.3), 2.4);   // h = 1.2: 2 + 0.2·2
    EXPECT_DOUBLE_EQ(kldiv::quantile(sorted, 0.9), 12.8);  // h = 3.6: 16 − 0.4·8
    EXPECT_EQ(kldiv::quantile(std::vector<double>{7.0}, 0.3), 7.0);
}

TEST(Summary, MeanAndDeviationsAgainstLongDouble) {
    std::vector<double> v;
    for (int i = 0; i < 1001; ++i) v.push_back(std::exp(0.01 * i) + 1e8);
    long double sum = 0.0L;
    for (const double x : v) sum += x;
    const long double mean = sum / v.size();
    long double squares = 0.0L;
    for (const double x : v) squares += (x - mean) * (x - mean);
    const double sd = static_cast<double>(std::sqrt(squares / (v.size() - 1)));
    const kldiv::value_summary s = kldiv::summarize(v);
    EXPECT_EQ(s.count, 1001u);
    EXPECT_NEAR(s.mean, static_cast<double>(mean), 1e-15 * static_cast<double>(mean));
    EXPECT_NEAR(s.stddev, sd, 1e-12 * sd);
    EXPECT_NEAR(s.standard_error, sd / std::sqrt(1001.0), 1e-12 * sd);
    EXPECT_EQ(s.min, v.front());
    EXPECT_EQ(s.max, v.back());
    ASSERT_EQ(s.quantiles.size(), kldiv::default_quantile_levels.size());
    EXPECT_EQ(s.quantiles[2], v[500]);  // the median of 1001 sorted values
}

TEST(Summary, InfiniteValues) {
    const std::vector<double> v{1.0, INFINITY, 0.5};
    const std::vector<double> levels{0.0, 0.5, 0.75, 1.0};
    const kldiv::value_summary s = kldiv::summarize(v, levels);
    EXPECT_EQ(s.mean, INFINITY);
    EXPECT_TRUE(std::isnan(s.stddev));
    EXPECT_THAT(s.quantiles, testing::ElementsAre(0.5, 1.0, INFINITY, INFINITY));
    EXPECT_TRUE(std::isnan(kldiv::summarize(std::vector<double>{-INFINITY, INFINITY}).mean));
    EXPECT_EQ(kldiv::summarize(std::vector<double>{-INFINITY, 0.0}).mean, -INFINITY);
}

TEST(Summary, BadInputIsNamed) {
    const auto message = [](auto f) {
        try {
            f();
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message([] { kldiv::summarize(std::vector<double>{}); }),
              "summarize: no values, but a summary needs at least one");
    EXPECT_EQ(message([] {
                  kldiv::summarize(std::vector<double>{1.0, NAN}, kldiv::default_quantile_levels, "rows");
              }),
              "rows: values[1] = nan, but a summary needs numbers");
    EXPECT_EQ(message([] { kldiv::summarize(std::vector<double>{1.0}, std::vector<double>{-0.5}); }),
              "summarize: quantile level -0.5, but levels must be in [0, 1]");
}

}  // namespace
