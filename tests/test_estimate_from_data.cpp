// Tests of estimate_from_data (kldiv/estimate/from_data.hpp): the method must read the data it is
// given, and the estimate names its estimator with its settings.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/estimate/from_data.hpp"

namespace {

namespace ke = kldiv::estimate;

// The method must read the data it is given: counts for count vectors, knn or histogram for samples.
TEST(EstimateFromData, AMethodThatDoesNotReadTheDataIsRefused) {
    const std::vector<double> counts{3, 1}, samples{0.5, 1.5, 2.5};
    const kldiv::matrix_view<const double> x(samples.data(), 3, 1);
    const auto message = [](auto&& call) {
        try {
            call();
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message([&] { ke::estimate_from_data(counts, counts, {}); }),
              "estimate_from_data: method = knn, but the data are count vectors: use counts");
    EXPECT_EQ(message([&] { ke::estimate_from_data(x, x, {.method = ke::estimator::counts}); }),
              "estimate_from_data: method = counts, but the data are samples: use knn or histogram");
    // D(P‖P) = 0 by the plug-in on counts; the histogram's estimator is named with its settings.
    const auto same = ke::estimate_from_data(counts, counts, {.method = ke::estimator::counts});
    EXPECT_EQ(same.value.value, 0.0);
    EXPECT_EQ(ke::describe(same.value), "counts (plug-in)");
    const auto binned = ke::estimate_from_data(x, x, {.method = ke::estimator::histogram});
    EXPECT_EQ(binned.value.method, ke::estimator::histogram);
    EXPECT_THAT(ke::describe(binned.value), testing::StartsWith("histogram (freedman-diaconis, "));
}

}  // namespace
